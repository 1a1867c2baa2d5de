"""Recording a safety concern, and the disclosure to the family it makes at once."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..access import policy_for
from ..audit import audit
from ..models import Child, NotToBeTold, SafetyConcern, User
from .notices import safety_notices_queue
from .selectors import guardianships_to_tell


@transaction.atomic
def safety_concern_record(
    *,
    child: Child,
    recorded_by: User,
    kind: str,
    clinical_record: str,
    family_statement: str,
    not_to_be_told: Sequence[User] = (),
    not_told_reason: str = "",
    request=None,
    now=None,
) -> SafetyConcern:
    """Record the concern; every guardian with access, except those not to be told, is told now.

    The portal shows the statement from the commit on; each guardian told is one disclosure in
    the audit, and gets an email at once, whatever the hour, that carries neither the record
    nor the statement (practice/safety/notices.py). The emails commit with the concern and the
    outbox sends them after the commit.
    """
    policy = policy_for(recorded_by, child)
    if policy is None or not policy.is_care_team:
        raise ValidationError(_("Only the child's care team can record a safety concern."))
    _validate_not_told(child, not_to_be_told, not_told_reason)
    concern = SafetyConcern(
        child=child,
        recorded_by=recorded_by,
        kind=kind,
        clinical_record=clinical_record.strip(),
        family_statement=family_statement.strip(),
        **({"recorded_at": now} if now else {}),
    )
    concern.full_clean()
    concern.save()
    NotToBeTold.objects.bulk_create(
        NotToBeTold(concern=concern, guardian=guardian, reason=not_told_reason.strip())
        for guardian in not_to_be_told
    )
    told = guardianships_to_tell(concern)
    # No clinical text in the audit: who was told, never what or why.
    audit(
        actor=recorded_by,
        action="safety.record",
        target=concern,
        child=child,
        request=request,
        told=len(told),
        not_told=len(not_to_be_told),
    )
    for guardianship in told:
        audit(
            actor=recorded_by,
            action="safety.disclose",
            target=concern,
            child=child,
            request=request,
            guardian=guardianship.guardian_id,
            access=guardianship.access,
            channel="portal",
        )
    safety_notices_queue(concern=concern, guardianships=told, now=now, request=request)
    return concern


def _validate_not_told(child: Child, guardians: Sequence[User], reason: str) -> None:
    if not guardians:
        return
    if not reason.strip():
        raise ValidationError({"not_told_reason": _("Say why these guardians are not to be told.")})
    theirs = set(child.guardianships.values_list("guardian_id", flat=True))
    if any(guardian.pk not in theirs for guardian in guardians):
        raise ValidationError({"not_to_be_told": _("Only this child's guardians can be left out.")})
