"""The numbers a change is judged and summarised by: per-size figures and the confidence.

Pure: built from the typed result's per-size statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

from powertune.results.model import SizeStatistics, TuningResult
from powertune.tuning.models import Architecture, StrategyName, StrategySpec

PER_MILLION = 1_000_000


@dataclass(frozen=True, slots=True)
class SizeFigures:
    """One size as measured: cost per invocation / million / month, and its latencies."""

    memory_mb: int
    architecture: Architecture
    warm_samples: int
    cost_per_invocation_usd: float | None
    cost_per_million_usd: float | None
    #: at the decision's monthly invocations
    monthly_cost_usd: float | None
    mean_duration_ms: float | None
    p50_duration_ms: float | None
    p90_duration_ms: float | None
    p99_duration_ms: float | None
    cost_ci_usd: tuple[float | None, float | None] = (None, None)
    failure: str | None = None


@dataclass(frozen=True, slots=True)
class Confidence:
    """How sure the run is of the pick against the current size."""

    #: the level of the run's intervals (0.95)
    level: float | None
    #: False when the run could not separate the leaders (the pick is the default among ties)
    settled: bool
    #: whether the current and the recommended size's cost intervals are apart
    #: (None: one of them has no interval)
    cost_intervals_apart: bool | None
    tied_with_mb: tuple[int, ...]

    @property
    def label(self) -> str:
        """One word for a summary: high (settled, intervals apart), medium, or low (tied)."""
        if not self.settled:
            return "low"
        return "high" if self.cost_intervals_apart else "medium"


def figures_of(stats: SizeStatistics, monthly_invocations: int) -> SizeFigures:
    cost = stats.mean_cost_usd
    return SizeFigures(
        memory_mb=stats.memory_mb,
        architecture=stats.architecture,
        warm_samples=stats.warm_samples,
        cost_per_invocation_usd=cost,
        cost_per_million_usd=None if cost is None else cost * PER_MILLION,
        monthly_cost_usd=None if cost is None else cost * monthly_invocations,
        mean_duration_ms=stats.mean_duration_ms,
        p50_duration_ms=stats.p50_duration_ms,
        p90_duration_ms=stats.p90_duration_ms,
        p99_duration_ms=stats.p99_duration_ms,
        cost_ci_usd=stats.cost_ci_usd,
        failure=stats.failure,
    )


def confidence_of(
    result: TuningResult, current: SizeStatistics | None, chosen: SizeStatistics | None
) -> Confidence:
    rec = result.recommendation
    apart: bool | None = None
    if current is not None and chosen is not None:
        (lo_a, hi_a), (lo_b, hi_b) = current.cost_ci_usd, chosen.cost_ci_usd
        if None not in (lo_a, hi_a, lo_b, hi_b):
            assert lo_a is not None and hi_a is not None and lo_b is not None and hi_b is not None
            apart = hi_b < lo_a or hi_a < lo_b
    return Confidence(
        level=chosen.confidence_level if chosen else None,
        settled=rec.settled if rec else False,
        cost_intervals_apart=apart,
        tied_with_mb=tuple(c.memory_mb for c in rec.tied_with) if rec else (),
    )


def describe_strategy(spec: StrategySpec) -> str:
    """The strategy as a person reads it: `cost`, `balanced (weight 0.5)`, `p90 <= 300 ms`."""
    if spec.name is StrategyName.BALANCED:
        return f"balanced (weight {spec.balanced_weight:g})"
    if spec.name is StrategyName.LATENCY_BUDGET:
        return f"cheapest with p{spec.latency_percentile} <= {spec.latency_budget_ms:g} ms"
    if spec.name is StrategyName.COST_BUDGET:
        return f"fastest within {spec.cost_budget_usd:.3g} USD per invocation"
    return spec.name.value
