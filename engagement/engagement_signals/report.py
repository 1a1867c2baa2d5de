"""The practice's engagement report for its administrators: engagement and barriers across the
practice, by clinician and by barrier kind. Counts and scores only: no clinical text, and no
child's name (minimum necessary)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q

from practice.models import CareTeamMembership, Child

from ..barriers.models import Barrier
from .selectors import family_engagement, score_of


@dataclass
class ClinicianRow:
    name: str
    families: int = 0
    falling: int = 0
    open_barriers: int = 0
    scores: list[int] = field(default_factory=list)

    @property
    def mean_score(self) -> int | None:
        return round(sum(self.scores) / len(self.scores)) if self.scores else None


@dataclass
class KindRow:
    kind: str
    label: str
    open: int
    resolved: int


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: float

    @property
    def label_x(self) -> int:
        return round(self.width) + 156


@dataclass
class EngagementReport:
    clinicians: list[ClinicianRow]
    kinds: list[KindRow]
    families: int
    falling: int

    def bars(self, values: list[tuple[str, int]], scale: int, width: int = 300) -> list[Bar]:
        return [
            Bar(label, value, 28 * index, width * value / scale if scale else 0)
            for index, (label, value) in enumerate(values)
        ]

    @property
    def score_chart_height(self) -> int:
        return 28 * len(self.clinicians) + 4

    @property
    def barrier_chart_height(self) -> int:
        return 28 * len(self.kinds) + 4

    @property
    def score_bars(self) -> list[Bar]:
        values = [(row.name, row.mean_score or 0) for row in self.clinicians]
        return self.bars(values, 100)

    @property
    def barrier_bars(self) -> list[Bar]:
        values = [(row.label, row.open) for row in self.kinds]
        return self.bars(values, max([value for _, value in values] + [1]))


def engagement_report(now: datetime.datetime, tz: datetime.tzinfo) -> EngagementReport:
    """Every child in therapy (not discharged), grouped by their primary clinician."""
    children = Child.objects.filter(discharged_on__isnull=True)
    scores = family_engagement(children, now, tz)
    open_by_child = dict(
        Barrier.objects.filter(child__in=children.values("pk"), status__in=Barrier.UNRESOLVED)
        .order_by()
        .values_list("child_id")
        .annotate(count=Count("pk"))
    )
    rows: dict[int, ClinicianRow] = {}
    primaries = CareTeamMembership.objects.filter(
        is_primary=True, child__in=children.values("pk")
    ).values_list("child_id", "clinician_id", "clinician__full_name")
    for child_id, clinician_id, name in primaries:
        row = rows.setdefault(clinician_id, ClinicianRow(name))
        family = score_of(scores, child_id)
        row.families += 1
        row.open_barriers += open_by_child.get(child_id, 0)
        row.scores.append(family.score)
        row.falling += family.falling
    return EngagementReport(
        sorted(rows.values(), key=lambda row: row.name),
        _kinds(children),
        sum(row.families for row in rows.values()),
        sum(row.falling for row in rows.values()),
    )


def _kinds(children) -> list[KindRow]:
    counts = {
        row["kind"]: row
        for row in Barrier.objects.filter(child__in=children.values("pk"))
        .order_by()
        .values("kind")
        .annotate(
            open=Count("pk", filter=Q(status__in=Barrier.UNRESOLVED)),
            resolved=Count("pk", filter=Q(status=Barrier.Status.RESOLVED)),
        )
    }
    return [
        KindRow(kind, str(label), counts.get(kind, {}).get("open", 0), counts[kind]["resolved"])
        for kind, label in Barrier.Kind.choices
        if kind in counts
    ]
