"""When a parent's next progress email falls due: pure functions over their UpdatePreference,
the practice's CommunicationPolicy and the practice timezone (plus `preference_for`, which
reads or creates the row).

The rule (`next_update_after`):

- The parent's cadence applies while the policy still allows it; otherwise the policy's
  default does. Off, paused or unsubscribed: nothing is due (None).
- The cadence is a minimum gap in whole local days: weekly 7, fortnightly 14, monthly 28.
  Monthly is "every four weeks", not "the same date next month": a calendar month would move
  the parent's chosen weekday every time, and four weeks keeps it (13 emails a year).
- The update falls on the first *slot* (the preferred weekday at the preferred hour, local wall
  clock, so 17:00 stays 17:00 across DST) later than `after` + gap - GRACE. The grace keeps the
  rhythm when the previous email went out late: a tick a few minutes after the slot, or a
  Saturday email moved to Monday by quiet weekends, still comes back to the same slot a
  cadence later instead of skipping one. It is shorter than any gap, so the next email is
  always at least gap - GRACE after the last.
- That slot is then moved forward out of the policy's quiet hours and weekends and the
  parent's own times not to be contacted (practice.timing.next_allowed).
- A preferred hour skipped by a spring-forward change (01:00 in London on the last Sunday of
  March) becomes the instant the clocks jumped over, so that email still goes, once; an hour
  that happens twice (autumn) is the first of the two.
- Rules that leave no minute of the week allowed (NeverAllowed) mean nothing can be sent:
  None as well (the preference page refuses to save such times).

`after` is max(end of the parent's last ProgressUpdate, now); for the first update it is the
first login (`UpdatePreference.first_login_at`), which also starts the first period.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from practice.models import CommunicationPolicy, Practice, User
from practice.timing import ContactRules, NeverAllowed, contact_rules, next_allowed

from .models import UpdatePreference

Cadence = CommunicationPolicy.Cadence

GAP_DAYS = {Cadence.WEEKLY: 7, Cadence.FORTNIGHTLY: 14, Cadence.MONTHLY: 28}
# Longer than the longest move quiet weekends make (Friday 20:00 to Monday 08:00), shorter
# than any gap.
GRACE = datetime.timedelta(days=3)
UTC = datetime.UTC


def practice_policy(practice: Practice | None = None) -> CommunicationPolicy:
    """The practice's communication policy (created with its defaults if missing)."""
    communication, _created = CommunicationPolicy.objects.get_or_create(
        practice=practice or Practice.get()
    )
    return communication


def preference_for(
    parent: User, communication: CommunicationPolicy | None = None
) -> UpdatePreference:
    """The parent's preference; a new one takes the policy's default cadence. Nothing is
    scheduled here: the first login does that (see receivers.py)."""
    existing = UpdatePreference.objects.filter(parent=parent).first()
    if existing is not None:
        return existing
    communication = communication or practice_policy()
    try:
        with transaction.atomic():
            return UpdatePreference.objects.create(
                parent=parent, cadence=communication.default_cadence
            )
    except IntegrityError:  # created meanwhile by another request
        return UpdatePreference.objects.get(parent=parent)


def allowed_cadences(communication: CommunicationPolicy) -> list[str]:
    """The cadences a parent may choose, in the order of the choices ("off" always allowed)."""
    allowed = set(communication.allowed_cadences or [c.value for c in Cadence]) | {Cadence.OFF}
    return [c.value for c in Cadence if c.value in allowed]


def effective_cadence(pref: UpdatePreference, communication: CommunicationPolicy) -> str:
    """The parent's cadence if the policy still allows it, else the policy's default."""
    if pref.cadence == Cadence.OFF or pref.cadence in allowed_cadences(communication):
        return pref.cadence
    return communication.default_cadence


def contact_rules_for(pref: UpdatePreference, communication: CommunicationPolicy) -> ContactRules:
    """The policy's quiet hours and weekends plus the parent's own window and days."""
    return contact_rules(
        communication,
        own_start=pref.no_contact_start,
        own_end=pref.no_contact_end,
        own_days=pref.no_contact_days or (),
    )


def is_receiving(pref: UpdatePreference, communication: CommunicationPolicy) -> bool:
    return (
        pref.unsubscribed_at is None
        and not pref.paused
        and effective_cadence(pref, communication) in GAP_DAYS
    )


def _slot_after(local: datetime.datetime, weekday: int, hour: int) -> datetime.datetime:
    """The first local wall time after `local` on `weekday` at `hour`:00 (naive)."""
    days_ahead = (weekday - local.weekday()) % 7
    slot = datetime.datetime.combine(
        local.date() + datetime.timedelta(days=days_ahead), datetime.time(hour)
    )
    if slot <= local:
        slot += datetime.timedelta(days=7)
    return slot


def _instant(local: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    """Local wall time as UTC. A slot in a spring-forward gap (always on the hour) takes the
    offset before the change (fold=0), which is the instant the clocks jumped: sent once."""
    return local.replace(tzinfo=tz).astimezone(UTC)


def next_update_after(
    pref: UpdatePreference,
    communication: CommunicationPolicy,
    after: datetime.datetime,
    tz: ZoneInfo,
) -> datetime.datetime | None:
    """When the next progress email falls due (UTC), or None when none will (see the module
    docstring for the rule)."""
    if not is_receiving(pref, communication):
        return None
    gap = datetime.timedelta(days=GAP_DAYS[effective_cadence(pref, communication)])
    # Whole local days, so a DST change in between does not move the hour.
    earliest_local = after.astimezone(tz).replace(tzinfo=None) + gap - GRACE
    slot = _instant(_slot_after(earliest_local, pref.weekday, pref.hour), tz)
    try:
        return next_allowed(contact_rules_for(pref, communication), slot, tz)
    except NeverAllowed:
        return None


def never_allowed(pref: UpdatePreference, communication: CommunicationPolicy, tz: ZoneInfo) -> bool:
    """True when the quiet hours and the parent's own times leave no minute of the week."""
    try:
        next_allowed(contact_rules_for(pref, communication), datetime.datetime.now(UTC), tz)
    except NeverAllowed:
        return True
    return False


def rules_for_users(
    user_ids: set[int], communication: CommunicationPolicy
) -> dict[int, ContactRules]:
    """Each parent's rules (the policy's plus their own times), for the outbox's last check
    before sending (practice/outbox/holds.py); staff keep the practice's. One query."""
    return {
        pref.parent_id: contact_rules_for(pref, communication)
        for pref in UpdatePreference.objects.filter(parent_id__in=user_ids)
    }
