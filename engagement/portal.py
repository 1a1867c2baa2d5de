"""The portal home's batched reads: for every child a parent may see, the next session, the
home practice in force, the latest shared summary and unread messages, each row as the child's
own policy allows (DESIGN.md's table) and in a fixed number of queries however many children.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Prefetch, Subquery

from practice.access import ChildPolicy
from practice.models import Child

from .practice_at_home.models import HomePractice
from .visits.models import Addendum, SessionLog
from .visits.selectors import with_next_session


def next_sessions(
    child_policies: Iterable[ChildPolicy], now: datetime.datetime
) -> dict[int, datetime.datetime]:
    """Row `record`: when each child's next session starts (one query)."""
    child_ids = [child_policy.child_id for child_policy in child_policies if child_policy.record]
    if not child_ids:
        return {}
    rows = with_next_session(Child.objects.filter(pk__in=child_ids), now).values_list(
        "pk", "next_session_start"
    )
    return {pk: start for pk, start in rows if start is not None}


def home_practice_in_force(
    child_policies: Iterable[ChildPolicy], today: datetime.date
) -> dict[int, list[HomePractice]]:
    """Row `home_practice`: active strategies, never one tied to a child-private goal unless
    the viewer may read clinical text (as current_home_practice, for all children at once)."""
    child_policies = [child_policy for child_policy in child_policies if child_policy.home_practice]
    if not child_policies:
        return {}
    current = HomePractice.objects.filter(
        child_id__in=[child_policy.child_id for child_policy in child_policies],
        is_active=True,
        until__gte=today,
    )
    clinical = {child_policy.child_id for child_policy in child_policies if child_policy.clinical}
    grouped: dict[int, list[HomePractice]] = defaultdict(list)
    for item in current.select_related("goal").order_by("until", "pk"):
        if item.goal.private_to_child and item.child_id not in clinical:
            continue
        grouped[item.child_id].append(item)
    return dict(grouped)


def latest_shared_summaries(
    child_policies: Iterable[ChildPolicy], now: datetime.datetime
) -> dict[int, SessionLog]:
    """Row `shared_summaries`: each child's latest summary the family may read
    (SessionLog.objects.shared_with_family) with its correcting addenda (as family_sessions
    shows them), two queries for all children."""
    child_policies = list(child_policies)
    child_ids = [
        child_policy.child_id for child_policy in child_policies if child_policy.shared_summaries
    ]
    if not child_ids:
        return {}
    shared = SessionLog.objects.shared_with_family(child_policies, now)
    latest = shared.filter(child=OuterRef("pk")).order_by("-scheduled_start").values("pk")[:1]
    ids = Child.objects.filter(pk__in=child_ids).annotate(latest=Subquery(latest))
    corrections = Addendum.objects.filter(corrects_shared_summary=True)
    sessions = SessionLog.objects.filter(
        pk__in=ids.values("latest"), child_id__in=child_ids
    ).prefetch_related(Prefetch("addenda", queryset=corrections, to_attr="corrections"))
    return {session.child_id: session for session in sessions}
