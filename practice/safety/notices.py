"""The email that tells a guardian of a safety concern: at once, whatever the hour.

It carries neither the clinical record nor the family's statement, not even the child's name
(an inbox may be shared, or read by the person the concern is about): only that there is an
important message in the portal, the link, how to reach the practice, and the emergency
notice. The statement itself is read in the portal, behind the sign-in.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..audit import audit
from ..models import CommunicationPolicy, Guardianship, OutgoingEmail, Practice, SafetyConcern
from ..outbox.services import email_queue


def safety_notice_key(concern: SafetyConcern, guardian_id: int) -> str:
    return f"safety:{concern.pk}:{guardian_id}"


def safety_notices_queue(
    *,
    concern: SafetyConcern,
    guardianships: Iterable[Guardianship],
    now: datetime.datetime | None = None,
    request=None,
) -> list[OutgoingEmail]:
    """One notice per guardian told (the caller passes guardianships_to_tell), due now.

    Quiet hours and a parent's own times do not hold it back: a safety concern is told at once.
    Each notice is audited (who and which outbox row, never what)."""
    now = now or timezone.now()
    practice = Practice.get()
    communication, _created = CommunicationPolicy.objects.get_or_create(practice=practice)
    context = {
        "practice": practice,
        "portal_url": settings.SITE_URL + reverse("portal_home"),
        "emergency_notice": communication.emergency_notice,
    }
    emails = []
    for guardianship in guardianships:
        guardian = guardianship.guardian
        if guardianship.access == Guardianship.Access.NONE or not guardian.is_active:
            continue
        email = email_queue(
            to=guardian.email,
            kind=OutgoingEmail.Kind.SAFETY_NOTICE,
            name="safety-notice",
            context={**context, "recipient": guardian},
            user=guardian,
            key=safety_notice_key(concern, guardian.pk),
            send_after=now,
        )
        audit(
            actor=concern.recorded_by,
            action="safety.notify",
            target=concern,
            request=request,
            guardian=guardian.pk,
            channel="email",
            email=email.pk,
        )
        emails.append(email)
    return emails
