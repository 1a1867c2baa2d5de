"""The Kiresuk–Sherman Goal Attainment Scaling T-score.

    T = 50 + 10 · Σ(wᵢ·xᵢ) / √((1 − ρ)·Σwᵢ² + ρ·(Σwᵢ)²),   ρ = 0.3

xᵢ is each goal's attainment level (−2 … +2) and wᵢ its weight. With every goal at the
expected outcome (0) the score is 50; each unit is a tenth of a standard deviation.
Kiresuk TJ, Sherman RE. Goal attainment scaling: a general method for evaluating
comprehensive community mental health programs. Community Ment Health J 1968;4:443–453.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

RHO = 0.3

T_SCORE_HELP = _(
    "T = 50 + 10·Σ(wᵢxᵢ) / √((1−ρ)Σwᵢ² + ρ(Σwᵢ)²), with ρ = 0.3 (Kiresuk and Sherman): "
    "xᵢ is each active goal's latest level from −2 to +2 and wᵢ its weight. 50 means the "
    "goals were met as expected; above 50, better than expected; below 50, less than expected."
)


def gas_t_score(levels_and_weights: Iterable[tuple[int, float]], rho: float = RHO) -> float | None:
    """The T-score of (level, weight) pairs, or None when there is nothing to score."""
    pairs = [(level, weight) for level, weight in levels_and_weights if weight > 0]
    if not pairs:
        return None
    weighted_sum = sum(level * weight for level, weight in pairs)
    sum_of_squares = sum(weight * weight for _, weight in pairs)
    total_weight = sum(weight for _, weight in pairs)
    denominator = math.sqrt((1 - rho) * sum_of_squares + rho * total_weight**2)
    return 50 + 10 * weighted_sum / denominator
