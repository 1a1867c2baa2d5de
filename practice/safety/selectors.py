"""Reads of safety concerns. The family's read applies the policy and the not-to-be-told list;
it never loads the clinical record."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch

from ..access import ChildPolicy
from ..models import Child, Guardianship, NotToBeTold, SafetyConcern, User


@dataclass(frozen=True)
class SafetyStatement:
    """What a guardian sees of a concern: the statement written for the family, and when."""

    child_id: int
    statement: str
    recorded_at: datetime.datetime


def safety_statements_for(
    user: User, child_policies: Iterable[ChildPolicy], *, since: datetime.datetime | None = None
) -> dict[int, list[SafetyStatement]]:
    """The statements this user may see, per child (newest first), in one query."""
    child_ids = [
        child_policy.child_id for child_policy in child_policies if child_policy.safety_statements
    ]
    if not child_ids:
        return {}
    not_told = NotToBeTold.objects.filter(concern=OuterRef("pk"), guardian=user)
    concerns = SafetyConcern.objects.filter(child_id__in=child_ids).filter(~Exists(not_told))
    if since is not None:
        concerns = concerns.filter(recorded_at__gte=since)
    statements = defaultdict(list)
    rows = concerns.order_by("-recorded_at").values_list(
        "child_id", "family_statement", "recorded_at"
    )
    for child_id, statement, recorded_at in rows:
        statements[child_id].append(SafetyStatement(child_id, statement, recorded_at))
    return dict(statements)


def safety_concerns_for_care_team(child_policy: ChildPolicy, child: Child) -> list[SafetyConcern]:
    """The full concerns, clinical record included: for whoever may read clinical text."""
    if not child_policy.clinical:
        return []
    return list(
        SafetyConcern.objects.filter(child=child)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("not_told", queryset=NotToBeTold.objects.select_related("guardian"))
        )
        .order_by("-recorded_at")
    )


def guardianships_to_tell(concern: SafetyConcern) -> list[Guardianship]:
    """The guardians told of this concern: any access but none, not on the not-to-be-told list."""
    not_told = NotToBeTold.objects.filter(concern=concern).values("guardian_id")
    return list(
        Guardianship.objects.filter(child=concern.child_id)
        .exclude(access=Guardianship.Access.NONE)
        .exclude(guardian_id__in=not_told)
        .select_related("guardian")
        .order_by("pk")
    )
