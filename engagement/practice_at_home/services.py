"""Writes for home practice: the care team assigns a strategy and ends it."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import Goal
from practice.access import policy_for
from practice.audit import audit
from practice.models import Child, User

from ..visits.models import SessionLog
from .models import HomePractice

GOAL_ERROR = gettext_lazy("Choose one of this child's active goals.")
PAST_ERROR = gettext_lazy("The end date cannot be in the past.")
# A strategy usually runs until the next review of how it went: four weeks unless set otherwise.
DEFAULT_LENGTH = datetime.timedelta(weeks=4)


def _care_team_only(user: User, child: Child) -> None:
    policy = policy_for(user, child)
    if policy is None or not policy.is_care_team:
        raise PermissionDenied(_("Only a clinician on the child's care team can do this."))


def _validate(child: Child, goal: Goal, until: datetime.date, session, today) -> None:
    errors = {}
    if goal.child_id != child.pk or goal.status != Goal.Status.ACTIVE:
        errors["goal"] = GOAL_ERROR
    if until < today:
        errors["until"] = PAST_ERROR
    if session is not None and session.child_id != child.pk:
        errors["from_session"] = _("That session is not this child's.")
    if child.is_discharged:
        errors["__all__"] = _("This child has been discharged: no new home practice.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def home_practice_assign(
    *,
    child: Child,
    goal: Goal,
    assigned_by: User,
    title: str,
    instructions: str,
    until: datetime.date,
    today: datetime.date,
    frequency: str = HomePractice.Frequency.DAILY,
    frequency_detail: str = "",
    demonstration: str = "",
    from_session: SessionLog | None = None,
) -> HomePractice:
    """A strategy for the family to practise at home, tied to one of the child's active goals."""
    _care_team_only(assigned_by, child)
    _validate(child, goal, until, from_session, today)
    if frequency == HomePractice.Frequency.OTHER and not frequency_detail.strip():
        raise ValidationError({"frequency_detail": _("Describe how often, in a few words.")})
    home_practice = HomePractice(
        child=child,
        goal=goal,
        title=title.strip(),
        instructions=instructions.strip(),
        frequency=frequency,
        frequency_detail=frequency_detail.strip(),
        until=until,
        demonstration=demonstration.strip(),
        assigned_by=assigned_by,
        from_session=from_session,
    )
    home_practice.full_clean()
    home_practice.save()
    audit(
        actor=assigned_by,
        action="home_practice.assign",
        target=home_practice,
        child=child,
        goal=goal.pk,
        session=from_session.pk if from_session else None,
    )
    return home_practice


@transaction.atomic
def home_practice_end(*, home_practice: HomePractice, ended_by: User) -> HomePractice:
    """The clinician ends a strategy; it stays in the record, no longer shown as current."""
    _care_team_only(ended_by, home_practice.child)
    if not home_practice.is_active:
        return home_practice
    home_practice.is_active = False
    home_practice.ended_at, home_practice.ended_by = timezone.now(), ended_by
    home_practice.save(update_fields=["is_active", "ended_at", "ended_by"])
    audit(
        actor=ended_by, action="home_practice.end", target=home_practice, child=home_practice.child
    )
    return home_practice
