"""Writes for barriers: the care team records and follows them up; a family cancellation asks
for the barrier behind it. A guardian may report one (status only comes back to them)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from practice.access import ChildPolicy, policy_for, policy_to_write
from practice.audit import saved_and_audited
from practice.models import Child, User
from practice.services import ensure_not_discharged

from ..visits.models import SessionLog
from .models import Barrier


def _policy(user: User, child: Child) -> ChildPolicy:
    """A guardian reports their own barrier; otherwise it is the care team's clinical write
    (an emergency reader's or the office's policy refuses it)."""
    child_policy = policy_for(user, child)
    if child_policy is not None and child_policy.is_guardian and child_policy.own_items:
        return child_policy
    return policy_to_write(user, child, right="clinical")


def _check_family_report(child_policy: ChildPolicy, reporter_role: str, notes: str, actions: str):
    """A guardian reports for themselves; the notes and actions are the clinician's side."""
    if child_policy.is_guardian and (
        reporter_role != Barrier.ReporterRole.FAMILY or notes or actions
    ):
        raise PermissionDenied(_("Notes and actions on a barrier are the care team's."))


@transaction.atomic
def barrier_record(
    *,
    child: Child,
    by: User,
    kind: str,
    reporter_role: str = Barrier.ReporterRole.FAMILY,
    status: str = Barrier.Status.OPEN,
    notes: str = "",
    actions_taken: str = "",
    session: SessionLog | None = None,
    request=None,
) -> Barrier:
    child_policy = _policy(by, child)
    ensure_not_discharged(child)
    _check_family_report(child_policy, reporter_role, notes.strip(), actions_taken.strip())
    if session is not None and session.child_id != child.pk:
        raise ValidationError(_("That session is not this child's."))
    barrier = Barrier(
        child=child,
        kind=kind,
        reported_by=by,
        reporter_role=reporter_role,
        status=status if child_policy.is_care_team else Barrier.Status.OPEN,
        notes=notes.strip(),
        actions_taken=actions_taken.strip(),
        session=session,
    )
    return saved_and_audited(
        barrier,
        actor=by,
        action="barrier.record",
        request=request,
        kind=kind,
        reporter_role=reporter_role,
    )


@transaction.atomic
def barrier_update(
    *,
    barrier: Barrier,
    by: User,
    kind: str,
    reporter_role: str,
    status: str,
    notes: str,
    actions_taken: str,
    request=None,
) -> Barrier:
    """The care team follows a barrier up: what it is, its status, notes and what was done."""
    policy_to_write(by, barrier.child, right="clinical")
    ensure_not_discharged(barrier.child)
    before = barrier.status
    barrier.kind, barrier.reporter_role, barrier.status = kind, reporter_role, status
    barrier.notes, barrier.actions_taken = notes.strip(), actions_taken.strip()
    return saved_and_audited(
        barrier,
        actor=by,
        action="barrier.update",
        request=request,
        status_from=before,
        status_to=status,
    )


def barrier_from_family_cancellation(
    *, session: SessionLog, by: User, kind: str, note: str = "", request=None
) -> Barrier:
    """What got in the way of a session the family cancelled, as they told the clinician."""
    if session.status != SessionLog.Status.CANCELLED_FAMILY:
        raise ValidationError(_("This session was not cancelled by the family."))
    return barrier_record(
        child=session.child,
        by=by,
        kind=kind,
        reporter_role=Barrier.ReporterRole.FAMILY,
        notes=note,
        session=session,
        request=request,
    )
