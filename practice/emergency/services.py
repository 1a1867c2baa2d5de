"""Opening a record in an emergency: a reason, a time limit, an audit event."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit
from ..models import BreakGlassGrant, CareTeamMembership, Child, User

MIN_REASON_CHARACTERS = 20
MIN_REASON_WORDS = 4


def validate_reason(reason: str) -> str:
    """At least a sentence: an emergency access has to say why, for whoever reviews it."""
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_CHARACTERS or len(reason.split(" ")) < MIN_REASON_WORDS:
        raise ValidationError(
            {"reason": _("Give the reason in at least a sentence: what the emergency is.")}
        )
    return reason


@transaction.atomic
def break_glass_open(
    *,
    clinician: User,
    child: Child,
    reason: str,
    now: datetime.datetime | None = None,
    request=None,
) -> BreakGlassGrant:
    """Read access to the child's record as the care team has it, for BREAK_GLASS_MINUTES."""
    if not clinician.is_clinician or not clinician.is_active:
        raise ValidationError(_("Only clinicians can open a record in an emergency."))
    if CareTeamMembership.objects.filter(child=child, clinician=clinician).exists():
        raise ValidationError(_("You are on this child's care team: open the record directly."))
    reason = validate_reason(reason)
    now = now or timezone.now()
    minutes = settings.BREAK_GLASS_MINUTES
    grant = BreakGlassGrant.objects.create(
        clinician=clinician,
        child=child,
        reason=reason,
        granted_at=now,
        expires_at=now + datetime.timedelta(minutes=minutes),
    )
    audit(
        actor=clinician,
        action="break_glass",
        target=grant,
        request=request,
        reason=reason,
        minutes=minutes,
        expires_at=grant.expires_at.isoformat(),
    )
    return grant
