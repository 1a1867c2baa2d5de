"""Reads for session logs. Parent-facing reads apply the policy from practice.access."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from practice.access import ChildPolicy, child_for_user
from practice.models import Child, Practice, User

from .models import Addendum, SessionLog, upcoming_at


def _session(user: User, pk: int, allowed) -> tuple[SessionLog, ChildPolicy]:
    # One query for the row; nothing of it leaves here unless the policy allows it.
    session = SessionLog.objects.select_related("clinician", "signed_by").filter(pk=pk).first()
    if session is None:
        raise Http404
    child, child_policy = child_for_user(user, session.child_id)
    if not allowed(child_policy):
        raise Http404
    session.child = child
    return session, child_policy


def session_for_care_team(user: User, pk: int) -> tuple[SessionLog, ChildPolicy]:
    """A session log for a clinician on the child's care team (who may change it); 404 for
    anyone else."""
    return _session(user, pk, lambda child_policy: child_policy.may_write("clinical"))


def session_for_reader(user: User, pk: int) -> tuple[SessionLog, ChildPolicy]:
    """A session log for staff who may read the clinical record: the care team, and a
    clinician under break-the-glass (read-only: every write asks policy_to_write). 404 for
    anyone else: a parent, the office, a clinician without a grant."""
    return _session(user, pk, lambda child_policy: child_policy.clinical)


def summary_shown_to_family(
    session: SessionLog, child_policy: ChildPolicy, now: datetime.datetime
) -> bool:
    """For the care team's "shared" badge: whether this session's summary is one the family
    side reads (SessionLog.objects.shared_with_family, the portal's and the emails' rule)."""
    return SessionLog.objects.shared_with_family(child_policy, now).filter(pk=session.pk).exists()


def with_next_session(children: QuerySet[Child], now: datetime.datetime) -> QuerySet[Child]:
    """Annotate each child with its next scheduled session (one subquery, any caseload size)."""
    upcoming = SessionLog.objects.filter(
        child=OuterRef("pk"), status=SessionLog.Status.SCHEDULED, scheduled_start__gte=now
    ).order_by("scheduled_start")
    return children.annotate(
        next_session_id=Subquery(upcoming.values("pk")[:1]),
        next_session_start=Subquery(upcoming.values("scheduled_start")[:1]),
    )


# The child page's "recent" sessions reach this far ahead (a session cancelled for tomorrow).
RECENT_HORIZON = datetime.timedelta(days=1)


def sessions_clock(now: datetime.datetime) -> dict[str, Min]:
    """Aggregates over a child's sessions: the moments child_sessions next changes without a
    write: the next session to come (it then leaves "coming up") and the first start beyond
    the horizon of "recent" (it then enters it)."""
    return {
        "next_session_start": Min("scheduled_start", filter=upcoming_at(now)),
        "next_recent_start": Min(
            "scheduled_start", filter=Q(scheduled_start__gte=now + RECENT_HORIZON)
        ),
    }


CHILD_NAME = ("child__first_name", "child__preferred_name", "child__last_name")


def to_log(clinician: User, now: datetime.datetime, practice: Practice) -> list[SessionLog]:
    """Today's sessions and past ones still scheduled: the clinician's sessions to log."""
    end_of_today = datetime.datetime.combine(
        practice.today() + datetime.timedelta(days=1), datetime.time(), practice.tz
    )
    return list(
        SessionLog.objects.filter(
            clinician=clinician,
            signed_at__isnull=True,
            scheduled_start__lt=end_of_today,
            scheduled_start__gte=now - datetime.timedelta(days=30),
            child__discharged_on__isnull=True,
        )
        .select_related("child")
        # What the caseload shows of each: not the notes (fewer columns to read and decrypt).
        .only("scheduled_start", "status", "child", *CHILD_NAME)
        .order_by("scheduled_start")[:20]
    )


@dataclass
class ChildSessions:
    upcoming: list[SessionLog]
    recent: list[SessionLog]
    missed_this_year: int
    allowance: int


def _year_start(practice: Practice) -> datetime.datetime:
    today = practice.today()
    return datetime.datetime(today.year, 1, 1, tzinfo=practice.tz)


def missed_this_year(child: Child, practice: Practice) -> int:
    return SessionLog.objects.filter(
        child=child, status__in=SessionLog.MISSED, scheduled_start__gte=_year_start(practice)
    ).count()


def child_sessions(child: Child, now: datetime.datetime, practice: Practice) -> ChildSessions:
    """For the care team's child page: what is coming and what happened, with addenda."""
    logs = SessionLog.objects.filter(child=child).select_related("clinician")
    upcoming = list(logs.upcoming(now).order_by("scheduled_start")[:5])
    recent = list(
        logs.exclude(pk__in=[s.pk for s in upcoming])
        .filter(scheduled_start__lt=now + RECENT_HORIZON)
        .select_related("rescheduled_to")
        .prefetch_related("addenda")
        .order_by("-scheduled_start")[:10]
    )
    return ChildSessions(
        upcoming, recent, missed_this_year(child, practice), practice.missed_sessions_allowance
    )


