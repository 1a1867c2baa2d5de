"""A family cancels an upcoming session or asks to move it; the care team answers.

Missed sessions are expected: cancelling needs no notice period and carries no penalty. The
question of what got in the way is gentle and optional in what it asks for; its answer becomes a
Barrier reported by the family (status only comes back to them).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practice.access import ChildPolicy, policy_for, policy_to_write
from practice.audit import audit, saved_and_audited
from practice.models import User

from ..barriers.models import Barrier
from ..barriers.services import barrier_record
from ..visits.models import SessionLog
from ..visits.services import session_reschedule
from .models import RescheduleRequest


def _guardian_policy(user: User, session: SessionLog) -> ChildPolicy:
    child_policy = policy_for(user, session.child)
    if child_policy is None or not child_policy.is_guardian or not child_policy.record:
        raise PermissionDenied(_("Only the child's family can do this."))
    return child_policy


def _upcoming(session: SessionLog, now: datetime.datetime) -> SessionLog:
    session = SessionLog.objects.select_for_update().select_related("child").get(pk=session.pk)
    if (
        session.is_signed
        or session.status != SessionLog.Status.SCHEDULED
        or session.scheduled_start < now
    ):
        raise ValidationError(_("This session is no longer upcoming."))
    return session


@transaction.atomic
def session_cancel_by_family(
    *,
    session: SessionLog,
    guardian: User,
    kind: str,
    note: str = "",
    now: datetime.datetime,
    request=None,
) -> Barrier:
    """Mark the session cancelled by the family and record what got in the way. The family's
    own words go on the session (the care team reads them); the barrier's notes stay the
    clinician's."""
    _guardian_policy(guardian, session)
    session = _upcoming(session, now)
    session.status = SessionLog.Status.CANCELLED_FAMILY
    session.cancellation_note = note.strip()[:300]
    session.full_clean()
    # With its version: a log form opened before the cancellation cannot overwrite it.
    session.save(update_fields=["status", "cancellation_note", "version", "updated_at"])
    audit(
        actor=guardian,
        action="session.cancel_by_family",
        target=session,
        request=request,
    )
    return barrier_record(
        child=session.child, by=guardian, kind=kind, session=session, request=request
    )


@transaction.atomic
def reschedule_request_create(
    *,
    session: SessionLog,
    guardian: User,
    preferred_times: str,
    now: datetime.datetime,
    request=None,
) -> RescheduleRequest:
    _guardian_policy(guardian, session)
    session = _upcoming(session, now)
    if RescheduleRequest.objects.filter(
        session=session, guardian=guardian, status=RescheduleRequest.Status.OPEN
    ).exists():
        raise ValidationError(_("You have already asked to move this session."))
    reschedule_request = RescheduleRequest(
        session=session, guardian=guardian, preferred_times=preferred_times.strip()
    )
    return saved_and_audited(
        reschedule_request,
        actor=guardian,
        action="reschedule_request.create",
        child=session.child,
        request=request,
    )


@transaction.atomic
def reschedule_request_answer(
    *,
    reschedule_request: RescheduleRequest,
    by: User,
    status: str,
    answer: str,
    new_start: datetime.datetime | None = None,
    now: datetime.datetime,
    book_anyway: bool = False,
    request=None,
) -> RescheduleRequest:
    """Answer (with, optionally, the new time: the one-step reschedule, which refuses a clash
    unless `book_anyway`) or decline."""
    reschedule_request = RescheduleRequest.objects.select_for_update().get(pk=reschedule_request.pk)
    session = reschedule_request.session
    policy_to_write(by, session.child)
    if reschedule_request.status != RescheduleRequest.Status.OPEN:
        raise ValidationError(_("This request has already been answered."))
    if status not in (RescheduleRequest.Status.ANSWERED, RescheduleRequest.Status.DECLINED):
        raise ValidationError({"status": _("Choose an answer.")})
    if new_start is not None:
        if status == RescheduleRequest.Status.DECLINED:
            raise ValidationError({"start_date": _("A declined request keeps its time.")})
        session_reschedule(
            session=session, by=by, start=new_start, now=now, book_anyway=book_anyway
        )
    reschedule_request.status = status
    reschedule_request.answer = answer.strip()
    reschedule_request.answered_by, reschedule_request.answered_at = by, timezone.now()
    return saved_and_audited(
        reschedule_request,
        actor=by,
        action="reschedule_request.answer",
        child=session.child,
        request=request,
        status=status,
        moved=new_start is not None,
    )
