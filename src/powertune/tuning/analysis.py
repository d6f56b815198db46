"""From raw invocation records to statistics, a cold-start table and a recommendation.

Pure. Used by the engine after a run and by `powertune analyze` to re-decide
from a stored result without invoking anything.

Rules (docs/tuning.md explains them):
- a configuration with any invocation that failed with an error not listed in
  `allowed_errors` is *failed*: it keeps its reason and is never recommended;
- cold starts (an init or restore duration) go to the cold-start table only;
  the recommendation uses warm, successful invocations;
- cost is exact per invocation (billed ms × GB × price + request charge).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from powertune.tuning.intervals import with_model_intervals
from powertune.tuning.models import (
    Analysis,
    Architecture,
    ColdStartStats,
    ConfidenceInterval,
    Configuration,
    ConfigurationStats,
    InvocationRecord,
    StrategySpec,
)
from powertune.tuning.pricing import PriceRate, cold_invocation_cost_usd, invocation_cost_usd
from powertune.tuning.stats import mean_interval, percentile, stdev
from powertune.tuning.strategies import choose

RateFor = Callable[[Architecture], PriceRate]


def group_records(
    records: Iterable[InvocationRecord],
) -> dict[Configuration, list[InvocationRecord]]:
    """Records per configuration, in first-seen order."""
    groups: dict[Configuration, list[InvocationRecord]] = defaultdict(list)
    for r in records:
        groups[Configuration(r.memory_mb, r.architecture)].append(r)
    return dict(groups)


def failure_reason(
    records: Sequence[InvocationRecord], allowed_errors: frozenset[str]
) -> str | None:
    """Why a configuration failed (its disallowed error types and counts), or None."""
    bad = Counter(
        r.error_type
        for r in records
        if r.error_type is not None and r.error_type not in allowed_errors
    )
    if not bad:
        return None
    parts = ", ".join(f"{etype} ×{n}" for etype, n in bad.most_common())
    return f"{sum(bad.values())} of {len(records)} invocations failed: {parts}"


def _nan_interval(level: float) -> ConfidenceInterval:
    return ConfidenceInterval(math.nan, math.nan, level)


def _empty_stats(
    configuration: Configuration,
    cold: int,
    failed: int,
    inits: Sequence[float],
    mem: Sequence[int],
    failure: str | None,
    level: float,
) -> ConfigurationStats:
    return ConfigurationStats(
        configuration=configuration,
        samples=0,
        cold_samples=cold,
        failed_samples=failed,
        mean_duration_ms=math.nan,
        stdev_duration_ms=math.nan,
        mean_billed_duration_ms=math.nan,
        p50_duration_ms=math.nan,
        p90_duration_ms=None,
        p99_duration_ms=None,
        duration_ci=_nan_interval(level),
        mean_cost_usd=math.nan,
        cost_ci=_nan_interval(level),
        mean_init_duration_ms=float(np.mean(inits)) if inits else None,
        max_memory_used_mb=max(mem) if mem else None,
        failure=failure or "no warm, successful invocation to measure",
    )


def summarize(
    configuration: Configuration,
    records: Sequence[InvocationRecord],
    rate: PriceRate,
    *,
    allowed_errors: frozenset[str] = frozenset(),
    level: float = 0.95,
) -> ConfigurationStats:
    """Statistics of one configuration's warm invocations (allowed errors included)."""
    failure = failure_reason(records, allowed_errors)
    warm = [
        r
        for r in records
        if not r.cold_start and (r.error_type is None or r.error_type in allowed_errors)
    ]
    cold = sum(1 for r in records if r.cold_start)
    failed = sum(
        1 for r in records if r.error_type is not None and r.error_type not in allowed_errors
    )
    mem = [r.max_memory_used_mb for r in records if r.max_memory_used_mb is not None]
    inits = [r.init_duration_ms for r in records if r.init_duration_ms is not None]
    if not warm:
        return _empty_stats(configuration, cold, failed, inits, mem, failure, level)
    durations = np.array([r.duration_ms for r in warm], dtype=float)
    billed = np.array([r.billed_duration_ms for r in warm], dtype=float)
    costs = np.array([invocation_cost_usd(b, configuration.memory_mb, rate) for b in billed])
    return ConfigurationStats(
        configuration=configuration,
        samples=len(warm),
        cold_samples=cold,
        failed_samples=failed,
        mean_duration_ms=float(durations.mean()),
        stdev_duration_ms=stdev(durations),
        mean_billed_duration_ms=float(billed.mean()),
        p50_duration_ms=float(np.median(durations)),
        p90_duration_ms=percentile(durations, 90),
        p99_duration_ms=percentile(durations, 99),
        duration_ci=mean_interval(durations, level),
        mean_cost_usd=float(costs.mean()),
        cost_ci=mean_interval(costs, level),
        mean_init_duration_ms=float(np.mean(inits)) if inits else None,
        max_memory_used_mb=max(mem) if mem else None,
        failure=failure,
        stdev_cost_usd=stdev(costs) if len(warm) > 1 else math.nan,
    )


