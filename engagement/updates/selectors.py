"""Reads for the parent's "Email updates" page and the unsubscribe link."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from practice.models import CommunicationPolicy, Practice, User

from .models import UpdatePreference
from .schedule import effective_cadence, never_allowed, next_update_after, practice_policy


@dataclass(frozen=True)
class PreferencePage:
    pref: UpdatePreference
    communication: CommunicationPolicy
    tz: ZoneInfo
    next_update_at: datetime.datetime | None
    # Why no update is due: "unsubscribed", "off", "paused", "never_allowed" or "".
    reason: str
    # The parent's cadence is no longer offered: the policy's default applies instead.
    cadence_replaced: bool

    @property
    def moved(self) -> bool:
        """The next update is not at the chosen day and hour (quiet hours or own times)."""
        if self.next_update_at is None:
            return False
        local = self.next_update_at.astimezone(self.tz)
        return (local.weekday(), local.hour, local.minute) != (self.pref.weekday, self.pref.hour, 0)


def _reason(pref: UpdatePreference, communication: CommunicationPolicy, tz: ZoneInfo) -> str:
    if pref.unsubscribed_at is not None:
        return "unsubscribed"
    if effective_cadence(pref, communication) == CommunicationPolicy.Cadence.OFF:
        return "off"
    if pref.paused:
        return "paused"
    if never_allowed(pref, communication, tz):
        return "never_allowed"
    return ""


def preference_page(parent: User, *, practice: Practice, now: datetime.datetime) -> PreferencePage:
    """The parent's own preference (an unsaved default before their first one) and when the
    next update is due. Only ever the signed-in parent's own row."""
    communication = practice_policy(practice)
    tz = practice.tz
    pref = UpdatePreference.objects.filter(parent=parent).first()
    if pref is None:
        pref = UpdatePreference(parent=parent, cadence=communication.default_cadence)
    next_at = pref.next_update_at
    if pref.pk is None:
        next_at = next_update_after(pref, communication, now, tz)
    reason = _reason(pref, communication, tz)
    return PreferencePage(
        pref=pref,
        communication=communication,
        tz=tz,
        next_update_at=None if reason else next_at,
        reason=reason,
        cadence_replaced=effective_cadence(pref, communication) != pref.cadence,
    )


def parent_for_unsubscribe(parent_id: int) -> User | None:
    return User.objects.filter(pk=parent_id, role=User.Role.PARENT).first()