@dataclass
class SharedSummary:
    session: SessionLog
    corrections: list[Addendum]


@dataclass
class FamilySessions:
    upcoming: list[SessionLog]
    attendance: list[SessionLog]
    summaries: list[SharedSummary]


# What the family side reads of a session: never the private note or the draft.
FAMILY_FIELDS = (
    "pk",
    "child_id",
    "scheduled_start",
    "planned_minutes",
    "modality",
    "status",
    "location",
    "signed_at",
    "summary_shared",
    "shared_summary",
)


def family_sessions(
    child_policy: ChildPolicy | None,
    child: Child,
    now: datetime.datetime,
    *,
    complete: bool = False,
) -> FamilySessions:
    """What a guardian may see of sessions: upcoming and attendance (row `record`), and shared
    summaries with their correcting addenda (row `shared_summaries`). Never a private note.
    `complete` (the family's export) lifts the page's length limits, never the rules."""
    upcoming_limit, past_limit, summary_limit = (None, None, None) if complete else (3, 8, 5)
    empty = FamilySessions([], [], [])
    if child_policy is None or not child_policy.record:
        return empty
    logs = SessionLog.objects.filter(child=child).only(*FAMILY_FIELDS)
    upcoming = list(logs.upcoming(now).order_by("scheduled_start")[:upcoming_limit])
    past = logs.filter(scheduled_start__lt=now).exclude(status=SessionLog.Status.SCHEDULED)
    attendance = list(past.order_by("-scheduled_start")[:past_limit])
    shared = (
        SessionLog.objects.shared_with_family(child_policy, now)
        .filter(child=child)
        .only(*FAMILY_FIELDS)
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=Addendum.objects.filter(corrects_shared_summary=True),
                to_attr="corrections",
            )
        )
        .order_by("-scheduled_start")[:summary_limit]
    )
    summaries = [SharedSummary(session, session.corrections) for session in shared]
    return FamilySessions(upcoming, attendance, summaries)


def family_sessions_clock(
    child_policy: ChildPolicy | None, child: Child, now: datetime.datetime
) -> datetime.datetime | None:
    """The next moment family_sessions changes without a write: the next session's start
    (it then leaves "coming up", or a cancelled one joins the attendance, and its summary may
    be shared). One indexed query; none without the `record` right (nothing is shown)."""
    if child_policy is None or not child_policy.record:
        return None
    return (
        SessionLog.objects.filter(child=child, scheduled_start__gte=now)
        .order_by("scheduled_start")
        .values_list("scheduled_start", flat=True)
        .first()
    )


def next_start_of_any(children: Iterable[Child], now: datetime.datetime):
    """The next moment any of these children's sessions begins (the portal home's cards
    change without a write only then). One indexed query."""
    ids = [child.pk for child in children]
    if not ids:
        return None
    return (
        SessionLog.objects.filter(child_id__in=ids, scheduled_start__gte=now)
        .order_by("scheduled_start")
        .values_list("scheduled_start", flat=True)
        .first()
    )


def _corrections() -> Prefetch:
    """A shared summary's correcting addenda (never any other addendum), as `corrections`."""
    return Prefetch(
        "addenda",
        queryset=Addendum.objects.filter(corrects_shared_summary=True).only(
            "pk", "session_id", "text", "created_at"
        ),
        to_attr="corrections",
    )


