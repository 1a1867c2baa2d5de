"""The families' engagement signals as kept in FamilySignals rows: read with the children in the
query that lists them (`with_stored_signals`), recomputed only for the rows that are out of
date (`current_signals`), and rolled daily by the beat (`signals_roll`).

A row is out of date when it is missing, when the child's record_version moved since (a
check-in, a message, a session signed, an agreement, a barrier: every write linked to the
child bumps it), when a guardian opened the child's portal page after it was computed (a
portal visit is an audit event, which bumps nothing), or when it was computed on an earlier
day (the window is 8 weeks back from today). Recomputing is family_engagement() itself, so a
stored score is the score computed fresh on the day it was computed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from practice.models import AuditEvent, Child

from ..barriers.models import Barrier
from .models import FamilySignals
from .selectors import FamilyEngagement, family_engagement, score_of

ROLL_BATCH = 500  # children scored per family_engagement() call of the daily roll

SIGNAL_FIELDS = {
    "signal_score": "family_signals__score",
    "signal_previous": "family_signals__previous_score",
    "signal_falling": "family_signals__falling",
    "signal_reason": "family_signals__reason",
    "signal_barriers": "family_signals__open_barrier_kinds",
}
# What a query through with_stored_signals reads besides the child's pk and record_version.
SIGNAL_VALUES = (*SIGNAL_FIELDS, "signal_version", "signal_on", "signal_visited")


@dataclass(frozen=True)
class FamilySignal:
    """What the caseload shows of one family's engagement."""

    child_id: int
    score: int
    previous_score: int
    falling: bool
    reason: str
    open_barrier_kinds: tuple[str, ...] = ()

    @property
    def barrier_labels(self) -> list[str]:
        labels = dict(Barrier.Kind.choices)
        return [str(labels.get(kind, kind)) for kind in self.open_barrier_kinds]


def with_stored_signals(children: QuerySet[Child]) -> QuerySet[Child]:
    """Annotate each child with its stored signals (`signal_*`), and what says whether they
    are out of date (see `is_stale`): a join and one correlated EXISTS, in the query of the
    children."""
    visited_since = AuditEvent.objects.filter(
        action="portal.child_view",
        child=OuterRef("pk"),
        at__gt=OuterRef("family_signals__computed_at"),
    )
    return children.annotate(
        **{name: F(path) for name, path in SIGNAL_FIELDS.items()},
        signal_version=F("family_signals__record_version"),
        signal_on=F("family_signals__computed_on"),
        signal_visited=Exists(visited_since),
    )


def is_stale(row: dict, today: datetime.date) -> bool:
    """A row of with_stored_signals is out of date: none yet, the record changed since, a
    portal visit came after, or it was computed on another day."""
    return (
        row["signal_version"] is None
        or row["signal_version"] != row["record_version"]
        or row["signal_on"] != today
        or row["signal_visited"]
    )


def _signal(row: dict) -> FamilySignal:
    return FamilySignal(
        row["pk"],
        row["signal_score"],
        row["signal_previous"],
        row["signal_falling"],
        row["signal_reason"],
        tuple(row["signal_barriers"] or ()),
    )


def current_signals(
    rows: Iterable[dict], now: datetime.datetime, tz: datetime.tzinfo
) -> dict[int, FamilySignal]:
    """The signals of the children in `rows` (values of a query through with_stored_signals:
    "pk", "record_version" and SIGNAL_VALUES): stored ones as read, out-of-date ones recomputed
    and saved (a fixed number of queries, and none when every row is current)."""
    today = timezone.localtime(now, tz).date()
    result, stale = {}, {}
    for row in rows:
        if is_stale(row, today):
            stale[row["pk"]] = row["record_version"]
        else:
            result[row["pk"]] = _signal(row)
    if stale:
        result.update(refresh(stale, now, tz))
    return result


def refresh(
    versions: dict[int, int], now: datetime.datetime, tz: datetime.tzinfo
) -> dict[int, FamilySignal]:
    """Score the children of `versions` (child id -> the record_version read with it) afresh
    and keep the rows. The version read before scoring is the one stored: a write made
    meanwhile has a newer one, so its row is recomputed on the next read."""
    scored = family_engagement(Child.objects.filter(pk__in=list(versions)), now, tz)
    today = timezone.localtime(now, tz).date()
    rows = [
        _row(score_of(scored, child_id), version, now, today)
        for child_id, version in versions.items()
    ]
    FamilySignals.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["child"],
        update_fields=[
            "computed_at",
            "computed_on",
            "record_version",
            "score",
            "previous_score",
            "falling",
            "reason",
            "open_barrier_kinds",
            "activity",
        ],
    )
    return {
        row.child_id: FamilySignal(
            row.child_id,
            row.score,
            row.previous_score,
            row.falling,
            row.reason,
            tuple(row.open_barrier_kinds),
        )
        for row in rows
    }


def _row(
    family: FamilyEngagement, version: int, now: datetime.datetime, today: datetime.date
) -> FamilySignals:
    return FamilySignals(
        child_id=family.child_id,
        computed_at=now,
        computed_on=today,
        record_version=version,
        score=family.score,
        previous_score=family.previous.score,
        falling=family.falling,
        reason=family.reason,
        open_barrier_kinds=[barrier.kind for barrier in family.open_barriers],
        activity=family.activity,
    )


def signals_roll(now: datetime.datetime, tz: datetime.tzinfo) -> int:
    """The daily roll: every child in therapy whose row is missing or out of date is scored
    against today's window, ROLL_BATCH at a time. Returns how many rows were written."""
    today = timezone.localtime(now, tz).date()
    children = with_stored_signals(Child.objects.filter(discharged_on__isnull=True))
    rows = children.order_by("pk").values("pk", "record_version", *SIGNAL_VALUES)
    stale = {row["pk"]: row["record_version"] for row in rows if is_stale(row, today)}
    ids = list(stale)
    for start in range(0, len(ids), ROLL_BATCH):
        refresh({pk: stale[pk] for pk in ids[start : start + ROLL_BATCH]}, now, tz)
    return len(ids)
