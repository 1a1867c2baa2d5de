"""Writes for home observations: a guardian shares one (with an optional goal rating), the care
team replies."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from goals.models import Goal
from goals.selectors import visible_goals
from goals.services import goal_rate
from practice.access import policy_for
from practice.audit import audit, saved_and_audited
from practice.models import Child, User
from practice.once import create_once
from practice.services import ensure_not_discharged

from .models import HomeObservation, ObservationReply


def _rated_goal(child_policy, child: Child, goal: Goal | None, level: int | None) -> Goal | None:
    if goal is None and level is None:
        return None
    if not child_policy.goals:
        raise PermissionDenied(_("You cannot rate goals for this child."))
    if goal is None:
        raise ValidationError({"goal": _("Choose the goal this rating is about.")})
    if (
        not visible_goals(child_policy, child)
        .filter(pk=goal.pk, status=Goal.Status.ACTIVE)
        .exists()
    ):
        raise ValidationError({"goal": _("Choose one of this child's active goals.")})
    return goal


@transaction.atomic
def observation_share(
    *,
    child: Child,
    guardian: User,
    text: str,
    today,
    goal: Goal | None = None,
    level: int | None = None,
    once_key: uuid.UUID | None = None,
) -> HomeObservation:
    """A guardian with their own items (full or limited access) shares what they saw; a goal
    and a GAS level only with the goals right, and the level becomes a parent's GoalRating.
    Shared once per `once_key` (a double click makes one observation and one rating)."""
    child_policy = policy_for(guardian, child)
    if child_policy is None or not child_policy.is_guardian or not child_policy.own_items:
        raise PermissionDenied(_("You cannot share observations about this child."))
    ensure_not_discharged(child)
    goal = _rated_goal(child_policy, child, goal, level)

    def create() -> HomeObservation:
        observation = HomeObservation(
            child=child, guardian=guardian, text=text.strip(), goal=goal, once_key=once_key
        )
        observation.full_clean()
        if goal is not None and level is not None:
            observation.rating = goal_rate(
                goal=goal,
                rated_by=guardian,
                level=level,
                rated_on=today,
                source="home",
                today=today,
            )
        observation.save()
        audit(
            actor=guardian,
            action="observation.share",
            target=observation,
            goal=goal.pk if goal else None,
            rated=observation.rating_id is not None,
        )
        return observation

    return create_once(HomeObservation, once_key, create)[0]


@transaction.atomic
def observation_reply(
    *, observation: HomeObservation, author: User, text: str, once_key: uuid.UUID | None = None
) -> ObservationReply:
    """A clinician on the care team answers; only that guardian sees the answer. Once per
    `once_key`."""
    child_policy = policy_for(author, observation.child)
    if child_policy is None or not child_policy.is_care_team:
        raise PermissionDenied(_("Only a clinician on the child's care team can do this."))
    ensure_not_discharged(observation.child)

    def create() -> ObservationReply:
        reply = ObservationReply(
            observation=observation, author=author, text=text.strip(), once_key=once_key
        )
        return saved_and_audited(
            reply, actor=author, action="observation.reply", child=observation.child
        )

    return create_once(ObservationReply, once_key, create)[0]
