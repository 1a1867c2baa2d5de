"""Engagement signals: a family's engagement with one child's therapy over a rolling window,
as a score from 0 to 100 with its parts and its trend. Pure functions of plain numbers: the
selector (selectors.py beside it) counts, this module scores.

The parts follow the stages of engagement, each scored 0 to 1:

- connect: having agreed to the current engagement agreement by the window's end (any
  guardian), portal visits (a guardian opening the child's portal page), one a week being full
  marks: min(visits / PORTAL_VISITS_EXPECTED, 1), and message replies: of the care team's
  messages in the window, the share the family answered, min(replies / care-team messages, 1).
  Each counts equally; with no care-team message in the window, replies do not count (half
  agreement, half visits).
- attend: of the sessions the child attended, the share a guardian attended, against the share
  the engagement agreement expects (every session 1, most 0.75, every other 0.5, monthly or
  reviews only 0.25; no agreement: most). min(share / expected, 1). No attended session: not
  counted.
- participate: the clinician's rating of how the guardians took part (1 to 5) in attended
  sessions, mean scaled to 0..1 as (mean - 1) / 4. No rating: not counted.
- enact: home-practice check-ins marked done, plus observations shared from home (each counts
  as one), against the check-ins expected by what was assigned (daily 7 a week, three times a
  week 3, weekly or another rhythm 1, over the days each strategy ran in the window):
  min((done + observations) / expected, 1). Nothing assigned: not counted.

The score is 100 x the mean of the parts that count, rounded; connect always counts. The trend
is this window's score minus the previous window's.

A family's engagement is **falling** (listed on the caseload) when either
- its score dropped by FALLING_DROP (20) points or more against the previous window, or
- home practice has been assigned for at least QUIET_DAYS (21) days and the family has neither
  checked in, shared an observation nor visited the portal in the last QUIET_DAYS days.
"""

from __future__ import annotations

from dataclasses import dataclass

WINDOW_DAYS = 56  # a rolling 8 weeks
PORTAL_VISITS_EXPECTED = 8  # one a week
FALLING_DROP = 20
QUIET_DAYS = 21

EXPECTED_GUARDIAN_SHARE = {
    "every": 1.0,
    "most": 0.75,
    "every_other": 0.5,
    "monthly": 0.25,
    "reviews": 0.25,
}
DEFAULT_GUARDIAN_SHARE = EXPECTED_GUARDIAN_SHARE["most"]

CHECK_INS_A_WEEK = {"daily": 7, "three_a_week": 3, "weekly": 1, "other": 1}

STAGES = ("connect", "attend", "participate", "enact")


@dataclass(frozen=True)
class FamilyActivity:
    """What one family did for one child in one window, as plain numbers."""

    agreement_acknowledged: bool = False
    portal_visits: int = 0
    attended_sessions: int = 0
    attended_with_guardian: int = 0
    expected_guardian_share: float = DEFAULT_GUARDIAN_SHARE
    mean_participation: float | None = None
    check_ins_done: int = 0
    check_ins_expected: float = 0.0
    observations: int = 0
    care_team_messages: int = 0
    family_replies: int = 0


@dataclass(frozen=True)
class EngagementScore:
    score: int
    parts: dict[str, float | None]  # stage -> 0..1, or None when it does not count


def connect_part(
    agreement_acknowledged: bool, portal_visits: int, replies: int = 0, care_team_messages: int = 0
) -> float:
    parts = [
        1.0 if agreement_acknowledged else 0.0,
        min(portal_visits / PORTAL_VISITS_EXPECTED, 1.0),
    ]
    if care_team_messages > 0:
        parts.append(min(replies / care_team_messages, 1.0))
    return sum(parts) / len(parts)


def attend_part(attended: int, with_guardian: int, expected_share: float) -> float | None:
    if attended <= 0:
        return None
    share = with_guardian / attended
    return min(share / expected_share, 1.0) if expected_share > 0 else 1.0


def participate_part(mean_participation: float | None) -> float | None:
    if mean_participation is None:
        return None
    return min(max((mean_participation - 1) / 4, 0.0), 1.0)


def enact_part(done: int, expected: float) -> float | None:
    if expected <= 0:
        return None
    return min(done / expected, 1.0)


def expected_check_ins(frequency: str, days: int) -> float:
    """Check-ins a strategy asks for over `days` days of the window."""
    return CHECK_INS_A_WEEK.get(frequency, 1) * max(days, 0) / 7


def engagement_score(activity: FamilyActivity) -> EngagementScore:
    parts = {
        "connect": connect_part(
            activity.agreement_acknowledged,
            activity.portal_visits,
            activity.family_replies,
            activity.care_team_messages,
        ),
        "attend": attend_part(
            activity.attended_sessions,
            activity.attended_with_guardian,
            activity.expected_guardian_share,
        ),
        "participate": participate_part(activity.mean_participation),
        "enact": enact_part(
            activity.check_ins_done + activity.observations, activity.check_ins_expected
        ),
    }
    counted = [value for value in parts.values() if value is not None]
    return EngagementScore(round(100 * sum(counted) / len(counted)), parts)


def trend(current: int, previous: int | None) -> int | None:
    return None if previous is None else current - previous


def is_falling(
    current: int,
    previous: int | None,
    *,
    home_practice_days: int | None,
    days_since_contact: int | None,
) -> bool:
    """The documented rule above. `home_practice_days`: how long the oldest strategy in force
    has been assigned (None: none in force); `days_since_contact`: days since the family's last
    check-in or portal visit (None: never)."""
    change = trend(current, previous)
    if change is not None and change <= -FALLING_DROP:
        return True
    if home_practice_days is None or home_practice_days < QUIET_DAYS:
        return False
    return days_since_contact is None or days_since_contact >= QUIET_DAYS
