"""Reads for home practice. What a guardian sees goes through the policy from practice.access:
the `home_practice` row, and never a strategy tied to a goal the guardian may not see."""

from __future__ import annotations

import datetime

from django.http import Http404

from goals.models import Goal
from goals.selectors import visible_goals
from practice.access import ChildPolicy, child_for_user
from practice.models import Child, User

from .models import HomePractice


def current_home_practice(
    policy: ChildPolicy | None, child: Child, today: datetime.date
) -> list[HomePractice]:
    """Active strategies not past their end date, as this policy may see them: all of them for
    the care team; for a guardian at full or progress, those tied to goals they may see; for
    anyone else (safety_only, limited, none, office), nothing."""
    if policy is None or not policy.home_practice:
        return []
    current = HomePractice.objects.filter(child=child, is_active=True, until__gte=today)
    if not policy.clinical:
        current = current.filter(goal__in=visible_goals(policy, child).values("pk"))
    return list(current.select_related("goal", "assigned_by").order_by("until", "pk"))


def home_practice_for_care_team(user: User, pk: int) -> HomePractice:
    """One home practice for a clinician on the child's care team; 404 for anyone else."""
    child_id = HomePractice.objects.filter(pk=pk).values_list("child_id", flat=True).first()
    if child_id is None:
        raise Http404
    child, policy = child_for_user(user, child_id)
    if not policy.is_care_team:
        raise Http404
    home_practice = HomePractice.objects.get(pk=pk)
    home_practice.child = child
    return home_practice


def goals_to_practise(child: Child):
    """The goals a strategy can be tied to: the child's active ones."""
    return Goal.objects.filter(child=child, status=Goal.Status.ACTIVE).order_by("title")
