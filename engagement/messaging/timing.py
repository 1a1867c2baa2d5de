"""Pure timing rules for messages, in the practice's timezone: they take `now`, so tests need
no frozen clock."""

from __future__ import annotations

import datetime
import zoneinfo


def business_days_between(
    start: datetime.datetime, end: datetime.datetime, tz: zoneinfo.ZoneInfo
) -> int:
    """Business days (Monday to Friday, local dates) after `start`'s day, up to `end`'s day.

    A message sent on Friday is 1 business day old on Monday and 2 on Tuesday, whatever the
    hour; one sent on Saturday is 1 business day old on Monday too."""
    first = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    if last <= first:
        return 0
    days = (last - first).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (first + datetime.timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def is_overdue(
    last_message_at: datetime.datetime,
    now: datetime.datetime,
    tz: zoneinfo.ZoneInfo,
    response_days: int,
) -> bool:
    """A family message is overdue once more business days than promised have passed."""
    return business_days_between(last_message_at, now, tz) > response_days


def local_midnight(now: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The start of today in the practice's timezone: the daily limit counts from here."""
    return datetime.datetime.combine(now.astimezone(tz).date(), datetime.time(), tzinfo=tz)
