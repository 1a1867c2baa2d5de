"""Reads for barriers, and the barrier question that repeated missed sessions raise.

Missed sessions are expected (the practice plans for a yearly allowance). Only a run of them
raises a question, and only for the clinician: never a warning shown to the family.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from practice.access import ChildPolicy, row_for_care_team
from practice.models import Child, User

from ..visits.models import SessionLog
from .models import Barrier

# Two missed or family-cancelled sessions within eight weeks raise the barrier question, unless
# a barrier was recorded or followed up in those same eight weeks (the question was asked).
REPEATED_MISSES = 2
RECENT_MISSES_WINDOW = datetime.timedelta(weeks=8)


def barriers_for_care_team(child_policy: ChildPolicy | None, child: Child) -> list[Barrier]:
    """Every barrier of the child, unresolved first, with the clinician's side: care team only."""
    if child_policy is None or not child_policy.clinical:
        return []
    barriers = Barrier.objects.filter(child=child).select_related("session", "reported_by")
    barriers = sorted(barriers, key=lambda barrier: barrier.is_resolved)  # stable: newest first
    return barriers


def barrier_for_care_team(user: User, pk: int) -> Barrier:
    """One barrier for a clinician on the child's care team; 404 for anyone else."""
    return row_for_care_team(user, Barrier.objects.select_related("session"), pk)


@dataclass(frozen=True)
class FamilyBarrier:
    """What a guardian may know of a barrier they reported: what it was and where it stands.
    It carries no notes and no actions, so no template can show them by mistake."""

    kind: str
    status: str
    status_code: str
    reported_at: datetime.datetime
    updated_at: datetime.datetime


def barriers_for_family(
    child_policy: ChildPolicy | None, child: Child, user: User
) -> list[FamilyBarrier]:
    """The barriers this guardian reported themselves (row `own_items`), status only."""
    if child_policy is None or not child_policy.is_guardian or not child_policy.own_items:
        return []
    reported = Barrier.objects.filter(
        child=child, reported_by=user, reporter_role=Barrier.ReporterRole.FAMILY
    ).only("kind", "status", "created_at", "updated_at")
    return [
        FamilyBarrier(
            kind=str(barrier.get_kind_display()),
            status=str(barrier.get_status_display()),
            status_code=barrier.status,
            reported_at=barrier.created_at,
            updated_at=barrier.updated_at,
        )
        for barrier in reported
    ]


def missed_recently(now: datetime.datetime) -> Q:
    """The sessions that count towards the barrier question: missed in the last eight weeks."""
    return Q(
        status__in=SessionLog.MISSED,
        scheduled_start__gte=now - RECENT_MISSES_WINDOW,
        scheduled_start__lte=now,
    )


def with_recent_misses(children: QuerySet[Child], now: datetime.datetime) -> QuerySet[Child]:
    """Annotate each child with its missed sessions of the last eight weeks and whether a
    barrier was recorded or followed up in that time (two subqueries, any caseload size)."""
    since = now - RECENT_MISSES_WINDOW
    misses = (
        SessionLog.objects.filter(missed_recently(now), child=OuterRef("pk"))
        .order_by()
        .values("child")
        .annotate(count=Count("pk"))
        .values("count")
    )
    asked = Barrier.objects.filter(child=OuterRef("pk"), updated_at__gte=since)
    return children.annotate(
        recent_misses=Coalesce(Subquery(misses, output_field=IntegerField()), Value(0)),
        barrier_recently_recorded=Exists(asked),
    )


def asks_about_barriers(child: Child) -> bool:
    """For a child annotated by with_recent_misses: do repeated misses raise the question?"""
    if child.is_discharged:
        return False
    return child.recent_misses >= REPEATED_MISSES and not child.barrier_recently_recorded


def barrier_question(child: Child, now: datetime.datetime) -> int:
    """The number of recent misses when they raise the barrier question for this child, else 0."""
    annotated = with_recent_misses(Child.objects.filter(pk=child.pk), now).first()
    return annotated.recent_misses if annotated and asks_about_barriers(annotated) else 0


def barrier_question_for(child: Child, recent_misses: int, now: datetime.datetime) -> int:
    """barrier_question, given the child's sessions counted with missed_recently: a query only
    when the misses would raise the question (was a barrier recorded since?)."""
    if child.is_discharged or recent_misses < REPEATED_MISSES:
        return 0
    asked = Barrier.objects.filter(child=child, updated_at__gte=now - RECENT_MISSES_WINDOW)
    return 0 if asked.exists() else recent_misses
