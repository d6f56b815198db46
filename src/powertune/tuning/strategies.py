"""Strategies: choose a configuration from per-configuration statistics, and say why.

`cost` and `speed` keep upstream's meaning. `balanced` is the weighted
geometric mean cost^w · duration^(1−w) (w=1 is cost, w=0 is speed, as
upstream's weight): unlike upstream's w·cost/max cost + (1−w)·duration/max
duration it does not depend on which other sizes are listed (issue 9, item 8).
Two more: the cheapest configuration within a latency budget on p90 or p99,
and the fastest within a cost budget. This module decides from per-size
statistics (fixed sampling, old result files); `recommend.py` holds the one
entry point. A runner-up is *tied* with the winner when Welch's test of their
difference is not significant at the stated level (never significant below
2 samples); a tie is settled by the default: the cheaper, then the smaller.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from powertune.errors import ConfigError
from powertune.tuning.models import (
    ConfigurationStats,
    Recommendation,
    StrategyName,
    StrategySpec,
)
from powertune.tuning.stats import min_samples_for, welch_p_value

#: a duration of 0 ms (a timer's resolution) would make the balanced score 0
_MIN_DURATION_MS = 0.001


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


def balanced_score(cost_usd: float, duration_ms: float, weight: float) -> float:
    """log of cost^w · duration^(1−w): lower is better; independent of the other sizes."""
    return weight * math.log(max(cost_usd, 1e-18)) + (1 - weight) * math.log(
        max(duration_ms, _MIN_DURATION_MS)
    )


@dataclass(frozen=True, slots=True)
class _Objective:
    """A strategy's figure for one size: mean, per-invocation sd, samples (for Welch)."""

    mean: float
    sd: float
    n: int


def _objective(s: ConfigurationStats, spec: StrategySpec) -> _Objective:
    name = spec.name
    if name in (StrategyName.COST, StrategyName.LATENCY_BUDGET):
        return _Objective(s.mean_cost_usd, s.stdev_cost_usd, s.samples)
    if name is StrategyName.BALANCED:
        w = spec.balanced_weight
        d = max(s.mean_duration_ms, _MIN_DURATION_MS)
        # delta method on the log score; cost and duration move together within a size
        rel = w * s.stdev_cost_usd / s.mean_cost_usd + (1 - w) * s.stdev_duration_ms / d
        return _Objective(balanced_score(s.mean_cost_usd, d, w), rel, s.samples)
    return _Objective(s.mean_duration_ms, s.stdev_duration_ms, s.samples)


def _tied(a: _Objective, b: _Objective, level: float) -> bool:
    return welch_p_value(a.mean, a.sd, a.n, b.mean, b.sd, b.n) >= 1 - level


def _close(a: _Objective, b: _Objective, spec: StrategySpec, tolerance: float) -> bool:
    """b measured within the tolerance of a (log scores: a difference, else a ratio)."""
    if spec.name is StrategyName.BALANCED:
        return b.mean - a.mean <= tolerance
    return b.mean <= a.mean * (1 + tolerance)


def _feasible(cands: Sequence[ConfigurationStats], spec: StrategySpec) -> list[ConfigurationStats]:
    """The candidates a budget strategy allows (all of them otherwise)."""
    if spec.name is StrategyName.LATENCY_BUDGET:
        pct, budget = spec.latency_percentile, spec.latency_budget_ms or 0.0
        short = [s for s in cands if _percentile_of(s, pct) is None]
        if short:
            need = min_samples_for(pct)
            raise ConfigError(
                f"p{pct} needs at least {need} warm samples per size; "
                f"{short[0].configuration.label} has {short[0].samples}. "
                f"Raise --invocations to {need} or more"
                + (", or use --latency-percentile 90" if pct != 90 else "")
            )
        within = [s for s in cands if _value(_percentile_of(s, pct)) <= budget]
        if not within:
            best = min(cands, key=lambda s: _value(_percentile_of(s, pct)))
            raise ConfigError(
                f"no size meets the p{pct} budget of {budget} ms; the best is "
                f"{best.configuration.label} at {_percentile_of(best, pct):.1f} ms. "
                "Raise --latency-budget-ms or add larger sizes"
            )
        return within
    if spec.name is StrategyName.COST_BUDGET:
        budget_usd = spec.cost_budget_usd or 0.0
        within = [s for s in cands if s.mean_cost_usd <= budget_usd]
        if not within:
            cheapest = min(cands, key=lambda s: s.mean_cost_usd)
            raise ConfigError(
                f"no size meets the cost budget of {_usd(budget_usd)} per invocation; the "
                f"cheapest is {cheapest.configuration.label} at "
                f"{_usd(cheapest.mean_cost_usd)}. Raise --cost-budget-usd"
            )
        return within
    return list(cands)


