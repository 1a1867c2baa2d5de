"""Reads for home observations. A guardian sees their own, never another guardian's; the care
team (and break-the-glass readers) see every one of the child's."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from goals.models import Goal
from goals.selectors import GoalBoard, visible_goals
from practice.access import ChildPolicy, row_for_care_team
from practice.models import Child, User

from .models import HomeObservation, ObservationReply


def _with_details(observations: QuerySet[HomeObservation]) -> QuerySet[HomeObservation]:
    replies = ObservationReply.objects.select_related("author")
    return observations.select_related("goal", "rating", "guardian").prefetch_related(
        Prefetch("replies", queryset=replies)
    )


def observations_for_guardian(
    user: User,
    child_policy: ChildPolicy | None,
    child: Child,
    *,
    visible_goal_ids: set[int] | None = None,
    limit: int = 10,
) -> list[HomeObservation]:
    """Their own observations only. `visible_goal_ids`: the goals this policy may see, when the
    page has them already."""
    if child_policy is None or not child_policy.is_guardian or not child_policy.own_items:
        return []
    mine = HomeObservation.objects.filter(child=child, guardian=user)
    observations = list(_with_details(mine)[:limit])
    # A goal the guardian can no longer see (made private, sharing level lowered) is not named.
    seen = visible_goal_ids
    if seen is None:
        seen = set(visible_goals(child_policy, child).values_list("pk", flat=True))
    for observation in observations:
        observation.goal_shown = observation.goal if observation.goal_id in seen else None
    return observations


def observations_for_care_team(
    child_policy: ChildPolicy | None, child: Child, *, limit: int = 20
) -> list[HomeObservation]:
    if child_policy is None or not child_policy.clinical:
        return []
    observations = list(_with_details(HomeObservation.objects.filter(child=child))[:limit])
    for observation in observations:
        observation.goal_shown = observation.goal
    return observations


def goals_to_rate(child_policy: ChildPolicy | None, child: Child) -> list[Goal]:
    if child_policy is None or not child_policy.goals:
        return []
    return list(
        visible_goals(child_policy, child).filter(status=Goal.Status.ACTIVE).order_by("title")
    )


@dataclass(frozen=True)
class PortalCard:
    """The portal child page's "What you noticed at home" card."""

    goals_to_rate: list[Goal] | None  # None without the `goals` right: the form asks no rating
    observations: list[HomeObservation]  # the guardian's own


def portal_card(
    user: User, child_policy: ChildPolicy, child: Child, board: GoalBoard
) -> PortalCard | None:
    """The card's goals and the guardian's own observations, or None without the `own_items`
    right. The goals come from the page's goal board (already what this policy may see)."""
    if not child_policy.own_items:
        return None
    active = sorted((view.goal for view in board.active), key=lambda goal: goal.title)
    seen = {view.goal.pk for view in board.goals}
    return PortalCard(
        goals_to_rate=active if child_policy.goals else None,
        observations=observations_for_guardian(user, child_policy, child, visible_goal_ids=seen),
    )


def observation_for_care_team(user: User, pk: int) -> HomeObservation:
    """One observation for a clinician on the child's care team; 404 for anyone else."""
    return row_for_care_team(user, HomeObservation.objects.all(), pk)
