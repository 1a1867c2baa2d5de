"""What a parent's progress email says: for each child the parent may see, what is new in the
period (goal ratings and milestones, shared summaries, sessions, home practice) and the next
session, each row exactly as that guardian's policy from practice.access allows.

Built for a chunk of parents at once, in a fixed number of queries whatever the chunk's size:
the children and their policy data in one go, then one query per kind of news for every child
of the chunk, then each parent's sections picked out in Python with that parent's own policy.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal, GoalRating, Milestone, Perspective
from goals.selectors import ratings_recorded_between, recent_milestones
from practice.access import ChildPolicy, policy_for, policy_prefetches
from practice.models import (
    Child,
    CommunicationPolicy,
    Guardianship,
    Practice,
    User,
)

from ..practice_at_home.models import CheckIn, HomePractice
from ..practice_at_home.selectors import check_ins_between, home_practice_in_force
from ..visits.models import SessionLog
from ..visits.selectors import next_sessions, sessions_held_between, summaries_new_between
from .rendering import render_emails
from .unsubscribe import unsubscribe_url

Period = tuple[datetime.datetime, datetime.datetime]
# Milestones come from goals' batched selector, newest first; a period rarely has more.
MILESTONES_PER_CHILD = 10


@dataclass
class RatingLine:
    """One view of a goal: whose ("care_team", "you", "parent": another parent, "child"; put
    in words by rendering.py), the GAS level and what that level means for this goal."""

    who: str
    rating: GoalRating

    @property
    def meaning(self) -> str:
        return self.rating.goal.level_description(self.rating.level).strip()


@dataclass
class GoalNews:
    """A goal rated in the period: the latest rating of each view (clinician, parent, child)."""

    goal: Goal
    ratings: list[RatingLine]


@dataclass
class PracticeNews:
    home_practice: HomePractice
    days_done: int
    is_new: bool

    @property
    def has_news(self) -> bool:
        return self.is_new or self.days_done > 0


@dataclass
class ChildSection:
    child: Child
    child_policy: ChildPolicy
    goals: list[GoalNews] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    summaries: list[SessionLog] = field(default_factory=list)
    sessions: list[SessionLog] = field(default_factory=list)
    home_practice: list[PracticeNews] = field(default_factory=list)
    next_session_start: datetime.datetime | None = None
    # In words, for the templates (rendering.py): the news as blocks of lines.
    blocks: list = field(default_factory=list)
    html: str = ""
    text: str = ""
    next_session: str = ""
    nothing_new: str = ""

    @property
    def name(self) -> str:
        return self.child.preferred_name or self.child.first_name

    @property
    def has_news(self) -> bool:
        return bool(
            self.goals
            or self.milestones
            or self.summaries
            or self.sessions
            or any(item.has_news for item in self.home_practice)
        )


@dataclass
class ProgressEmail:
    parent: User
    period_start: datetime.datetime
    period_end: datetime.datetime
    sections: list[ChildSection]
    notice_only: bool
    subject: str = ""
    text: str = ""
    html: str = ""
    # What the templates were given (the preview renders the body partial with it again).
    context: dict = field(default_factory=dict, repr=False)

    @property
    def has_news(self) -> bool:
        return any(section.has_news for section in self.sections)

    @property
    def child_names(self) -> str:
        """The first names of the children with news: "Mia", "Mia and Leo", "Mia, Leo and Ada";
        with no news (an email that is skipped, seen in the preview), every child's."""
        names = [section.name for section in self.sections if section.has_news] or [
            section.name for section in self.sections
        ]
        if len(names) < 2:
            return "".join(names)
        return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


@dataclass
class _Batch:
    """Everything the chunk's emails read, keyed by child."""

    ratings: dict[int, list[GoalRating]]
    milestones: dict[int, list[Milestone]]
    summaries: dict[int, list[SessionLog]]
    sessions: dict[int, list[SessionLog]]
    home_practice: dict[int, list[HomePractice]]
    check_ins: dict[int, list[CheckIn]]
    next_sessions: dict[int, datetime.datetime]


def build_progress_emails(
    parents: Sequence[User],
    periods: dict[int, Period],
    communication: CommunicationPolicy,
    *,
    practice: Practice | None = None,
    now: datetime.datetime | None = None,
    only_children: Iterable[int] | None = None,
    unsubscribe_link: Callable[[User], str] = unsubscribe_url,
) -> list[ProgressEmail]:
    """One rendered email per parent for its period (`periods[parent.pk]`). `only_children`
    limits the sections to those children (a clinician's preview shows their care team's)."""
    practice = practice or Practice.get()
    now = now or timezone.now()
    sections = children_to_tell(parents, practice, only_children)
    window = _window(periods)
    batch = _batch([s for entries in sections.values() for s in entries], window, now, practice)
    emails = []
    for parent in parents:
        start, end = periods[parent.pk]
        entries = [_fill(section, batch, parent, start, end) for section in sections[parent.pk]]
        notice_only = communication.email_detail == CommunicationPolicy.EmailDetail.NOTICE_ONLY
        emails.append(ProgressEmail(parent, start, end, entries, notice_only))
    render_emails(emails, practice, unsubscribe_link)
    return emails


# --- Who sees which child ----------------------------------------------------------------------


