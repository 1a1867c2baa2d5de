"""Writes for goals: drafting, proposing, agreeing, editing, rating and commenting.

Each service checks who may do it through practice.access, so a rule holds even if a page
forgets it: a parent cannot agree a goal, a proposal cannot activate itself.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from concurrency.exceptions import RecordModifiedError
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from practice.access import policy_for
from practice.audit import audit, saved_and_audited
from practice.models import Child, Practice, User
from practice.once import create_once
from practice.services import ensure_not_discharged

from .models import LEVEL_FIELDS, Goal, GoalChange, GoalComment, GoalRating, Milestone, Perspective

EDITABLE_FIELDS = [
    "title",
    "child_words",
    "why_it_matters",
    "domain",
    "measurement",
    "baseline",
    "baseline_level",
    *LEVEL_FIELDS.values(),
    "weight",
    "review_date",
    "private_to_child",
]


def _care_team_only(user: User, child: Child) -> None:
    child_policy = policy_for(user, child)
    if child_policy is None or not child_policy.is_care_team:
        raise PermissionDenied(_("Only a clinician on the child's care team can do this."))


def _guardian_with_goals(user: User, child: Child) -> None:
    child_policy = policy_for(user, child)
    if child_policy is None or not child_policy.is_guardian or not child_policy.goals:
        raise PermissionDenied(_("You cannot propose goals for this child."))


def _require_levels(goal: Goal) -> None:
    missing = {
        field: _("Describe this level: all five are needed before a goal is active.")
        for level, field in LEVEL_FIELDS.items()
        if not goal.level_description(level).strip()
    }
    if missing:
        raise ValidationError(missing)


def _record_change(goal: Goal, by: User, summary: str, fields: dict | None = None) -> None:
    GoalChange.objects.create(goal=goal, changed_by=by, summary=summary, fields=fields or {})


REVIEW_DATE_PAST = _lazy("Choose a review date from today onwards.")


def _check_review_date(
    review_date: datetime.date | None, today: datetime.date, before: datetime.date | None = None
) -> None:
    """A review date is chosen from today onwards. An edit that leaves an old goal's past
    review date as it was is not refused: the goal is overdue for review, which the caseload
    shows, and refusing would block fixing a typo in it."""
    if review_date is not None and review_date < today and review_date != before:
        raise ValidationError({"review_date": REVIEW_DATE_PAST})


@transaction.atomic
def goal_create(
    *,
    child: Child,
    clinician: User,
    agree: bool = True,
    once_key: uuid.UUID | None = None,
    today: datetime.date | None = None,
    **fields,
) -> Goal:
    """A clinician drafts a goal with the family; agreeing it at once makes it active. With
    `today` (a person typed it) the review date must not be in the past; seeds and imports
    may record an older goal. A second call with the same `once_key` (a double click) returns
    the goal the first one made."""
    _care_team_only(clinician, child)
    ensure_not_discharged(child)
    if today is not None:
        _check_review_date(fields.get("review_date"), today)

    def create() -> Goal:
        goal = Goal(
            child=child,
            proposer=clinician,
            proposed_by=fields.pop("proposed_by", "clinician"),
            once_key=once_key,
        )
        for name in EDITABLE_FIELDS:
            if name in fields:
                setattr(goal, name, fields[name])
        if agree:
            _require_levels(goal)
            goal.status = Goal.Status.ACTIVE
            goal.agreed_by, goal.agreed_at = clinician, timezone.now()
        goal.full_clean()
        goal.save()
        summary = _("Goal drafted") if not agree else _("Goal set and agreed")
        _record_change(goal, clinician, summary)
        audit(actor=clinician, action="goal.create", target=goal)
        return goal

    return create_once(Goal, once_key, create)[0]


@transaction.atomic
def goal_propose(
    *,
    child: Child,
    parent: User,
    title: str,
    why_it_matters: str = "",
    domain: str,
    once_key: uuid.UUID | None = None,
    **extra,
) -> Goal:
    """A parent proposes a goal from the portal; it waits for a clinician to agree it. A
    double-clicked "Send suggestion" (the same `once_key`) proposes it once."""
    _guardian_with_goals(parent, child)
    ensure_not_discharged(child)

    def create() -> Goal:
        goal = Goal(
            child=child,
            title=title,
            why_it_matters=why_it_matters,
            domain=domain,
            level_0=extra.get("level_0", ""),
            child_words=extra.get("child_words", ""),
            proposed_by=Perspective.PARENT,
            proposer=parent,
            status=Goal.Status.PROPOSED,
            once_key=once_key,
        )
        goal.full_clean()
        goal.save()
        _record_change(goal, parent, _("Proposed by a parent"))
        audit(actor=parent, action="goal.propose", target=goal)
        return goal

    return create_once(Goal, once_key, create)[0]


@transaction.atomic
def goal_agree(*, goal: Goal, clinician: User) -> Goal:
    """A clinician on the care team agrees a proposal: only then does it become active."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    _care_team_only(clinician, goal.child)
    ensure_not_discharged(goal.child)
    if goal.status != Goal.Status.PROPOSED:
        raise ValidationError(_("Only a proposed goal can be agreed."))
    _require_levels(goal)
    goal.status = Goal.Status.ACTIVE
    goal.agreed_by, goal.agreed_at = clinician, timezone.now()
    goal.save(update_fields=["status", "agreed_by", "agreed_at", "updated_at"])
    _record_change(goal, clinician, _("Agreed"), {"status": ["proposed", "active"]})
    audit(actor=clinician, action="goal.agree", target=goal)
    return goal


