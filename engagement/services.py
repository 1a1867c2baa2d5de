"""Flows that span layers. Reassigning a leaving clinician's caseload lives here because later
issues add sessions and message threads to what moves."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from practice.auditlog.services import audit
from practice.models import CareTeamMembership, User
from practice.services import staff_deactivate


@transaction.atomic
def caseload_reassign(
    *, from_clinician: User, to_clinician: User, reassigned_by: User, ip_address: str | None = None
) -> int:
    """Move every care-team place of one clinician to another, keeping who is primary."""
    if from_clinician == to_clinician:
        raise ValidationError(_("Choose a different clinician to take over the caseload."))
    if not to_clinician.is_clinician or not to_clinician.is_active:
        raise ValidationError(_("The caseload can only go to an active clinician."))
    moved = 0
    for membership in (
        CareTeamMembership.objects.select_for_update()
        .filter(clinician=from_clinician)
        .select_related("child")
    ):
        existing = CareTeamMembership.objects.filter(
            child=membership.child, clinician=to_clinician
        ).first()
        if existing is not None:
            membership.delete()
            if membership.is_primary:
                existing.is_primary = True
                existing.save(update_fields=["is_primary"])
        else:
            membership.clinician = to_clinician
            membership.save(update_fields=["clinician"])
        audit(
            actor=reassigned_by,
            action="caseload.reassign",
            target=membership.child,
            child=membership.child,
            ip_address=ip_address,
            from_clinician=from_clinician.pk,
            to_clinician=to_clinician.pk,
        )
        moved += 1
    return moved


@transaction.atomic
def clinician_leave(
    *, clinician: User, successor: User, by: User, ip_address: str | None = None
) -> int:
    """A clinician leaves: their caseload goes to the successor, then they are deactivated."""
    moved = caseload_reassign(
        from_clinician=clinician, to_clinician=successor, reassigned_by=by, ip_address=ip_address
    )
    staff_deactivate(user=clinician, deactivated_by=by, ip_address=ip_address)
    return moved
