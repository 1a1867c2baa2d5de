"""Reads for home practice. What a guardian sees goes through the policy from practice.access:
the `home_practice` row, and never a strategy tied to a goal the guardian may not see."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from goals.models import Goal
from goals.selectors import visible_goals
from practice.access import ChildPolicy, row_for_care_team
from practice.models import Child, User

from .models import CheckIn, HomePractice
from .streaks import summarise


def current_home_practice(
    child_policy: ChildPolicy | None, child: Child, today: datetime.date
) -> list[HomePractice]:
    """Active strategies not past their end date, as this policy may see them: all of them for
    the care team; for a guardian at full or progress, those tied to goals they may see; for
    anyone else (safety_only, limited, none, office), nothing."""
    if child_policy is None or not child_policy.home_practice:
        return []
    current = HomePractice.objects.filter(child=child, is_active=True, until__gte=today)
    if not child_policy.clinical:
        current = current.filter(goal__in=visible_goals(child_policy, child).values("pk"))
    return list(current.select_related("goal", "assigned_by").order_by("until", "pk"))


def home_practice_in_force(
    child_policies: Iterable[ChildPolicy], today: datetime.date
) -> dict[int, list[HomePractice]]:
    """current_home_practice for many children at once (one query): per child, the active
    strategies its policy may see, never one tied to a goal the viewer may not see."""
    child_policies = [child_policy for child_policy in child_policies if child_policy.home_practice]
    if not child_policies:
        return {}
    current = HomePractice.objects.filter(
        child_id__in=[child_policy.child_id for child_policy in child_policies],
        is_active=True,
        until__gte=today,
    )
    if not all(child_policy.clinical for child_policy in child_policies):
        current = current.filter(goal__in=Goal.objects.visible_to(child_policies))
    grouped: dict[int, list[HomePractice]] = defaultdict(list)
    for item in current.select_related("goal").order_by("until", "pk"):
        grouped[item.child_id].append(item)
    return dict(grouped)


def check_ins_between(
    home_practice: dict[int, list[HomePractice]], start: datetime.datetime, end: datetime.datetime
) -> dict[int, list[CheckIn]]:
    """The family's check-ins recorded in [start, end), per strategy, on the strategies given
    (home_practice_in_force's: what the policies allowed). One query."""
    ids = [item.pk for items in home_practice.values() for item in items]
    if not ids:
        return {}
    rows = CheckIn.objects.filter(
        home_practice_id__in=ids, updated_at__gte=start, updated_at__lt=end
    ).only("pk", "home_practice_id", "done", "for_date", "updated_at")
    grouped: dict[int, list[CheckIn]] = defaultdict(list)
    for check_in in rows:
        grouped[check_in.home_practice_id].append(check_in)
    return grouped


def home_practice_for_care_team(user: User, pk: int) -> HomePractice:
    """One home practice for a clinician on the child's care team; 404 for anyone else."""
    return row_for_care_team(user, HomePractice.objects.all(), pk)


def goals_to_practise(child: Child):
    """The goals a strategy can be tied to: the child's active ones."""
    return Goal.objects.filter(child=child, status=Goal.Status.ACTIVE).order_by("title")


# The care team's card lists each strategy's latest check-ins, this many.
RECENT_CHECK_INS = 5


def with_check_ins(
    home_practice: list[HomePractice], today: datetime.date, *, viewer: User
) -> list[HomePractice]:
    """Each strategy (already filtered by the policy) with its completion and streak over the
    family's check-ins, its latest check-ins (for the care team), and the viewer's own check-in
    for today. One query for them all."""
    if not home_practice:
        return home_practice
    check_ins: dict[int, list[CheckIn]] = {item.pk: [] for item in home_practice}
    rows = CheckIn.objects.filter(home_practice__in=list(check_ins)).select_related("guardian")
    for check_in in rows.order_by("-for_date", "-updated_at"):
        check_ins[check_in.home_practice_id].append(check_in)
    for item in home_practice:
        mine = check_ins[item.pk]
        done_days = {check_in.for_date for check_in in mine if check_in.done}
        item.summary = summarise(item.frequency, done_days, item.assigned_at.date(), today)
        item.recent_check_ins = mine[:RECENT_CHECK_INS]
        item.my_check_in_today = next(
            (c for c in mine if c.guardian_id == viewer.pk and c.for_date == today), None
        )
    return home_practice


def home_practice_of(pk: int) -> HomePractice | None:
    """The row a check-in names; whether this guardian may check in on it is the service's,
    which answers the same for a missing row as for another child's."""
    return HomePractice.objects.filter(pk=pk).first()


def check_in_context(today: datetime.date) -> dict:
    """What the check-in form needs besides the strategy: the day and the answers offered."""
    return {
        "today": today,
        "how_choices": CheckIn.HowItWent.choices,
        "difficulty_choices": CheckIn.Difficulty.choices,
    }