def _by_child(sessions: Iterable[SessionLog]) -> dict[int, list[SessionLog]]:
    grouped: dict[int, list[SessionLog]] = defaultdict(list)
    for session in sessions:
        grouped[session.child_id].append(session)
    return grouped


def next_sessions(
    child_policies: Iterable[ChildPolicy], now: datetime.datetime
) -> dict[int, datetime.datetime]:
    """Row `record`: when each child's next session starts (one query)."""
    child_ids = [child_policy.child_id for child_policy in child_policies if child_policy.record]
    if not child_ids:
        return {}
    rows = with_next_session(Child.objects.filter(pk__in=child_ids), now).values_list(
        "pk", "next_session_start"
    )
    return {pk: start for pk, start in rows if start is not None}


def latest_shared_summaries(
    child_policies: Iterable[ChildPolicy], now: datetime.datetime
) -> dict[int, SessionLog]:
    """Row `shared_summaries`: each child's latest summary the family may read
    (SessionLog.objects.shared_with_family) with its correcting addenda (as family_sessions
    shows them), two queries for all children."""
    child_policies = list(child_policies)
    child_ids = [
        child_policy.child_id for child_policy in child_policies if child_policy.shared_summaries
    ]
    if not child_ids:
        return {}
    shared = SessionLog.objects.shared_with_family(child_policies, now)
    latest = shared.filter(child=OuterRef("pk")).order_by("-scheduled_start").values("pk")[:1]
    ids = Child.objects.filter(pk__in=child_ids).annotate(latest=Subquery(latest))
    corrections = Addendum.objects.filter(corrects_shared_summary=True)
    sessions = SessionLog.objects.filter(
        pk__in=ids.values("latest"), child_id__in=child_ids
    ).prefetch_related(Prefetch("addenda", queryset=corrections, to_attr="corrections"))
    return {session.child_id: session for session in sessions}


def summaries_new_between(
    child_policies: Iterable[ChildPolicy],
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime,
) -> dict[int, list[SessionLog]]:
    """Row `shared_summaries`, per child (the progress emails): of the summaries the family may
    read (SessionLog.objects.shared_with_family), those signed in [start, end), or older ones
    given a correcting addendum in it, with their corrections. One query and its prefetch."""
    child_policies = list(child_policies)
    if not any(child_policy.shared_summaries for child_policy in child_policies):
        return {}
    corrected = Q(
        addenda__corrects_shared_summary=True,
        addenda__created_at__gte=start,
        addenda__created_at__lt=end,
    )
    sessions = (
        SessionLog.objects.shared_with_family(child_policies, now)
        .filter(Q(signed_at__gte=start, signed_at__lt=end) | corrected)
        .distinct()
        .only("pk", "child_id", "scheduled_start", "signed_at", "shared_summary", "summary_shared")
        .prefetch_related(_corrections())
        .order_by("scheduled_start", "pk")
    )
    return _by_child(sessions)


def sessions_held_between(
    child_policies: Iterable[ChildPolicy],
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime,
) -> dict[int, list[SessionLog]]:
    """Row `record` (attendance), per child: the sessions held or missed that started in
    [start, end), never one whose start has not come. One query."""
    child_ids = sorted({p.child_id for p in child_policies if p.record})
    if not child_ids:
        return {}
    sessions = (
        SessionLog.objects.filter(
            child_id__in=child_ids, scheduled_start__gte=start, scheduled_start__lt=end
        )
        .filter(scheduled_start__lte=now)
        .exclude(status=SessionLog.Status.SCHEDULED)
        .only("pk", "child_id", "scheduled_start", "status")
        .order_by("scheduled_start", "pk")
    )
    return _by_child(sessions)


def session_named_in_link(user: User, child: Child, pk: str | None) -> SessionLog | None:
    """A session a page was opened from (`?session=<pk>`): None when none is named, the session
    when it is this child's and the user is on the care team, 404 otherwise."""
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404
    session, _policy = session_for_care_team(user, int(pk))
    if session.child.pk != child.pk:
        raise Http404
    return session


def family_cancellation_unasked(session: SessionLog) -> bool:
    """A session the family cancelled with no barrier recorded for it yet (barriers/ records
    them; read through the session's reverse relation, so visits/ does not import barriers/)."""
    if session.status != SessionLog.Status.CANCELLED_FAMILY:
        return False
    return not session.barriers.exists()
