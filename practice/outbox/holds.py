"""Which outbox emails wait for an allowed time, checked again when they are about to go.

A progress update, a new-message notice or a session reminder is scheduled at an allowed time
when it is made; but a retry after an SMTP error, a row picked up after its worker died, or a
worker that falls behind can bring it to the server in quiet hours. So the send step checks
once more and holds such a row until the next allowed time. Invitations and password resets
(asked for by the person, this minute) and safety notices (told at once, whatever the hour)
are never held.

Whose rules: the practice's quiet hours and weekends, plus, for a parent, their own times not
to be contacted. Those live in an upper layer (engagement's UpdatePreference), so that layer
registers a provider here (`set_rules_provider`), as a signal receiver would; without one,
the practice's rules apply to everyone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from ..models import CommunicationPolicy, Practice
from ..timing import ContactRules, NeverAllowed, contact_rules, is_allowed, next_allowed
from .models import OutgoingEmail

Kind = OutgoingEmail.Kind
HELD_KINDS = frozenset({Kind.PROGRESS_UPDATE, Kind.MESSAGE_NOTICE, Kind.SESSION_REMINDER})

RulesProvider = Callable[[set[int], CommunicationPolicy], dict[int, ContactRules]]
_provider: RulesProvider | None = None


def set_rules_provider(provider: RulesProvider | None) -> None:
    """`provider(user_ids, policy)` answers each user's rules (missing: the practice's)."""
    global _provider
    _provider = provider


def holds(emails: Iterable[OutgoingEmail], now: datetime.datetime) -> dict[int, datetime.datetime]:
    """For each row that may not go now, the instant it may: {pk: next allowed time}. One
    policy read and one provider call for the lot (a chunk costs the same as a row)."""
    held = [email for email in emails if email.kind in HELD_KINDS]
    if not held:
        return {}
    practice = Practice.get()
    communication, _created = CommunicationPolicy.objects.get_or_create(practice=practice)
    default = contact_rules(communication)
    users = {email.user_id for email in held if email.user_id}
    rules = _provider(users, communication) if (_provider and users) else {}
    waits = {}
    for email in held:
        own = rules.get(email.user_id, default)
        if is_allowed(own, now, practice.tz):
            continue
        try:
            waits[email.pk] = next_allowed(own, now, practice.tz)
        except NeverAllowed:
            continue  # no allowed minute at all: holding it would hold it forever
    return waits
