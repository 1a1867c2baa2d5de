"""Writes for home practice: the care team assigns a strategy and ends it; a guardian checks in."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import Goal
from practice.access import policy_for
from practice.audit import audit, saved_and_audited
from practice.models import Child, User

from ..visits.models import SessionLog
from .models import CheckIn, HomePractice
from .selectors import current_home_practice

GOAL_ERROR = gettext_lazy("Choose one of this child's active goals.")
PAST_ERROR = gettext_lazy("The end date cannot be in the past.")
# A strategy usually runs until the next review of how it went: four weeks unless set otherwise.
DEFAULT_LENGTH = datetime.timedelta(weeks=4)


def _care_team_only(user: User, child: Child) -> None:
    child_policy = policy_for(user, child)
    if child_policy is None or not child_policy.is_care_team:
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
    return saved_and_audited(
        home_practice,
        actor=assigned_by,
        action="home_practice.assign",
        goal=goal.pk,
        session=from_session.pk if from_session else None,
    )


@transaction.atomic
def home_practice_end(*, home_practice: HomePractice, ended_by: User) -> HomePractice:
    """The clinician ends a strategy; it stays in the record, no longer shown as current."""
    _care_team_only(ended_by, home_practice.child)
    if not home_practice.is_active:
        return home_practice
    home_practice.is_active = False
    home_practice.ended_at, home_practice.ended_by = timezone.now(), ended_by
    home_practice.save(update_fields=["is_active", "ended_at", "ended_by"])
    audit(actor=ended_by, action="home_practice.end", target=home_practice)
    return home_practice


FUTURE_ERROR = gettext_lazy("You can check in for today or an earlier day, not a future one.")
NOT_THIS_CHILD = gettext_lazy("That home practice is not one of this child's current strategies.")


def _check_in_allowed(guardian: User, child: Child, home_practice: HomePractice, today) -> None:
    child_policy = policy_for(guardian, child)
    if child_policy is None or not child_policy.is_guardian or not child_policy.home_practice:
        raise PermissionDenied(_("You cannot check in on home practice for this child."))
    visible = {item.pk for item in current_home_practice(child_policy, child, today)}
    if home_practice.child_id != child.pk or home_practice.pk not in visible:
        raise ValidationError(NOT_THIS_CHILD)


@transaction.atomic
def check_in_record(
    *,
    home_practice: HomePractice,
    child: Child,
    guardian: User,
    done: bool,
    today: datetime.date,
    for_date: datetime.date | None = None,
    how_it_went: int | None = None,
    difficulty: str = "",
    note: str = "",
) -> tuple[CheckIn, bool]:
    """A guardian's check-in for one day (today unless said). A second check-in by the same
    guardian for the same day replaces the first one's answers: the one-tap button and the
    fuller form that may follow it are the same check-in. Returns it and whether it is new."""
    _check_in_allowed(guardian, child, home_practice, today)
    for_date = for_date or today
    if for_date > today:
        raise ValidationError({"for_date": FUTURE_ERROR})
    if for_date < home_practice.assigned_at.date() - datetime.timedelta(days=1):
        raise ValidationError({"for_date": _("That day is before this practice was set.")})
    answers = {"done": done, "how_it_went": how_it_went, "difficulty": difficulty}
    check_in, created = CheckIn.objects.select_for_update().get_or_create(
        home_practice=home_practice, guardian=guardian, for_date=for_date, defaults=answers
    )
    for name, value in {**answers, "note": note.strip()}.items():
        setattr(check_in, name, value)
    saved_and_audited(
        check_in,
        actor=guardian,
        action="home_practice.check_in" if created else "home_practice.check_in_replace",
        child=child,
        home_practice=home_practice.pk,
        done=done,
    )
    return check_in, created
