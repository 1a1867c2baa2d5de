"""Recording a safety concern, and the disclosure to the family it makes at once."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..access import ChildPolicy, policy_to_write
from ..auditlog.services import audit
from ..fragments import touch_children
from ..models import Child, NotToBeTold, SafetyConcern, User
from ..once import create_once
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
    once_key: uuid.UUID | None = None,
    ip_address: str | None = None,
    now=None,
) -> SafetyConcern:
    """Record the concern; every guardian with access, except those not to be told, is told now.

    The portal shows the statement from the commit on; each guardian told is one disclosure in
    the audit, and gets an email at once, whatever the hour, that carries neither the record
    nor the statement (practice/safety/notices.py). The emails commit with the concern and the
    outbox sends them after the commit.

    The care team records it, and so may an emergency reader (the one write break-the-glass
    allows; its events are marked so). A discharged record takes one too: a disclosure made
    after discharge must still be recorded and told to the family.
    """
    child_policy = policy_to_write(recorded_by, child, right="safety")
    _validate_not_told(child, not_to_be_told, not_told_reason)
    concern = SafetyConcern(
        child=child,
        recorded_by=recorded_by,
        kind=kind,
        clinical_record=clinical_record.strip(),
        family_statement=family_statement.strip(),
        once_key=once_key,
        **({"recorded_at": now} if now else {}),
    )
    concern.full_clean(validate_unique=False)

    def create() -> SafetyConcern:
        concern.save()
        _not_told_and_told(concern, child_policy, not_to_be_told, not_told_reason, ip_address, now)
        return concern

    # A second submit of the same form returns the first concern: one record, one set of emails.
    return create_once(SafetyConcern, once_key, create)[0]


def _not_told_and_told(
    concern: SafetyConcern,
    child_policy: ChildPolicy,
    not_to_be_told: Sequence[User],
    reason: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> None:
    NotToBeTold.objects.bulk_create(
        NotToBeTold(concern=concern, guardian=guardian, reason=reason.strip())
        for guardian in not_to_be_told
    )
    touch_children([concern.child_id])  # bulk_create sends no signal
    told = guardianships_to_tell(concern)
    # Recorded under break-the-glass: marked so on every event, for whoever reviews the log.
    emergency = {"break_glass": True} if child_policy.is_emergency else {}
    # No clinical text in the audit: who was told, never what or why.
    audit(
        actor=concern.recorded_by,
        action="safety.record",
        target=concern,
        ip_address=ip_address,
        told=len(told),
        not_told=len(not_to_be_told),
        **emergency,
    )
    for guardianship in told:
        audit(
            actor=concern.recorded_by,
            action="safety.disclose",
            target=concern,
            ip_address=ip_address,
            guardian=guardianship.guardian_id,
            access=guardianship.access,
            channel="portal",
            **emergency,
        )
    safety_notices_queue(concern=concern, guardianships=told, now=now, ip_address=ip_address)


def _validate_not_told(child: Child, guardians: Sequence[User], reason: str) -> None:
    if not guardians:
        return
    if not reason.strip():
        raise ValidationError({"not_told_reason": _("Say why these guardians are not to be told.")})
    theirs = set(child.guardianships.values_list("guardian_id", flat=True))
    if any(guardian.pk not in theirs for guardian in guardians):
        raise ValidationError({"not_to_be_told": _("Only this child's guardians can be left out.")})
