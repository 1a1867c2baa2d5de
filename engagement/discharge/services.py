"""Writes for the course of therapy: moving a child between stages, and discharge.

Discharge writes the family's summary, closes the episode (Child.discharged_on, stage
Termination), cancels what is still booked and leaves the record read-only: every service that
adds to it calls practice.services.ensure_not_discharged. Updates stop: the email issue reads
Child.is_discharged.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from practice.access import policy_to_write
from practice.auditlog.services import audit, saved_and_audited
from practice.fragments import touch_children
from practice.models import Child, Stage, User
from practice.services import ensure_not_discharged

from ..visits.models import SessionLog
from .models import DischargeSummary, StageChange


def _care_team_only(user: User, child: Child) -> None:
    policy_to_write(user, child, right="clinical")


def _locked(child: Child) -> Child:
    return Child.objects.select_for_update().get(pk=child.pk)


TERMINATION_THROUGH_DISCHARGE = _lazy(
    "Termination is reached only through discharge, which writes the family's summary and "
    "closes the episode: use “Discharge” on the child's page."
)


@transaction.atomic
def stage_change(
    *,
    child: Child,
    to_stage: str,
    changed_by: User,
    family_note: str = "",
    ip_address: str | None = None,
) -> StageChange:
    """Move the child to another stage (forwards or back), recorded and told to the family."""
    _care_team_only(changed_by, child)
    child = _locked(child)
    ensure_not_discharged(child)
    if to_stage == Stage.TERMINATION:
        raise ValidationError({"to_stage": TERMINATION_THROUGH_DISCHARGE})
    if to_stage == child.stage:
        raise ValidationError(
            {"to_stage": _("%(child)s is already at this stage.") % {"child": child}}
        )
    change = StageChange(
        child=child,
        from_stage=child.stage,
        to_stage=to_stage,
        changed_by=changed_by,
        family_note=family_note.strip(),
    )
    saved_and_audited(
        change,
        actor=changed_by,
        action="child.stage_change",
        ip_address=ip_address,
        from_stage=change.from_stage,
        to_stage=to_stage,
    )
    child.stage = to_stage
    child.save(update_fields=["stage"])
    return change


def open_logs(child: Child, now: datetime.datetime) -> int:
    """Past sessions still to log or sign: they would stay open forever once the record is
    read-only. A session the clinician cancelled (or moved) has nothing to log."""
    return (
        SessionLog.objects.filter(child=child, scheduled_start__lt=now, signed_at__isnull=True)
        .exclude(status=SessionLog.Status.CANCELLED_CLINICIAN)
        .count()
    )


def _cancel_booked(child: Child, now: datetime.datetime) -> int:
    booked = SessionLog.objects.filter(
        child=child, status=SessionLog.Status.SCHEDULED, scheduled_start__gte=now
    )
    cancelled = booked.update(
        status=SessionLog.Status.CANCELLED_CLINICIAN, cancellation_note="Discharged"
    )
    touch_children([child.pk])
    return cancelled


@transaction.atomic
def child_discharge(
    *,
    child: Child,
    discharged_by: User,
    goals_achieved: str,
    keep_practising: str,
    coming_back: str,
    today: datetime.date,
    now: datetime.datetime,
    ip_address: str | None = None,
) -> DischargeSummary:
    """Close the episode with a plain-language summary for the family."""
    _care_team_only(discharged_by, child)
    child = _locked(child)
    ensure_not_discharged(child)
    still_open = open_logs(child, now)
    if still_open:
        raise ValidationError(
            ngettext(
                "Log and sign the %(count)d past session still open before discharge: "
                "afterwards the record is read-only.",
                "Log and sign the %(count)d past sessions still open before discharge: "
                "afterwards the record is read-only.",
                still_open,
            )
            % {"count": still_open}
        )
    summary = DischargeSummary(
        child=child,
        goals_achieved=goals_achieved.strip(),
        keep_practising=keep_practising.strip(),
        coming_back=coming_back.strip(),
        written_by=discharged_by,
    )
    summary.full_clean()
    summary.save()
    if child.stage != Stage.TERMINATION:
        StageChange.objects.create(
            child=child,
            from_stage=child.stage,
            to_stage=Stage.TERMINATION,
            changed_by=discharged_by,
        )
    cancelled = _cancel_booked(child, now)
    child.stage, child.discharged_on = Stage.TERMINATION, today
    child.save(update_fields=["stage", "discharged_on"])
    audit(
        actor=discharged_by,
        action="child.discharge",
        target=summary,
        ip_address=ip_address,
        cancelled_sessions=cancelled,
    )
    return summary
