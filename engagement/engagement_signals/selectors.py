"""Engagement signals for many families at once: a fixed number of aggregate queries (grouped by
child), whatever the caseload's size; the scoring itself is scores.py.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from practice.models import AuditEvent, Child, Guardianship

from ..barriers.models import Barrier
from ..engagement_agreements.models import EngagementAgreement
from ..messaging.models import Message
from ..observations.models import HomeObservation
from ..practice_at_home.models import CheckIn, HomePractice
from ..visits.models import SessionLog
from . import scores

WINDOW = datetime.timedelta(days=scores.WINDOW_DAYS)


@dataclass
class FamilyEngagement:
    child_id: int
    current: scores.EngagementScore
    previous: scores.EngagementScore
    falling: bool
    reason: str  # "drop" or "quiet" when falling
    open_barriers: list[Barrier] = field(default_factory=list)
    # The numbers it was worked out from (what FamilySignals keeps; see `activity_record`).
    activity: dict = field(default_factory=dict)

    @property
    def score(self) -> int:
        return self.current.score

    @property
    def change(self) -> int:
        return self.current.score - self.previous.score

    @property
    def parts(self) -> list[tuple[str, int | None]]:
        return [
            (stage, None if value is None else round(100 * value))
            for stage, value in self.current.parts.items()
        ]


@dataclass
class _Counts:
    acknowledged: list[bool] = field(default_factory=lambda: [False, False])
    expected_share: float = scores.DEFAULT_GUARDIAN_SHARE
    visits: list[int] = field(default_factory=lambda: [0, 0])
    attended: list[int] = field(default_factory=lambda: [0, 0])
    with_guardian: list[int] = field(default_factory=lambda: [0, 0])
    participation: list[float | None] = field(default_factory=lambda: [None, None])
    done: list[int] = field(default_factory=lambda: [0, 0])
    observations: list[int] = field(default_factory=lambda: [0, 0])
    care_team_messages: list[int] = field(default_factory=lambda: [0, 0])
    replies: list[int] = field(default_factory=lambda: [0, 0])
    expected: list[float] = field(default_factory=lambda: [0.0, 0.0])
    last_contact: datetime.date | None = None
    home_practice_days: int | None = None

    def activity(self, window: int) -> scores.FamilyActivity:
        return scores.FamilyActivity(
            agreement_acknowledged=self.acknowledged[window],
            portal_visits=self.visits[window],
            attended_sessions=self.attended[window],
            attended_with_guardian=self.with_guardian[window],
            expected_guardian_share=self.expected_share,
            mean_participation=self.participation[window],
            check_ins_done=self.done[window],
            check_ins_expected=self.expected[window],
            observations=self.observations[window],
            care_team_messages=self.care_team_messages[window],
            family_replies=self.replies[window],
        )

    def contact(self, day: datetime.date | None) -> None:
        if day is not None and (self.last_contact is None or day > self.last_contact):
            self.last_contact = day


def _windows(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Start of the current window and of the previous one (current: (now - 8 weeks, now])."""
    return now - WINDOW, now - 2 * WINDOW


def _agreements(ids: QuerySet, counts: dict[int, _Counts], now: datetime.datetime) -> None:
    start, _ = _windows(now)
    agreements = list(
        EngagementAgreement.objects.filter(child__in=ids)
        .order_by("child_id", "version")
        .values("pk", "child_id", "created_at", "parent_sessions")
        .annotate(first_agreed=Min("acknowledgements__acknowledged_at"))
    )
    for window, end in enumerate((now, start)):
        latest = {}
        for row in agreements:
            if row["created_at"] <= end:
                latest[row["child_id"]] = row
        for child_id, row in latest.items():
            at = row["first_agreed"]
            counts[child_id].acknowledged[window] = at is not None and at <= end
    for row in agreements:  # the latest version sets what is expected
        share = scores.EXPECTED_GUARDIAN_SHARE.get(row["parent_sessions"])
        counts[row["child_id"]].expected_share = share or scores.DEFAULT_GUARDIAN_SHARE


def _windowed(field_name: str, now: datetime.datetime) -> tuple[Q, Q]:
    start, previous_start = _windows(now)
    current = Q(**{f"{field_name}__gt": start, f"{field_name}__lte": now})
    previous = Q(**{f"{field_name}__gt": previous_start, f"{field_name}__lte": start})
    return current, previous


