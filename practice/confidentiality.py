"""The confidentiality agreement's workflow (DESIGN.md: ConfidentialityAgreement).

Guardians acknowledge each version in the portal; the practice's default by age is proposed to
the care team when a child is added without an agreement, and again when the child turns the
practice's threshold age while a more open level is still in force. Every date is passed in
(`today`), so the prompts are pure functions of it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import current_agreement, policy_for
from .audit import audit
from .models import (
    Child,
    ConfidentialityAcknowledgement,
    ConfidentialityAgreement,
    Practice,
    SharingLevel,
    User,
)

# How much each level shares with the family: a review is due only when the level in force
# shares more than the practice's default for older children.
OPENNESS = {SharingLevel.SAFETY_ONLY: 0, SharingLevel.PROGRESS: 1, SharingLevel.FULL: 2}


@dataclass(frozen=True)
class AgreementPrompt:
    """What the care team is asked to do about a child's agreement."""

    kind: str  # "record": no agreement yet; "review": the child turned the threshold age
    age: int
    level: str  # the practice's default to propose

    @property
    def is_review(self) -> bool:
        return self.kind == "review"


def birthday(born: datetime.date, age: int) -> datetime.date:
    """The day a child born on `born` turns `age` (born 29 February: 1 March in other years,
    as Child.age_on counts it)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return datetime.date(born.year + age, 3, 1)


def _agreements(child: Child) -> list[ConfidentialityAgreement]:
    prefetched = getattr(child, "agreements_in_effect", None)
    if prefetched is not None:
        return list(prefetched)
    return list(child.confidentiality_agreements.all())


def _intake_date(child: Child, practice: Practice) -> datetime.date:
    return timezone.localtime(child.created_at, practice.tz).date()


def agreement_prompt(
    child: Child, practice: Practice, today: datetime.date
) -> AgreementPrompt | None:
    """Record an agreement (none yet), review it (the child turned the threshold age since the
    latest agreement, or since intake, and the level in force shares more than the older-child
    default), or nothing. Uses the prefetch of `with_policy_data` when there is one."""
    if child.is_discharged:
        return None
    agreements = _agreements(child)
    threshold = practice.sharing_age_threshold
    turned = birthday(child.date_of_birth, threshold)
    since = max((a.effective_date for a in agreements), default=_intake_date(child, practice))
    if since < turned <= today:
        agreement = current_agreement(child, today)
        # With no agreement the family has been seeing the default for the age at intake.
        level = (
            agreement.sharing_level
            if agreement
            else practice.default_sharing_level_for_age(child.age_on(since))
        )
        older = practice.default_sharing_level_from_threshold
        if OPENNESS[level] > OPENNESS[older]:
            return AgreementPrompt("review", threshold, older)
    if not agreements:
        age = child.age_on(today)
        return AgreementPrompt("record", age, practice.default_sharing_level_for_age(age))
    return None


def agreements_to_acknowledge(
    guardian: User, children: Iterable[Child], today: datetime.date
) -> dict[int, ConfidentialityAgreement]:
    """Per child, the agreement in force if this guardian has not yet read that version.

    `children` are the guardian's own portal children (access full or limited); one query for
    all of them."""
    current = {child.pk: current_agreement(child, today) for child in children}
    current = {pk: agreement for pk, agreement in current.items() if agreement is not None}
    if not current:
        return {}
    read = set(
        ConfidentialityAcknowledgement.objects.filter(
            guardian=guardian, agreement__in=[a.pk for a in current.values()]
        ).values_list("agreement_id", flat=True)
    )
    return {pk: agreement for pk, agreement in current.items() if agreement.pk not in read}


@transaction.atomic
def agreement_acknowledge(
    *, agreement: ConfidentialityAgreement, guardian: User, today: datetime.date, request=None
) -> ConfidentialityAcknowledgement:
    """A guardian with portal access has read the agreement in force (idempotent)."""
    child = agreement.child
    child_policy = policy_for(guardian, child, today=today)
    if child_policy is None or not child_policy.is_guardian:
        raise PermissionDenied(_("Only the child's guardians acknowledge the agreement."))
    in_force = current_agreement(child, today)
    if in_force is None or in_force.pk != agreement.pk:
        raise ValidationError(_("This version has been replaced: read the current one."))
    acknowledgement, created = ConfidentialityAcknowledgement.objects.get_or_create(
        agreement=agreement, guardian=guardian
    )
    if created:
        audit(
            actor=guardian,
            action="confidentiality.acknowledge",
            target=agreement,
            child=child,
            request=request,
            version=agreement.version,
        )
    return acknowledgement
