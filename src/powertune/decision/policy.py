"""The change policy: should the function move to the recommended size? Pure, no I/O.

`decide_change(result, live, options)` compares the function as it is now (read
live by the caller) with what the tuning result measured and recommends, and
returns a `ChangeDecision` holding the action, its reasons and the numbers
behind them. It makes no change when:
- the current size is the recommendation, or the run could not tell them apart
  (the current size is among the recommendation's ties);
- the saving is below `min_savings`; the saving is measured in the strategy's own
  objective (cost for cost and latency-budget, duration for speed and
  cost-budget, cost^w * duration^(1-w) for balanced), so a speed pick that costs
  more is still judged on what it was chosen for;
- the recommended size breaks the result's latency (or cost) budget;
- the recommendation changes the architecture (a rebuild, not a memory change).

A function changed since the tuning (live memory differs from the recorded
original) raises `FunctionChanged`, unless `force`.
"""

from __future__ import annotations

from dataclasses import dataclass

from powertune.decision.figures import (
    Confidence,
    SizeFigures,
    confidence_of,
    describe_strategy,
    figures_of,
)
from powertune.errors import ConfigError, PowertuneError
from powertune.results.model import SizeStatistics, TuningResult
from powertune.tuning.models import Architecture, Configuration, StrategyName, StrategySpec
from powertune.tuning.plan import parse_function
from powertune.tuning.ports import FunctionConfig

DEFAULT_MIN_SAVINGS = 0.05
DEFAULT_MONTHLY_INVOCATIONS = 1_000_000


class FunctionChanged(PowertuneError):
    """The function's memory changed after the tuning: the result may no longer hold (exit 1)."""


@dataclass(frozen=True, slots=True)
class PolicyOptions:
    """The knobs of `decide`: `--min-savings`, `--monthly-invocations`, `--force`."""

    min_savings: float = DEFAULT_MIN_SAVINGS
    monthly_invocations: int = DEFAULT_MONTHLY_INVOCATIONS
    force: bool = False


@dataclass(frozen=True, slots=True)
class ChangeDecision:
    """What the policy decided for one function, why, and the numbers behind it."""

    function_name: str
    function_arn: str
    region: str
    strategy: StrategySpec
    change: bool
    reasons: tuple[str, ...]
    current_memory_mb: int
    recorded_memory_mb: int
    recommended_memory_mb: int
    architecture: Architecture
    #: the measured figures at the current and the recommended size (None: not measured)
    before: SizeFigures | None
    after: SizeFigures | None
    #: the saving in the strategy's objective, as a fraction of the current (None: unknown)
    saving: float | None
    objective: str
    confidence: Confidence
    options: PolicyOptions
    #: the function was changed after the tuning and `force` went ahead anyway
    forced: bool = False


def decide_change(
    result: TuningResult, live: FunctionConfig, options: PolicyOptions
) -> ChangeDecision:
    """The decision for `result`, given the function as it is now (`live`)."""
    rec = result.recommendation
    if rec is None:
        raise ConfigError(
            f"the result for {result.function_arn} holds no recommendation (every size failed, "
            "or it was never analysed); run `powertune analyze RESULT.json` or tune again"
        )
    recorded = result.settings.run.original_memory_mb if result.settings.run else live.memory_mb
    forced = live.memory_mb != recorded
    if forced and not options.force:
        raise FunctionChanged(
            f"{live.function_name} is at {live.memory_mb} MB now but was at {recorded} MB when "
            "it was tuned: someone changed it since, so the measurements may not hold. Tune "
            "again, or pass --force to decide from this result anyway"
        )
    stats = {s.configuration: s for s in (*result.statistics, *result.failed)}
    current = stats.get(Configuration(live.memory_mb, live.architecture))
    chosen = stats.get(rec.configuration)
    n = options.monthly_invocations
    before = figures_of(current, n) if current and current.failure is None else None
    after = figures_of(chosen, n) if chosen else None
    objective = _objective(rec.strategy)
    saving = _saving(rec.strategy, before, after)
    change, reasons = _judge(result, live, current, saving, options, objective)
    return ChangeDecision(
        function_name=parse_function(result.function_arn).name,
        function_arn=result.function_arn,
        region=result.region,
        strategy=rec.strategy,
        change=change,
        reasons=tuple(reasons),
        current_memory_mb=live.memory_mb,
        recorded_memory_mb=recorded,
        recommended_memory_mb=rec.memory_mb,
        architecture=rec.architecture,
        before=before,
        after=after,
        saving=saving,
        objective=objective,
        confidence=confidence_of(result, current, chosen),
        options=options,
        forced=forced,
    )


