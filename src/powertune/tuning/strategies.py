"""Strategies: choose a configuration from per-configuration statistics, and say why.

`cost`, `speed` and `balanced` keep upstream's meaning (AWS Lambda Power
Tuning: balanced score = w·cost/max cost + (1−w)·duration/max duration, so
w=1 is cost and w=0 is speed). Two more: the cheapest configuration within a
latency budget on p90 or p99, and the fastest within a cost budget. A winner
whose confidence interval overlaps a runner-up's is reported as tied with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from powertune.errors import ConfigError
from powertune.tuning.models import (
    ConfidenceInterval,
    Configuration,
    ConfigurationStats,
    Recommendation,
    StrategyName,
    StrategySpec,
)
from powertune.tuning.stats import intervals_overlap, min_samples_for


def parse_strategy(
    name: str,
    *,
    balanced_weight: float = 0.5,
    latency_budget_ms: float | None = None,
    latency_percentile: int = 90,
    cost_budget_usd: float | None = None,
) -> StrategySpec:
    """Validate strategy options; every bad value is a ConfigError naming it and the fix."""
    try:
        strategy = StrategyName(name)
    except ValueError:
        allowed = ", ".join(s.value for s in StrategyName)
        raise ConfigError(f"unknown strategy {name!r}; use one of: {allowed}") from None
    if not (0.0 <= balanced_weight <= 1.0) or math.isnan(balanced_weight):
        raise ConfigError(
            f"balanced weight {balanced_weight} is outside [0, 1]; 0 means speed, 1 means cost"
        )
    if strategy is StrategyName.LATENCY_BUDGET:
        if latency_budget_ms is None or latency_budget_ms <= 0:
            raise ConfigError(
                "strategy latency-budget needs --latency-budget-ms with a positive value, "
                f"got {latency_budget_ms}"
            )
        if latency_percentile not in (90, 99):
            raise ConfigError(f"latency percentile must be 90 or 99, got {latency_percentile}")
    if strategy is StrategyName.COST_BUDGET and (cost_budget_usd is None or cost_budget_usd <= 0):
        raise ConfigError(
            "strategy cost-budget needs --cost-budget-usd (USD per invocation) with a positive "
            f"value, got {cost_budget_usd}"
        )
    return StrategySpec(
        name=strategy,
        balanced_weight=balanced_weight,
        latency_budget_ms=latency_budget_ms,
        latency_percentile=latency_percentile,
        cost_budget_usd=cost_budget_usd,
    )


def _usd(x: float) -> str:
    return f"${x:.4g}"


def _percentile_of(s: ConfigurationStats, pct: int) -> float | None:
    return s.p90_duration_ms if pct == 90 else s.p99_duration_ms


def _balanced_scores(
    cands: Sequence[ConfigurationStats], weight: float
) -> dict[Configuration, float]:
    max_cost = max(s.mean_cost_usd for s in cands)
    max_duration = max(s.mean_duration_ms for s in cands)
    return {
        s.configuration: weight * s.mean_cost_usd / max_cost
        + (1 - weight) * s.mean_duration_ms / max_duration
        for s in cands
    }


def _ties(
    winner: ConfigurationStats,
    others: Sequence[ConfigurationStats],
    interval: Callable[[ConfigurationStats], ConfidenceInterval],
) -> tuple[Configuration, ...]:
    return tuple(
        s.configuration
        for s in others
        if s is not winner and intervals_overlap(interval(winner), interval(s))
    )


def choose(stats: Sequence[ConfigurationStats], spec: StrategySpec) -> Recommendation | None:
    """Pick the winner among configurations that did not fail; None when all failed.

    Raises:
        ConfigError: a latency budget on a percentile without enough samples, or a
            budget no configuration meets.
    """
    cands = [s for s in stats if not s.failed and s.samples > 0]
    if not cands:
        return None
    reasons: list[str] = []
    name = spec.name

    def by_cost(s: ConfigurationStats) -> tuple[float, float]:
        return (s.mean_cost_usd, s.mean_duration_ms)

    def by_speed(s: ConfigurationStats) -> tuple[float, float]:
        return (s.mean_duration_ms, s.mean_cost_usd)

    if name is StrategyName.COST:
        ranked = sorted(cands, key=by_cost)
        winner = ranked[0]
        reasons.append(
            f"lowest mean cost per warm invocation: {_usd(winner.mean_cost_usd)} "
            f"(95% CI {_usd(winner.cost_ci.low)}–{_usd(winner.cost_ci.high)}), "
            "request charge included"
        )
        ties = _ties(winner, ranked, lambda s: s.cost_ci)
    elif name is StrategyName.SPEED:
        ranked = sorted(cands, key=by_speed)
        winner = ranked[0]
        reasons.append(
            f"lowest mean warm duration: {winner.mean_duration_ms:.2f} ms "
            f"(95% CI {winner.duration_ci.low:.2f}–{winner.duration_ci.high:.2f} ms)"
        )
        ties = _ties(winner, ranked, lambda s: s.duration_ci)
    elif name is StrategyName.BALANCED:
        scores = _balanced_scores(cands, spec.balanced_weight)
        ranked = sorted(cands, key=lambda s: scores[s.configuration])
        winner = ranked[0]
        reasons.append(
            f"lowest balanced score {scores[winner.configuration]:.4f} = "
            f"{spec.balanced_weight}·cost/max cost + "
            f"{1 - spec.balanced_weight:g}·duration/max duration"
        )
        ties = tuple(
            s.configuration
            for s in ranked[1:]
            if intervals_overlap(winner.cost_ci, s.cost_ci)
            and intervals_overlap(winner.duration_ci, s.duration_ci)
        )
    elif name is StrategyName.LATENCY_BUDGET:
        pct = spec.latency_percentile
        budget = spec.latency_budget_ms or 0.0
        short = [s for s in cands if _percentile_of(s, pct) is None]
        if short:
            need = min_samples_for(pct)
            raise ConfigError(
                f"p{pct} needs at least {need} warm samples per size; "
                f"{short[0].configuration.label} has {short[0].samples}. "
                f"Raise --invocations to {need} or more"
                + (", or use --latency-percentile 90" if pct != 90 else "")
            )
        within = [s for s in cands if (_percentile_of(s, pct) or math.inf) <= budget]
        if not within:
            best = min(cands, key=lambda s: _percentile_of(s, pct) or math.inf)
            raise ConfigError(
                f"no size meets the p{pct} budget of {budget} ms; the best is "
                f"{best.configuration.label} at {_percentile_of(best, pct):.1f} ms. "
                "Raise --latency-budget-ms or add larger sizes"
            )
        ranked = sorted(within, key=by_cost)
        winner = ranked[0]
        reasons.append(
            f"cheapest of {len(within)} sizes whose p{pct} duration is within {budget} ms: "
            f"p{pct} {_percentile_of(winner, pct):.1f} ms, mean cost {_usd(winner.mean_cost_usd)}"
        )
        ties = _ties(winner, ranked, lambda s: s.cost_ci)
    else:
        budget_usd = spec.cost_budget_usd or 0.0
        within = [s for s in cands if s.mean_cost_usd <= budget_usd]
        if not within:
            cheapest = min(cands, key=by_cost)
            raise ConfigError(
                f"no size meets the cost budget of {_usd(budget_usd)} per invocation; the cheapest "
                f"is {cheapest.configuration.label} at {_usd(cheapest.mean_cost_usd)}. "
                "Raise --cost-budget-usd"
            )
        ranked = sorted(within, key=by_speed)
        winner = ranked[0]
        reasons.append(
            f"fastest of {len(within)} sizes within {_usd(budget_usd)} per invocation: "
            f"{winner.mean_duration_ms:.2f} ms at {_usd(winner.mean_cost_usd)}"
        )
        ties = _ties(winner, ranked, lambda s: s.duration_ci)

    if ties:
        labels = ", ".join(c.label for c in ties)
        reasons.append(
            f"statistically tied with {labels}: their 95% confidence intervals overlap; "
            "more invocations would separate them, or any of them is a sound choice"
        )
    elif len(ranked) > 1:
        reasons.append(
            f"the difference to the runner-up {ranked[1].configuration.label} is significant"
        )
    return Recommendation(winner.configuration, spec, tuple(reasons), ties)
