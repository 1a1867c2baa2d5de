"""When the practice may contact a family: pure functions over the communication policy's quiet
hours and weekend rule and a parent's own times not to be contacted, in the practice's
timezone (wall-clock, so they hold across DST changes).

Every email but a safety notice goes out only at an allowed time: `next_allowed` moves an
instant forward out of every blocked time, `latest_allowed` moves it earlier (a session
reminder goes before the quiet hours, not after the session).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = datetime.UTC
MIDNIGHT = datetime.time(0, 0)
ONE_MINUTE = datetime.timedelta(minutes=1)
SATURDAY, SUNDAY = 5, 6
# Enough jumps to cross any week of blocked days; if a week has no allowed minute, give up.
MAX_STEPS = 64


class NeverAllowed(Exception):
    """Every minute of the week is blocked: the rules leave no time to send."""


@dataclass(frozen=True)
class ContactRules:
    """Blocked local times: the practice's quiet hours (a daily window, may cross midnight),
    its weekend rule, and a parent's own daily window and whole days (0 = Monday)."""

    quiet_start: datetime.time | None = None
    quiet_end: datetime.time | None = None
    quiet_weekends: bool = False
    own_start: datetime.time | None = None
    own_end: datetime.time | None = None
    own_days: frozenset[int] = field(default_factory=frozenset)


def contact_rules(
    communication=None,
    *,
    own_start: datetime.time | None = None,
    own_end: datetime.time | None = None,
    own_days: Iterable[int] = (),
) -> ContactRules:
    """Rules from a CommunicationPolicy (or none) and a parent's own times."""
    return ContactRules(
        quiet_start=communication.quiet_hours_start if communication else None,
        quiet_end=communication.quiet_hours_end if communication else None,
        quiet_weekends=bool(communication and communication.quiet_on_weekends),
        own_start=own_start,
        own_end=own_end,
        own_days=frozenset(int(d) for d in own_days),
    )


def _window(local: datetime.datetime, start, end):
    """The (start, end) local datetimes of the daily window [start, end) holding `local`, or
    None. Equal or missing bounds mean no window."""
    if start is None or end is None or start == end:
        return None
    now = local.time()
    day = local.date()
    if start < end:
        if start <= now < end:
            return datetime.datetime.combine(day, start), datetime.datetime.combine(day, end)
        return None
    # Crosses midnight: [start, 24:00) today or [00:00, end) from yesterday's start.
    if now >= start:
        next_day = day + datetime.timedelta(days=1)
        return datetime.datetime.combine(day, start), datetime.datetime.combine(next_day, end)
    if now < end:
        prev_day = day - datetime.timedelta(days=1)
        return datetime.datetime.combine(prev_day, start), datetime.datetime.combine(day, end)
    return None


def _blocks(rules: ContactRules, local: datetime.datetime) -> list[tuple]:
    """Every blocked interval (local naive start, end) that holds the local wall time."""
    blocks = []
    for start, end in (
        (rules.quiet_start, rules.quiet_end),
        (rules.own_start, rules.own_end),
    ):
        window = _window(local, start, end)
        if window:
            blocks.append(window)
    day = local.date()
    weekday = local.weekday()
    if rules.quiet_weekends and weekday in (SATURDAY, SUNDAY):
        saturday = day - datetime.timedelta(days=weekday - SATURDAY)
        blocks.append(
            (
                datetime.datetime.combine(saturday, MIDNIGHT),
                datetime.datetime.combine(saturday + datetime.timedelta(days=2), MIDNIGHT),
            )
        )
    if weekday in rules.own_days:
        blocks.append(
            (
                datetime.datetime.combine(day, MIDNIGHT),
                datetime.datetime.combine(day + datetime.timedelta(days=1), MIDNIGHT),
            )
        )
    return blocks


def _local(when: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    return when.astimezone(tz).replace(tzinfo=None)


def _instant(local: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    """A local wall time as a UTC instant. A time skipped by a spring-forward change maps to
    the instant the clocks jumped over it, so it is never lost."""
    return local.replace(tzinfo=tz).astimezone(UTC)


def is_allowed(rules: ContactRules, when: datetime.datetime, tz: ZoneInfo) -> bool:
    return not _blocks(rules, _local(when, tz))


def next_allowed(rules: ContactRules, when: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    """The earliest allowed instant at or after `when` (UTC)."""
    instant = when.astimezone(UTC)
    for _ in range(MAX_STEPS):
        blocks = _blocks(rules, _local(instant, tz))
        if not blocks:
            return instant
        # Until the longest of the blocks holding now ends, nothing is allowed.
        instant = max(instant, _instant(max(end for _, end in blocks), tz))
    raise NeverAllowed


def latest_allowed(rules: ContactRules, when: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    """The latest allowed minute at or before `when` (UTC)."""
    instant = when.astimezone(UTC)
    for _ in range(MAX_STEPS):
        blocks = _blocks(rules, _local(instant, tz))
        if not blocks:
            return instant
        # Back past the earliest start of the blocks holding now, to the minute before it.
        instant = min(instant, _instant(min(start for start, _ in blocks), tz)) - ONE_MINUTE
    raise NeverAllowed
