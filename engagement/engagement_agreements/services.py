"""Writes for the engagement agreement: the care team records a version; a guardian agrees."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from practice.access import policy_for
from practice.audit import audit, saved_and_audited
from practice.models import Child, Practice, User
from practice.policy.services import communication_policy_for
from practice.services import ensure_not_discharged

from .models import EngagementAcknowledgement, EngagementAgreement


def agreement_defaults(child: Child) -> dict:
    """A new version starts from the one before it; the first from the practice's policy.
    The reply time is not a choice of the agreement: it is always the policy's (below)."""
    latest = child.engagement_agreements.order_by("-version").first()
    if latest is not None:
        return {
            "parent_sessions": latest.parent_sessions,
            "parent_role": latest.parent_role,
            "channels": latest.channels,
            "communication_guidance": latest.communication_guidance,
        }
    communication = communication_policy_for(Practice.get())
    return {
        "channels": list(communication.allowed_channels or ["portal", "email"]),
        "communication_guidance": str(communication.portal_guidance),
    }


def reply_time_business_days() -> int:
    """What the agreement promises about replies is the practice's CommunicationPolicy, the
    same number every message form shows and the caseload measures against; an agreement
    recorded under an older policy shows the current one (and keeps what it said then)."""
    return communication_policy_for(Practice.get()).response_time_business_days


@transaction.atomic
def engagement_agreement_record(
    *,
    child: Child,
    by: User,
    parent_sessions: str,
    parent_role: str,
    channels: list[str],
    communication_guidance: str,
    request=None,
) -> EngagementAgreement:
    """A new version; every guardian is asked to agree to it again. Its reply time is the
    communication policy's at this moment."""
    child_policy = policy_for(by, child)
    if child_policy is None or not child_policy.is_care_team:
        raise PermissionDenied(_("Only a clinician on the child's care team can do this."))
    ensure_not_discharged(child)
    Child.objects.select_for_update().filter(pk=child.pk).first()  # one version at a time
    latest = child.engagement_agreements.aggregate(latest=Max("version"))["latest"] or 0
    agreement = EngagementAgreement(
        child=child,
        version=latest + 1,
        parent_sessions=parent_sessions,
        parent_role=parent_role.strip(),
        response_time_business_days=reply_time_business_days(),
        channels=list(channels),
        communication_guidance=communication_guidance.strip(),
        recorded_by=by,
    )
    return saved_and_audited(
        agreement,
        actor=by,
        action="engagement_agreement.record",
        request=request,
        version=agreement.version,
    )


@transaction.atomic
def engagement_agreement_acknowledge(
    *, agreement: EngagementAgreement, guardian: User, request=None
) -> EngagementAcknowledgement:
    """A guardian who may see the child agrees to the current version (once per version)."""
    child_policy = policy_for(guardian, agreement.child)
    if child_policy is None or not child_policy.is_guardian:
        raise PermissionDenied(_("Only the child's guardians can agree to this."))
    latest = agreement.child.engagement_agreements.order_by("-version").first()
    if latest is None or latest.pk != agreement.pk:
        raise ValidationError(_("This agreement has been updated: please read the new version."))
    existing = agreement.acknowledgements.filter(guardian=guardian).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            acknowledgement = EngagementAcknowledgement.objects.create(
                agreement=agreement, guardian=guardian
            )
    except IntegrityError:  # a double click: the first one counts
        return agreement.acknowledgements.get(guardian=guardian)
    audit(
        actor=guardian,
        action="engagement_agreement.acknowledge",
        target=agreement,
        request=request,
        version=agreement.version,
    )
    return acknowledgement