def _per_child(rows: QuerySet, child: str, current: Q, previous: Q, *, last: str) -> QuerySet:
    """Per child (grouped by the field `child`): how many rows fall in the current window and in
    the previous one, and the latest `last`: one aggregate query."""
    return (
        rows.order_by()
        .values(child)
        .annotate(now=Count("pk", filter=current), before=Count("pk", filter=previous))
        .annotate(last=Max(last))
    )


def _portal_visits(ids: QuerySet, counts, now, tz) -> None:
    """Portal visits: the child's own guardians (access full or limited) opening its page."""
    guardian = Guardianship.objects.filter(
        child=OuterRef("child_id"), guardian=OuterRef("actor_id")
    ).exclude(access=Guardianship.Access.NONE)
    current, previous = _windowed("at", now)
    views = (
        AuditEvent.objects.filter(action="portal.child_view", child__in=ids)
        .filter(current | previous)
        .filter(Exists(guardian))
    )
    rows = _per_child(views, "child_id", current, previous, last="at")
    for row in rows:
        counts[row["child_id"]].visits = [row["now"], row["before"]]
        counts[row["child_id"]].contact(timezone.localtime(row["last"], tz).date())


def _sessions(ids: QuerySet, counts, now) -> None:
    current, previous = _windowed("scheduled_start", now)
    guardian_there = SessionLog.guardians_attended.through.objects.filter(
        sessionlog_id=OuterRef("pk")
    )
    rows = (
        SessionLog.objects.filter(child__in=ids, status=SessionLog.Status.ATTENDED)
        .filter(current | previous)
        .annotate(guardian_there=Exists(guardian_there))
        .order_by()
        .values("child_id")
        .annotate(
            now=Count("pk", filter=current),
            before=Count("pk", filter=previous),
            now_with=Count("pk", filter=current & Q(guardian_there=True)),
            before_with=Count("pk", filter=previous & Q(guardian_there=True)),
            now_part=Avg("guardian_participation", filter=current),
            before_part=Avg("guardian_participation", filter=previous),
        )
    )
    for row in rows:
        family = counts[row["child_id"]]
        family.attended = [row["now"], row["before"]]
        family.with_guardian = [row["now_with"], row["before_with"]]
        family.participation = [row["now_part"], row["before_part"]]


def _overlap_days(first: datetime.date, last: datetime.date, start, end) -> int:
    return max((min(last, end) - max(first, start)).days + 1, 0)


def _home_practice(ids: QuerySet, counts, now, tz) -> None:
    today = timezone.localtime(now, tz).date()
    starts = [today - datetime.timedelta(days=scores.WINDOW_DAYS * n) for n in (1, 2)]
    rows = HomePractice.objects.filter(
        child__in=ids, until__gt=starts[1], assigned_at__lte=now
    ).values("child_id", "frequency", "assigned_at", "until", "is_active", "ended_at")
    windows = [(starts[0] + datetime.timedelta(days=1), today), (starts[1], starts[0])]
    for row in rows:
        first = timezone.localtime(row["assigned_at"], tz).date()
        last = row["until"]
        if row["ended_at"] is not None:
            last = min(last, timezone.localtime(row["ended_at"], tz).date())
        family = counts[row["child_id"]]
        for window, (start, end) in enumerate(windows):
            days = _overlap_days(first, last, start, end)
            family.expected[window] += scores.expected_check_ins(row["frequency"], days)
        if row["is_active"] and row["until"] >= today:
            days = (today - first).days
            family.home_practice_days = max(days, family.home_practice_days or 0)
    _check_ins(ids, counts, windows)


def _check_ins(ids: QuerySet, counts, windows) -> None:
    (start, end), (previous_start, _) = windows
    current = Q(for_date__gte=start, for_date__lte=end, done=True)
    previous = Q(for_date__gte=previous_start, for_date__lt=start, done=True)
    done = CheckIn.objects.filter(home_practice__child__in=ids, for_date__gte=previous_start)
    rows = _per_child(done, "home_practice__child_id", current, previous, last="for_date")
    for row in rows:
        family = counts[row["home_practice__child_id"]]
        family.done = [row["now"], row["before"]]
        family.contact(row["last"])