def summarize_cold_starts(
    configuration: Configuration, records: Sequence[InvocationRecord], rate: PriceRate
) -> ColdStartStats | None:
    """What a cold start costs here; None when no cold start was seen.

    When the price table says INIT is billed, a cold invocation is charged for
    init + duration (rounded up), whatever the REPORT line's Billed Duration says;
    otherwise for its Billed Duration.
    """
    cold = [r for r in records if r.cold_start and r.error_type is None]
    if not cold:
        return None
    inits = [(r.init_duration_ms or 0.0) + (r.restore_duration_ms or 0.0) for r in cold]
    totals = [r.duration_ms + i for r, i in zip(cold, inits, strict=True)]
    costs = [cold_invocation_cost_usd(r, configuration.memory_mb, rate) for r in cold]
    return ColdStartStats(
        configuration=configuration,
        samples=len(cold),
        mean_init_duration_ms=float(np.mean(inits)),
        mean_total_duration_ms=float(np.mean(totals)),
        mean_cost_usd=float(np.mean(costs)),
        init_billed=rate.init_billed,
    )


def analyze(
    records: Sequence[InvocationRecord],
    *,
    strategy: StrategySpec,
    rate_for: RateFor,
    allowed_errors: frozenset[str] = frozenset(),
    level: float = 0.95,
    forced_failures: Mapping[Configuration, str] | None = None,
    decide: bool = True,
    payload_weights: Sequence[float] = (1.0,),
) -> Analysis:
    """Statistics per configuration, the cold-start table and the recommendation.

    `forced_failures` marks configurations as failed for reasons outside the
    records (e.g. the backend refused to invoke them). With `decide=False` no
    strategy runs (the caller decides, e.g. an adaptive policy among its contenders).
    `payload_weights`: the mix the mean intervals are of (a rare heavy payload is
    sampled more often than its weight, so that it is seen at every size).
    """
    groups = group_records(records)
    forced = dict(forced_failures or {})
    for configuration in forced:
        groups.setdefault(configuration, [])
    ordered = sorted(groups, key=lambda c: (c.architecture.value, c.memory_mb))
    all_stats: list[ConfigurationStats] = []
    cold_table: list[ColdStartStats] = []
    for configuration in ordered:
        rate = rate_for(configuration.architecture)
        group = groups[configuration]
        stats = summarize(configuration, group, rate, allowed_errors=allowed_errors, level=level)
        if configuration in forced:
            stats = replace(stats, failure=forced[configuration])
        all_stats.append(stats)
        cold = summarize_cold_starts(configuration, group, rate)
        if cold is not None:
            cold_table.append(cold)
    # the mean intervals from the pooled outlier and noise model (`intervals.py`):
    # a size's own t-interval undercovers a mean that rests on rare outliers
    all_stats = with_model_intervals(all_stats, records, rate_for, payload_weights)
    recommendation = choose(all_stats, strategy, level=level) if decide else None
    return Analysis(
        stats=tuple(s for s in all_stats if not s.failed),
        cold_starts=tuple(cold_table),
        recommendation=recommendation,
        failed=tuple(s for s in all_stats if s.failed),
    )