def _value(x: float | None) -> float:
    """A percentile that is missing counts as infinite; 0.0 is a real (fast) value."""
    return math.inf if x is None else x


def _why(winner: ConfigurationStats, spec: StrategySpec, n_within: int) -> str:
    name = spec.name
    if name is StrategyName.COST:
        return (
            f"lowest mean cost per warm invocation: {_usd(winner.mean_cost_usd)} "
            f"(95% CI {_usd(winner.cost_ci.low)}–{_usd(winner.cost_ci.high)}), "
            "request charge included"
        )
    if name is StrategyName.SPEED:
        return (
            f"lowest mean warm duration: {winner.mean_duration_ms:.2f} ms "
            f"(95% CI {winner.duration_ci.low:.2f}–{winner.duration_ci.high:.2f} ms)"
        )
    if name is StrategyName.BALANCED:
        w = spec.balanced_weight
        return (
            f"lowest balanced score cost^{w:g} · duration^{1 - w:g} (the weighted geometric "
            f"mean; {_usd(winner.mean_cost_usd)}, {winner.mean_duration_ms:.2f} ms)"
        )
    if name is StrategyName.LATENCY_BUDGET:
        pct = spec.latency_percentile
        return (
            f"cheapest of {n_within} sizes whose p{pct} duration is within "
            f"{spec.latency_budget_ms} ms: p{pct} {_percentile_of(winner, pct):.1f} ms, "
            f"mean cost {_usd(winner.mean_cost_usd)}"
        )
    return (
        f"fastest of {n_within} sizes within {_usd(spec.cost_budget_usd or 0.0)} per invocation: "
        f"{winner.mean_duration_ms:.2f} ms at {_usd(winner.mean_cost_usd)}"
    )


def _key(spec: StrategySpec) -> Callable[[ConfigurationStats], tuple[float, float, int]]:
    def key(s: ConfigurationStats) -> tuple[float, float, int]:
        o = _objective(s, spec).mean
        second = s.mean_duration_ms if spec.name is StrategyName.COST else s.mean_cost_usd
        return (o, second, s.configuration.memory_mb)

    return key


def choose(
    stats: Sequence[ConfigurationStats],
    spec: StrategySpec,
    *,
    level: float = 0.95,
    tolerance: float = 0.01,
) -> Recommendation | None:
    """Pick the winner among configurations that did not fail; None when all failed.

    Raises:
        ConfigError: a latency budget on a percentile without enough samples, or a
            budget no configuration meets.
    """
    cands = [s for s in stats if not s.failed and s.samples > 0]
    if not cands:
        return None
    within = _feasible(cands, spec)
    ranked = sorted(within, key=_key(spec))
    leader = _objective(ranked[0], spec)
    tied = [s for s in ranked[1:] if _tied(leader, _objective(s, spec), level)]
    # undecided between the leader and ties measured within the tolerance of it: the
    # default is the cheaper, then the smaller
    group = [ranked[0], *(s for s in tied if _close(leader, _objective(s, spec), spec, tolerance))]
    by_cost = spec.name in (StrategyName.COST, StrategyName.LATENCY_BUDGET)
    # tied on cost itself: the smaller (their measured costs differ by noise)
    winner = min(
        group, key=lambda s: (0.0 if by_cost else s.mean_cost_usd, s.configuration.memory_mb)
    )
    reasons = [_why(winner, spec, len(within))]
    ties = tuple(s.configuration for s in [ranked[0], *tied] if s is not winner)
    if ties:
        labels = ", ".join(c.label for c in ties)
        reasons.append(
            f"statistically tied with {labels} (Welch's test of the difference not "
            f"significant at {level:.0%}); the default among them is the cheaper, then the "
            "smaller; more invocations would separate them"
        )
    elif len(ranked) > 1:
        reasons.append(
            f"the difference to the runner-up {ranked[1].configuration.label} is significant "
            f"(Welch's test at {level:.0%})"
        )
    return Recommendation(winner.configuration, spec, tuple(reasons), ties, settled=not ties)
