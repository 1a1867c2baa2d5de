"""Throttles on the two doors an outsider can knock on without an account: signing in and
asking for a new password. Both count rows in the database (django-axes' AccessAttempt, and
the audit's password_reset.request events), so the limits hold across every web process and
machine, as the database is shared where a per-process cache would not be.

Signing in (django-axes, settings AXES_*): the pair (address typed, IP) is locked after
AXES_FAILURE_LIMIT failures, and one IP across every account after AXES_IP_FAILURE_LIMIT.
Never the address alone: then anyone, from anywhere, could lock a parent or a clinician out
by typing their address with wrong passwords.
"""

from __future__ import annotations

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import AuditEvent

RESET_ACTION = "password_reset.request"


class PracticeAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a lock on one IP across every account."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if ip_failures(request.axes_ip_address, get_cool_off(request)) >= (
            settings.AXES_IP_FAILURE_LIMIT
        ):
            return max(failures, get_failure_limit(request, credentials))
        return failures


def ip_failures(ip_address: str | None, cool_off: datetime.timedelta | None) -> int:
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


# --- Password reset -----------------------------------------------------------------------


def address_digest(address: str) -> str:
    """What the audit keeps of an address asked about: a keyed hash, so the log holds no
    address that has no account (a typo, or someone probing) in the clear."""
    return salted_hmac(RESET_ACTION, address.strip().lower()).hexdigest()


def reset_allowed(*, address: str, ip_address: str | None, now: datetime.datetime) -> bool:
    """Fewer than PASSWORD_RESET_PER_ADDRESS requests for this address and fewer than
    PASSWORD_RESET_PER_IP from this IP in the last PASSWORD_RESET_WINDOW_MINUTES. The same two
    counts whether or not the address has an account."""
    since = now - datetime.timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)
    recent = AuditEvent.objects.filter(action=RESET_ACTION, at__gte=since)
    for_address = recent.filter(details__address=address_digest(address)).count()
    from_ip = recent.filter(ip_address=ip_address).count() if ip_address else 0
    return (
        for_address < settings.PASSWORD_RESET_PER_ADDRESS
        and from_ip < settings.PASSWORD_RESET_PER_IP
    )
