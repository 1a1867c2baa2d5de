"""Reads for the engagement agreement: the care team's card (who agreed to which version) and
the portal's card (the current version, until this guardian has agreed to it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from practice.access import ChildPolicy
from practice.models import Child, Guardianship, User

from .models import EngagementAcknowledgement, EngagementAgreement
from .services import reply_time_business_days


@dataclass
class AgreementCard:
    current: EngagementAgreement | None
    versions: list[EngagementAgreement] = field(default_factory=list)
    not_agreed_by: list[User] = field(default_factory=list)
    reply_days: int | None = None  # the communication policy's, not the version's copy


def engagement_agreement_card(
    child_policy: ChildPolicy | None, child: Child, guardianships: list[Guardianship]
) -> AgreementCard | None:
    """For staff on the child page: every version with who agreed and when, and which guardians
    (access full or limited) have not agreed to the current one. Not for guardians."""
    if child_policy is None or child_policy.is_guardian or not child_policy.record:
        return None
    acknowledgements = EngagementAcknowledgement.objects.select_related("guardian")
    versions = list(
        child.engagement_agreements.select_related("recorded_by")
        .prefetch_related(Prefetch("acknowledgements", queryset=acknowledgements))
        .order_by("-version")
    )
    if not versions:
        return AgreementCard(None)
    current = versions[0]
    agreed = {ack.guardian_id for ack in current.acknowledgements.all()}
    waiting = [
        g.guardian
        for g in guardianships
        if g.access != Guardianship.Access.NONE and g.guardian_id not in agreed
    ]
    return AgreementCard(current, versions, waiting, reply_time_business_days())


@dataclass(frozen=True)
class FamilyAgreement:
    agreement: EngagementAgreement
    agreed: bool
    reply_days: int  # the communication policy's, as on every message form


def engagement_agreement_for_family(
    child_policy: ChildPolicy | None, child: Child, user: User
) -> FamilyAgreement | None:
    """The current version for a guardian who may see the child (row `record`), and whether
    they have agreed to it."""
    if child_policy is None or not child_policy.is_guardian or not child_policy.record:
        return None
    current = child.engagement_agreements.order_by("-version").first()
    if current is None:
        return None
    agreed = current.acknowledgements.filter(guardian=user).exists()
    return FamilyAgreement(current, agreed, reply_time_business_days())
