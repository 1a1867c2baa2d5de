"""Completion and streaks of a home practice: pure functions of the days it was done.

- Completion over the last 7 and 28 days: the days done (by anyone in the family who may check
  in) against what the frequency expects in that window, counted only from the day the practice
  was assigned: every day for daily, 3 a week, 1 a week (rounded up for part of a week). An
  "other" rhythm has no expected number: only the days done are shown.
- Streak: for daily practice, consecutive days done ending today, or yesterday while today has
  not been done yet (the day is not over). For weekly rhythms, consecutive weeks (Monday to
  Sunday) that met the weekly number, ending this week or, while this week is not yet met, last
  week; an "other" rhythm counts weeks with at least one day done.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

PER_WEEK = {"daily": 7, "three_a_week": 3, "weekly": 1}
DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(weeks=1)


@dataclass(frozen=True)
class Completion:
    done: int
    expected: int | None

    @property
    def percent(self) -> int | None:
        if not self.expected:
            return None
        return min(100, round(100 * self.done / self.expected))


@dataclass(frozen=True)
class PracticeSummary:
    last_7: Completion
    last_28: Completion
    streak: int
    streak_unit: str  # "day" or "week"


def completion(
    frequency: str,
    done_days: set[datetime.date],
    start: datetime.date,
    today: datetime.date,
    days: int,
) -> Completion:
    first = max(start, today - (days - 1) * DAY)
    done = sum(1 for day in done_days if first <= day <= today)
    per_week = PER_WEEK.get(frequency)
    if per_week is None or first > today:
        return Completion(done, None)
    length = (today - first).days + 1
    return Completion(done, math.ceil(per_week * length / 7))


def daily_streak(done_days: set[datetime.date], today: datetime.date) -> int:
    day = today if today in done_days else today - DAY
    streak = 0
    while day in done_days:
        streak += 1
        day -= DAY
    return streak


def _monday(day: datetime.date) -> datetime.date:
    return day - day.weekday() * DAY


def weekly_streak(done_days: set[datetime.date], today: datetime.date, per_week: int) -> int:
    per_monday: dict[datetime.date, int] = {}
    for day in done_days:
        if day <= today:
            per_monday[_monday(day)] = per_monday.get(_monday(day), 0) + 1
    week = _monday(today)
    if per_monday.get(week, 0) < per_week:
        week -= WEEK
    streak = 0
    while per_monday.get(week, 0) >= per_week:
        streak += 1
        week -= WEEK
    return streak


def summarise(
    frequency: str, done_days: set[datetime.date], start: datetime.date, today: datetime.date
) -> PracticeSummary:
    if frequency == "daily":
        streak, unit = daily_streak(done_days, today), "day"
    else:
        streak, unit = weekly_streak(done_days, today, PER_WEEK.get(frequency, 1)), "week"
    return PracticeSummary(
        completion(frequency, done_days, start, today, 7),
        completion(frequency, done_days, start, today, 28),
        streak,
        unit,
    )