def children_to_tell(
    parents: Sequence[User], practice: Practice, only_children: Iterable[int] | None = None
) -> dict[int, list[ChildSection]]:
    """Each parent's children still in therapy, with the policy practice.access gives that
    parent (None, so no section, for access none). The guardianships of every parent of the
    chunk are prefetched where policy_for looks for the viewer's own."""
    parent_ids = [parent.pk for parent in parents]
    children = Child.objects.filter(guardianships__guardian_id__in=parent_ids)
    if only_children is not None:
        children = children.filter(pk__in=only_children)
    children = children.distinct().prefetch_related(
        *policy_prefetches(Guardianship.objects.filter(guardian_id__in=parent_ids))
    )
    today = practice.today()
    by_parent = {parent.pk: parent for parent in parents}
    sections: dict[int, list[ChildSection]] = {pk: [] for pk in parent_ids}
    for child in children.order_by("date_of_birth", "pk"):
        if child.is_discharged:  # discharge stops updates
            continue
        for guardianship in child.viewer_guardianships:
            parent = by_parent[guardianship.guardian_id]
            child_policy = policy_for(parent, child, practice=practice, today=today)
            if child_policy is not None:
                sections[parent.pk].append(ChildSection(child, child_policy))
    return sections


def parents_with_children(parent_ids: Sequence[int]) -> set[int]:
    """The parents who may see at least one child still in therapy: children_for's rule for a
    parent (a guardianship with access full or limited) for many parents in one query, and
    not discharged. The tick opens updates for them only; what each email says is still
    decided child by child by policy_for (children_to_tell)."""
    rows = Guardianship.objects.filter(
        guardian_id__in=list(parent_ids),
        access__in=[Guardianship.Access.FULL, Guardianship.Access.LIMITED],
        child__discharged_on__isnull=True,
    )
    return set(rows.order_by().values_list("guardian_id", flat=True).distinct())


def _window(periods: dict[int, Period]) -> Period:
    """The span covering every period of the chunk: one query each, filtered per parent."""
    starts = [start for start, _end in periods.values()]
    ends = [end for _start, end in periods.values()]
    return min(starts), max(ends)


# --- One query per kind of news for the whole chunk --------------------------------------------


def _batch(sections: list[ChildSection], window: Period, now, practice: Practice) -> _Batch:
    """Through each app's selectors, which apply the policies: goals (Goal.objects.visible_to),
    summaries (SessionLog.objects.shared_with_family), attendance, home practice."""
    child_policies = list({section.child_policy for section in sections})
    start, end = window
    home_practice = home_practice_in_force(child_policies, practice.today())
    return _Batch(
        ratings=ratings_recorded_between(child_policies, start, end),
        milestones=recent_milestones(child_policies, limit=MILESTONES_PER_CHILD),
        summaries=summaries_new_between(child_policies, start, end, now),
        sessions=sessions_held_between(child_policies, start, end, now),
        home_practice=home_practice,
        check_ins=check_ins_between(home_practice, start, end),
        next_sessions=next_sessions(child_policies, now),
    )


# --- One parent's sections, with that parent's own policy --------------------------------------


def _during(when: datetime.datetime | None, start, end) -> bool:
    return when is not None and start <= when < end


def _fill(section: ChildSection, batch: _Batch, parent: User, start, end) -> ChildSection:
    child_policy, child_id = section.child_policy, section.child.pk
    if child_policy.goals:
        ratings = [r for r in batch.ratings.get(child_id, []) if _during(r.created_at, start, end)]
        section.goals = _goal_news(ratings, parent)
        section.milestones = [
            m for m in batch.milestones.get(child_id, []) if _during(m.created_at, start, end)
        ]
    if child_policy.shared_summaries:
        section.summaries = [
            s for s in batch.summaries.get(child_id, []) if _summary_is_new(s, start, end)
        ]
    if child_policy.record:
        section.sessions = [
            s for s in batch.sessions.get(child_id, []) if _during(s.scheduled_start, start, end)
        ]
        section.next_session_start = batch.next_sessions.get(child_id)
    if child_policy.home_practice:
        section.home_practice = [
            _practice_news(item, batch.check_ins.get(item.pk, []), start, end)
            for item in batch.home_practice.get(child_id, [])
        ]
    return section


def _goal_news(ratings: list[GoalRating], parent: User) -> list[GoalNews]:
    """Per goal, the latest rating of each view in the period (ratings come oldest first).
    Never a rating's note: the care team's notes and another parent's are not the family's."""
    latest: dict[int, dict[str, RatingLine]] = {}
    goals: dict[int, Goal] = {}
    for rating in ratings:
        goals[rating.goal_id] = rating.goal
        who = _who(rating, parent)
        latest.setdefault(rating.goal_id, {})[who] = RatingLine(who, rating)
    news = [GoalNews(goals[pk], list(views.values())) for pk, views in latest.items()]
    return sorted(news, key=lambda item: item.goal.title.lower())


def _who(rating: GoalRating, parent: User) -> str:
    if rating.perspective == Perspective.CLINICIAN:
        return "care_team"
    if rating.perspective == Perspective.CHILD:
        return "child"
    return "you" if rating.rated_by_id == parent.pk else "parent"


def _summary_is_new(session: SessionLog, start, end) -> bool:
    return _during(session.signed_at, start, end) or any(
        _during(correction.created_at, start, end) for correction in session.corrections
    )


def _practice_news(item: HomePractice, check_ins: list[CheckIn], start, end) -> PracticeNews:
    done_days = {c.for_date for c in check_ins if c.done and _during(c.updated_at, start, end)}
    return PracticeNews(item, len(done_days), _during(item.assigned_at, start, end))
