"""Server-rendered SVG progress charts: no JavaScript, readable on a phone, with a text
alternative (the table beside each chart)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import GoalRating, Perspective

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 34, 12, 12, 26

SERIES_STYLE = {
    Perspective.CLINICIAN: {"colour": "#1f5f5b", "dash": "", "label": "Clinician"},
    Perspective.PARENT: {"colour": "#9a4a00", "dash": "6 4", "label": "Parent"},
    Perspective.CHILD: {"colour": "#5b3f8f", "dash": "2 3", "label": "Child"},
}


@dataclass
class Series:
    perspective: str
    colour: str
    dash: str
    points: list[tuple[float, float, GoalRating]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in self.points)


def _y(level: int) -> float:
    return TOP + (2 - level) * (HEIGHT - TOP - BOTTOM) / 4


def progress_chart(ratings: list[GoalRating]) -> dict | None:
    """Coordinates for the chart template, or None when there is nothing to draw."""
    if not ratings:
        return None
    first = min(r.rated_on for r in ratings)
    last = max(r.rated_on for r in ratings)
    span = max((last - first).days, 1)
    plot_width = WIDTH - LEFT - RIGHT

    def x(rating: GoalRating) -> float:
        if first == last:
            return LEFT + plot_width / 2
        return LEFT + (rating.rated_on - first).days * plot_width / span

    series = []
    for perspective, style in SERIES_STYLE.items():
        mine = [r for r in ratings if r.perspective == perspective]
        if mine:
            points = [(x(r), _y(r.level), r) for r in mine]
            series.append(Series(perspective, style["colour"], style["dash"], points))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "gridlines": [(level, _y(level)) for level in (2, 1, 0, -1, -2)],
        "series": series,
        "first": first,
        "last": last,
    }