def _diff(goal: Goal, fields: dict) -> dict:
    changes = {}
    for name, value in fields.items():
        before = getattr(goal, name)
        if before != value:
            changes[name] = [str(before) if before is not None else "", str(value or "")]
    return changes


@dataclass(frozen=True)
class FieldDifference:
    """One field of a goal as saved by someone else and as this person typed it."""

    name: str
    label: str
    saved: str
    yours: str


def _shown(goal: Goal, name: str, value) -> str:
    field = Goal._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j M Y")
    return "" if value is None else str(value)


class GoalEditConflict(ValidationError):
    """The goal was saved by someone else after this form was opened: nothing was saved.
    Carries the goal as saved now and, field by field, where it differs from what was typed,
    so the page can show both and keep the person's own text."""

    def __init__(self, saved: Goal, typed: dict):
        super().__init__(
            _(
                "Someone else saved this goal after you opened it, so your changes were not "
                "saved. What you typed is kept below; compare it with what is saved now, "
                "then save again to keep yours."
            ),
            code="conflict",
        )
        self.saved = saved
        self.differences = [
            FieldDifference(
                name,
                str(Goal._meta.get_field(name).verbose_name),
                _shown(saved, name, getattr(saved, name)),
                _shown(saved, name, value),
            )
            for name, value in typed.items()
            if getattr(saved, name) != value
        ]
        self.last_change = saved.changes.select_related("changed_by").first()


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    clinician: User,
    version: int | None = None,
    today: datetime.date | None = None,
    **fields,
) -> Goal:
    """An edit by the care team. `version` is the goal's version when the form was shown: if
    the goal has been saved since, nothing is written and GoalEditConflict says what differs.
    A review date changed to a past day is refused (see _check_review_date)."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    _care_team_only(clinician, goal.child)
    ensure_not_discharged(goal.child)
    fields = {name: value for name, value in fields.items() if name in EDITABLE_FIELDS}
    if version is not None and version != goal.version:
        raise GoalEditConflict(goal, fields)
    if "review_date" in fields:
        today = today or Practice.get().today()
        _check_review_date(fields["review_date"], today, before=goal.review_date)
    changes = _diff(goal, fields)
    for name, value in fields.items():
        setattr(goal, name, value)
    if goal.status == Goal.Status.ACTIVE:
        _require_levels(goal)
    goal.full_clean()
    try:
        with transaction.atomic():  # a savepoint, so the goal can be read again after
            goal.save()  # a conditional UPDATE on the version read above: the lock's backstop
    except RecordModifiedError as error:
        raise GoalEditConflict(Goal.objects.get(pk=goal.pk), fields) from error
    if changes:
        _record_change(goal, clinician, _("Edited"), changes)
        audit(actor=clinician, action="goal.update", target=goal)
    return goal


ALLOWED_STATUS_CHANGES = {
    Goal.Status.ACTIVE: {Goal.Status.ACHIEVED, Goal.Status.REVISED, Goal.Status.DISCONTINUED},
    Goal.Status.PROPOSED: {Goal.Status.DISCONTINUED},
    Goal.Status.REVISED: {Goal.Status.ACTIVE, Goal.Status.DISCONTINUED},
    Goal.Status.ACHIEVED: {Goal.Status.ACTIVE},
    Goal.Status.DISCONTINUED: {Goal.Status.ACTIVE},
}


@transaction.atomic
def goal_set_status(*, goal: Goal, clinician: User, status: str) -> Goal:
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    _care_team_only(clinician, goal.child)
    ensure_not_discharged(goal.child)
    if status not in ALLOWED_STATUS_CHANGES.get(goal.status, set()):
        raise ValidationError(_("A goal cannot move from this status to that one."))
    if status == Goal.Status.ACTIVE:
        _require_levels(goal)
    previous = goal.status
    goal.status = status
    goal.save(update_fields=["status", "updated_at"])
    _record_change(goal, clinician, goal.get_status_display(), {"status": [previous, status]})
    if status == Goal.Status.ACHIEVED:
        today = Practice.get().today()
        Milestone.objects.get_or_create(
            goal=goal, kind=Milestone.Kind.ACHIEVED, defaults={"reached_on": today}
        )
    audit(actor=clinician, action="goal.status", target=goal, status=status)
    return goal


def _perspective_for(user: User, requested: str) -> str:
    if user.is_parent:
        return Perspective.PARENT
    if requested in (Perspective.CLINICIAN, Perspective.CHILD):
        return requested  # a clinician records the child's own rating in their words
    return Perspective.CLINICIAN


@transaction.atomic
def goal_rate(
    *,
    goal: Goal,
    rated_by: User,
    level: int,
    rated_on: datetime.date,
    source: str,
    perspective: str = Perspective.CLINICIAN,
    note: str = "",
    today: datetime.date,
) -> GoalRating:
    """A GAS rating. Parents rate from home; clinicians at reviews (and, later, sessions)."""
    child_policy = policy_for(rated_by, goal.child)
    if not goal.is_visible_to(child_policy):
        raise PermissionDenied(_("You cannot rate this goal."))
    if not child_policy.is_guardian and not child_policy.is_care_team:
        raise PermissionDenied(_("Only the care team and the family rate goals."))
    ensure_not_discharged(goal.child)
    if goal.status != Goal.Status.ACTIVE:
        raise ValidationError(_("Only an active goal can be rated."))
    if rated_on > today:
        raise ValidationError({"rated_on": _("The date cannot be in the future.")})
    rating = GoalRating(
        goal=goal,
        level=level,
        rated_on=rated_on,
        source=GoalRating.Source.HOME if child_policy.is_guardian else source,
        perspective=_perspective_for(rated_by, perspective),
        rated_by=rated_by,
        note=note,
    )
    rating.full_clean()
    rating.save()
    if rating.perspective == Perspective.CLINICIAN and rating.level >= 0:
        Milestone.objects.get_or_create(
            goal=goal,
            kind=Milestone.Kind.EXPECTED_REACHED,
            defaults={"reached_on": rated_on, "rating": rating},
        )
    audit(actor=rated_by, action="goal.rate", target=rating, child=goal.child)
    return rating


@transaction.atomic
def goal_comment(*, goal: Goal, author: User, text: str) -> GoalComment:
    child_policy = policy_for(author, goal.child)
    if not goal.is_visible_to(child_policy):
        raise PermissionDenied(_("You cannot comment on this goal."))
    if not child_policy.is_guardian and not child_policy.is_care_team:
        raise PermissionDenied(_("Only the care team and the family comment on goals."))
    ensure_not_discharged(goal.child)
    comment = GoalComment(goal=goal, author=author, text=text.strip())
    return saved_and_audited(comment, actor=author, action="goal.comment", child=goal.child)
