"""The change policy: each rule that holds a change back, and the saving per objective."""

from __future__ import annotations

from dataclasses import replace

import pytest

from powertune.decision.policy import FunctionChanged, PolicyOptions, decide_change
from powertune.errors import ConfigError
from powertune.results.model import (
    RecommendedSize,
    RunSettings,
    Settings,
    SizeStatistics,
    TuningResult,
)
from powertune.tuning.models import Architecture, Configuration, StrategyName, StrategySpec
from powertune.tuning.ports import FunctionConfig

X86 = Architecture.X86_64
ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"


def size(memory_mb: int, cost: float, duration: float, **extra: object) -> SizeStatistics:
    return SizeStatistics(
        memory_mb=memory_mb,
        architecture=X86,
        warm_samples=10,
        mean_duration_ms=duration,
        mean_cost_usd=cost,
        failure=None,
        p50_duration_ms=duration,
        p90_duration_ms=duration * 1.2,
        p99_duration_ms=duration * 1.5,
        cost_ci_usd=(cost * 0.98, cost * 1.02),
        confidence_level=0.95,
        **extra,  # type: ignore[arg-type]
    )


SIZES = (size(256, 2.0e-6, 400.0), size(512, 1.5e-6, 150.0), size(1024, 2.5e-6, 120.0))


def result(
    recommended: int = 512,
    strategy: StrategySpec | None = None,
    *,
    sizes: tuple[SizeStatistics, ...] = SIZES,
    original_mb: int = 1024,
    tied: tuple[int, ...] = (),
) -> TuningResult:
    run = RunSettings((256, 512, 1024), (X86,), "fixed", 1, 1, False, "r", original_mb, {})
    rec = RecommendedSize(
        recommended,
        X86,
        strategy or StrategySpec(),
        ("cheapest",),
        tied_with=tuple(Configuration(m, X86) for m in tied),
        settled=not tied,
    )
    return TuningResult(
        ARN, "us-east-1", (), Settings(None, run), recommendation=rec, statistics=sizes
    )


def live(memory_mb: int = 1024, architecture: Architecture = X86) -> FunctionConfig:
    return FunctionConfig("fn", ARN, "$LATEST", memory_mb, architecture, 30, "python3.11", "s", "r")


def test_a_cheaper_size_past_the_threshold_is_a_change_with_its_numbers() -> None:
    d = decide_change(result(), live(), PolicyOptions(monthly_invocations=10_000_000))
    assert d.change
    assert d.saving == pytest.approx(0.4)
    assert d.before is not None and d.after is not None
    assert d.before.cost_per_million_usd == pytest.approx(2.5)
    assert d.after.monthly_cost_usd == pytest.approx(15.0)
    assert d.confidence.label == "high"


def test_the_current_size_already_recommended_is_no_change() -> None:
    d = decide_change(result(1024), live(), PolicyOptions())
    assert not d.change
    assert "already runs at 1024 MB" in d.reasons[-1]


def test_a_tie_with_the_current_size_is_no_change() -> None:
    d = decide_change(result(tied=(1024,)), live(), PolicyOptions())
    assert not d.change
    assert "statistically tied" in d.reasons[-1]
    assert d.confidence.label == "low"


def test_a_saving_below_the_threshold_is_no_change() -> None:
    d = decide_change(result(), live(), PolicyOptions(min_savings=0.45))
    assert not d.change
    assert "below --min-savings 45.0%" in d.reasons[-1]


def test_speed_is_judged_on_duration_even_when_it_costs_more() -> None:
    spec = StrategySpec(StrategyName.SPEED)
    d = decide_change(result(1024, spec), live(512), PolicyOptions(force=True))
    assert d.objective == "duration"
    assert d.saving == pytest.approx(0.2)
    assert d.change


def test_balanced_uses_the_weighted_geometric_score() -> None:
    spec = StrategySpec(StrategyName.BALANCED, balanced_weight=0.5)
    d = decide_change(result(512, spec), live(), PolicyOptions())
    assert d.saving == pytest.approx(1 - (1.5 / 2.5) ** 0.5 * (150 / 120) ** 0.5)


def test_a_pick_that_breaks_the_latency_budget_is_no_change() -> None:
    spec = StrategySpec(StrategyName.LATENCY_BUDGET, latency_budget_ms=100.0)
    d = decide_change(result(512, spec), live(), PolicyOptions())
    assert not d.change
    assert "breaks the latency budget of 100 ms" in d.reasons[-1]


def test_an_architecture_switch_is_left_to_a_person() -> None:
    d = decide_change(result(), live(architecture=Architecture.ARM64), PolicyOptions(force=True))
    assert not d.change
    assert "changing architecture" in d.reasons[-1]


def test_an_unmeasured_current_size_is_no_change() -> None:
    d = decide_change(result(original_mb=2048), live(2048), PolicyOptions())
    assert not d.change
    assert "was not measured" in d.reasons[-1]


def test_a_current_size_that_failed_is_changed_whatever_the_saving() -> None:
    failed = replace(SIZES[2], failure="OutOfMemory", mean_cost_usd=None, mean_duration_ms=None)
    sizes = (SIZES[0], SIZES[1])
    r = replace(result(sizes=sizes), failed=(failed,))
    d = decide_change(r, live(), PolicyOptions(min_savings=0.99))
    assert d.change
    assert "failed in tuning: OutOfMemory" in d.reasons[-1]


def test_a_function_changed_since_tuning_raises_unless_forced() -> None:
    with pytest.raises(FunctionChanged, match="is at 256 MB now but was at 1024 MB"):
        decide_change(result(), live(256), PolicyOptions())
    d = decide_change(result(), live(256), PolicyOptions(force=True))
    assert d.forced
    assert d.saving == pytest.approx(0.25)


def test_a_result_without_a_recommendation_is_bad_input() -> None:
    with pytest.raises(ConfigError, match="no recommendation"):
        decide_change(replace(result(), recommendation=None), live(), PolicyOptions())