def _observations(ids: QuerySet, counts, now, tz) -> None:
    """Observations shared from home by the child's guardians (an observation is contact)."""
    current, previous = _windowed("created_at", now)
    shared = HomeObservation.objects.filter(child__in=ids).filter(current | previous)
    rows = _per_child(shared, "child_id", current, previous, last="created_at")
    for row in rows:
        family = counts[row["child_id"]]
        family.observations = [row["now"], row["before"]]
        family.contact(timezone.localtime(row["last"], tz).date())


def _messages(ids: QuerySet, counts, now, tz) -> None:
    """The care team's messages, and the family's replies to them (a family message in a
    thread where the care team wrote before it); a family message is contact too."""
    current, previous = _windowed("sent_at", now)
    care_team_wrote_before = Message.objects.filter(
        thread=OuterRef("thread"), from_family=False, sent_at__lt=OuterRef("sent_at")
    )
    rows = (
        Message.objects.filter(thread__child__in=ids)
        .filter(current | previous)
        .annotate(is_reply=Exists(care_team_wrote_before))
        .order_by()
        .values("thread__child_id")
        .annotate(
            staff_now=Count("pk", filter=current & Q(from_family=False)),
            staff_before=Count("pk", filter=previous & Q(from_family=False)),
            replies_now=Count("pk", filter=current & Q(from_family=True, is_reply=True)),
            replies_before=Count("pk", filter=previous & Q(from_family=True, is_reply=True)),
            last=Max("sent_at", filter=Q(from_family=True)),
        )
    )
    for row in rows:
        family = counts[row["thread__child_id"]]
        family.care_team_messages = [row["staff_now"], row["staff_before"]]
        family.replies = [row["replies_now"], row["replies_before"]]
        if row["last"] is not None:
            family.contact(timezone.localtime(row["last"], tz).date())


def family_engagement(
    children: QuerySet[Child], now: datetime.datetime, tz: datetime.tzinfo
) -> dict[int, FamilyEngagement]:
    """Scores, trends and the falling rule for every child of `children`, with the open
    barriers of the families that are falling. Query count does not grow with the caseload."""
    ids = children.values("pk")
    # Families appear as their rows do: one with no activity at all is absent, which callers
    # read as a score of 0 that is not falling (see `score_of`).
    counts: dict[int, _Counts] = defaultdict(_Counts)
    _agreements(ids, counts, now)
    _portal_visits(ids, counts, now, tz)
    _sessions(ids, counts, now)
    _home_practice(ids, counts, now, tz)
    _observations(ids, counts, now, tz)
    _messages(ids, counts, now, tz)
    today = timezone.localtime(now, tz).date()
    result = {}
    for child_id, family in counts.items():
        current = scores.engagement_score(family.activity(0))
        previous = scores.engagement_score(family.activity(1))
        quiet = None if family.last_contact is None else (today - family.last_contact).days
        falling = scores.is_falling(
            current.score,
            previous.score,
            home_practice_days=family.home_practice_days,
            days_since_contact=quiet,
        )
        drop = current.score - previous.score <= -scores.FALLING_DROP
        reason = ("drop" if drop else "quiet") if falling else ""
        result[child_id] = FamilyEngagement(
            child_id, current, previous, falling, reason, activity=activity_record(family)
        )
    _attach_open_barriers(result)
    return result


def activity_record(family: _Counts) -> dict:
    """What a family's score is worked out from, as JSON-ready numbers."""
    return {
        "current": dataclasses.asdict(family.activity(0)),
        "previous": dataclasses.asdict(family.activity(1)),
        "last_contact": family.last_contact.isoformat() if family.last_contact else None,
        "home_practice_days": family.home_practice_days,
    }


def score_of(result: dict[int, FamilyEngagement], child_id: int) -> FamilyEngagement:
    """A family's engagement, or the score of a family with no activity yet."""
    if child_id in result:
        return result[child_id]
    empty = scores.engagement_score(scores.FamilyActivity())
    return FamilyEngagement(child_id, empty, empty, False, "")


def _attach_open_barriers(result: dict[int, FamilyEngagement]) -> None:
    falling = [pk for pk, family in result.items() if family.falling]
    if not falling:
        return
    for barrier in Barrier.objects.filter(child_id__in=falling, status__in=Barrier.UNRESOLVED):
        result[barrier.child_id].open_barriers.append(barrier)
