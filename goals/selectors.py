"""Reads for goals. Every parent-facing read applies the policy practice.access gave."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from practice.access import ChildPolicy, caseload_for, child_for_user
from practice.models import Child, User

from .charts import progress_chart
from .models import Goal, GoalChange, GoalComment, GoalRating, Milestone, Perspective
from .scores import T_SCORE_HELP, gas_t_score

SHOWN_STATUSES = [Goal.Status.PROPOSED, Goal.Status.ACTIVE, Goal.Status.ACHIEVED]


def visible_goals(child_policy: ChildPolicy | None, child: Child) -> QuerySet[Goal]:
    """The goals this policy may see: none without the goals right, never a child-private one
    for a guardian."""
    return Goal.objects.visible_to(child_policy).filter(child=child)


def goal_for_user(user: User, pk: int) -> tuple[Goal, ChildPolicy]:
    """The goal and the policy for its child, or 404 when this user may not see it."""
    # One query for the row; nothing of it leaves here unless the policy allows it
    # (Goal.is_visible_to: GoalQuerySet.visible_to's rule for one goal).
    goal = Goal.objects.select_related("agreed_by", "proposer").filter(pk=pk).first()
    if goal is None:
        raise Http404
    child, child_policy = child_for_user(user, goal.child_id)
    if not goal.is_visible_to(child_policy):
        raise Http404
    goal.child = child
    return goal, child_policy


@dataclass
class GoalView:
    goal: Goal
    ratings: list[GoalRating]
    latest: dict[str, GoalRating | None] = field(default_factory=dict)

    @property
    def chart(self) -> dict | None:
        return progress_chart(self.ratings)

    @property
    def clinician(self):
        return self.latest.get(Perspective.CLINICIAN)

    @property
    def parent(self):
        return self.latest.get(Perspective.PARENT)

    @property
    def child(self):
        return self.latest.get(Perspective.CHILD)


@dataclass
class GoalBoard:
    goals: list[GoalView]
    clinician_t: float | None
    family_t: float | None

    help = T_SCORE_HELP

    @property
    def active(self) -> list[GoalView]:
        return [view for view in self.goals if view.goal.status == Goal.Status.ACTIVE]

    @property
    def proposed(self) -> list[GoalView]:
        return [view for view in self.goals if view.goal.status == Goal.Status.PROPOSED]

    @property
    def other(self) -> list[GoalView]:
        shown = (Goal.Status.ACTIVE, Goal.Status.PROPOSED)
        return [view for view in self.goals if view.goal.status not in shown]


def goal_view(goal: Goal) -> GoalView:
    ratings = list(goal.ratings.all())
    latest = {}
    for rating in ratings:  # ordered by date: the last one of each view wins
        latest[rating.perspective] = rating
    return GoalView(goal, ratings, latest)


def t_score_for(views: list[GoalView], perspective: str) -> float | None:
    pairs = [
        (view.latest[perspective].level, view.goal.weight)
        for view in views
        if view.goal.status == Goal.Status.ACTIVE and view.latest.get(perspective)
    ]
    return gas_t_score(pairs)


def goal_board(child_policy: ChildPolicy | None, child: Child) -> GoalBoard:
    """Goals with their ratings and both T-scores, over what this policy may see only."""
    goals = (
        visible_goals(child_policy, child)
        .select_related("agreed_by")
        .prefetch_related(
            Prefetch("ratings", queryset=GoalRating.objects.select_related("rated_by"))
        )
    )
    views = [goal_view(goal) for goal in goals]
    order = {Goal.Status.ACTIVE: 0, Goal.Status.PROPOSED: 1}
    views.sort(key=lambda view: (order.get(view.goal.status, 2), view.goal.title.lower()))
    return GoalBoard(
        views,
        t_score_for(views, Perspective.CLINICIAN),
        t_score_for(views, Perspective.PARENT),
    )


def goal_history(goal: Goal) -> list[GoalChange]:
    return list(goal.changes.select_related("changed_by"))


def goal_comments(goal: Goal) -> list[GoalComment]:
    return list(goal.comments.select_related("author"))


def milestones_for(
    child_policy: ChildPolicy | None, child: Child, *, limit: int = 5
) -> list[Milestone]:
    goals = visible_goals(child_policy, child)
    milestones = Milestone.objects.filter(goal__in=goals).select_related("goal")
    return list(milestones[:limit])


def goals_due_for_review(user: User, today: datetime.date) -> list[Goal]:
    """Active goals on this clinician's caseload whose review date has come."""
    return list(
        Goal.objects.filter(
            child__in=caseload_for(user),
            status=Goal.Status.ACTIVE,
            review_date__lte=today,
            child__discharged_on__isnull=True,
        )
        .select_related("child")
        .order_by("review_date")
    )


def recent_milestones(
    child_policies: list[ChildPolicy], *, limit: int = 5
) -> dict[int, list[Milestone]]:
    """Recent milestones per child, one query for all of a parent's children, each child's
    list filtered by its own policy."""
    child_ids = [child_policy.child_id for child_policy in child_policies if child_policy.goals]
    if not child_ids:
        return {}
    milestones = (
        Milestone.objects.filter(goal__in=Goal.objects.visible_to(child_policies))
        .select_related("goal")
        .order_by("-reached_on", "-pk")
    )
    grouped: dict[int, list[Milestone]] = {}
    for milestone in milestones[: limit * len(child_ids)]:
        entries = grouped.setdefault(milestone.goal.child_id, [])
        if len(entries) < limit:
            entries.append(milestone)
    return grouped


def ratings_recorded_between(
    child_policies: Iterable[ChildPolicy], start: datetime.datetime, end: datetime.datetime
) -> dict[int, list[GoalRating]]:
    """Row `goals`, per child (the progress emails): the ratings recorded in [start, end) of
    the goals these policies may see (Goal.objects.visible_to), oldest first. One query."""
    child_policies = list(child_policies)
    if not any(child_policy.goals for child_policy in child_policies):
        return {}
    rows = (
        GoalRating.objects.filter(
            goal__in=Goal.objects.visible_to(child_policies),
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("goal")
        .order_by("created_at", "pk")
    )
    grouped: dict[int, list[GoalRating]] = defaultdict(list)
    for rating in rows:
        grouped[rating.goal.child_id].append(rating)
    return grouped


def achieved_for_family(child: Child) -> list[Goal]:
    """The child's achieved goals a family may be told of, never a child-private one: the
    first draft of a discharge summary, which every guardian with the goals right reads."""
    goals = Goal.objects.not_private_to_child().filter(child=child, status=Goal.Status.ACHIEVED)
    return list(goals.order_by("title"))