def _judge(
    result: TuningResult,
    live: FunctionConfig,
    current: SizeStatistics | None,
    saving: float | None,
    options: PolicyOptions,
    objective: str,
) -> tuple[bool, list[str]]:
    """(change?, reasons): the first rule that holds the change back wins; else change."""
    rec = result.recommendation
    assert rec is not None
    label = f"{rec.memory_mb} MB"
    why = [f"recommended {label} by {describe_strategy(rec.strategy)}"]
    if rec.architecture is not live.architecture:
        why.append(
            f"the recommendation runs on {rec.architecture.value} while the function runs on "
            f"{live.architecture.value}: changing architecture means rebuilding the package, "
            "so it is left to a person"
        )
        return False, why
    if rec.memory_mb == live.memory_mb:
        return False, [*why, f"the function already runs at {label}"]
    if current is not None and current.configuration in rec.tied_with:
        return False, [
            *why,
            f"the current {live.memory_mb} MB is statistically tied with {label}: the run "
            "could not tell them apart, so a change is not worth it",
        ]
    if current is None:
        return False, [
            *why,
            f"the current {live.memory_mb} MB was not measured by this run, so the saving "
            f"cannot be checked; tune again with {live.memory_mb} in --memory",
        ]
    if current.failure is not None:
        return True, [*why, f"the current {live.memory_mb} MB failed in tuning: {current.failure}"]
    broken = _budget_broken(result, rec.strategy)
    if broken:
        return False, [*why, broken]
    if saving is None or saving < options.min_savings:
        shown = "unknown" if saving is None else f"{saving:.1%}"
        return False, [
            *why,
            f"the {objective} saving ({shown}) is below --min-savings {options.min_savings:.1%}",
        ]
    return True, [
        *why,
        f"it saves {saving:.1%} of the {objective}, at least --min-savings "
        f"{options.min_savings:.1%}",
    ]


def _budget_broken(result: TuningResult, spec: StrategySpec) -> str | None:
    """Why the recommended size breaks the result's latency or cost budget, if it does."""
    rec = result.recommendation
    chosen = next(
        (s for s in result.statistics if rec and s.configuration == rec.configuration), None
    )
    if chosen is None:
        return "the recommended size has no statistics in the result"
    if spec.latency_budget_ms is not None:
        p = spec.latency_percentile
        value = {50: chosen.p50_duration_ms, 90: chosen.p90_duration_ms, 99: chosen.p99_duration_ms}
        observed = value.get(p, chosen.p99_duration_ms)
        if observed is not None and observed > spec.latency_budget_ms:
            return (
                f"its p{p} of {observed:.1f} ms breaks the latency budget of "
                f"{spec.latency_budget_ms:g} ms"
            )
    cost = chosen.mean_cost_usd
    if spec.cost_budget_usd is not None and cost is not None and cost > spec.cost_budget_usd:
        return (
            f"its cost of {cost:.3g} USD per invocation breaks the cost "
            f"budget of {spec.cost_budget_usd:.3g} USD"
        )
    return None


def _objective(spec: StrategySpec) -> str:
    if spec.name in (StrategyName.SPEED, StrategyName.COST_BUDGET):
        return "duration"
    if spec.name is StrategyName.BALANCED:
        return "balanced score"
    return "cost"


def _saving(
    spec: StrategySpec, before: SizeFigures | None, after: SizeFigures | None
) -> float | None:
    """1 - after/before in the strategy's objective; None when either side is unknown."""
    if before is None or after is None:
        return None
    cost = _ratio(after.cost_per_invocation_usd, before.cost_per_invocation_usd)
    duration = _ratio(after.mean_duration_ms, before.mean_duration_ms)
    if cost is None or duration is None:
        return None
    if spec.name in (StrategyName.SPEED, StrategyName.COST_BUDGET):
        return 1.0 - duration
    if spec.name is StrategyName.BALANCED:
        w = spec.balanced_weight
        return 1.0 - float(cost**w * duration ** (1.0 - w))
    return 1.0 - cost


def _ratio(new: float | None, old: float | None) -> float | None:
    return None if new is None or not old else new / old
