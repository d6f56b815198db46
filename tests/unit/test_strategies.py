"""Strategies: parsing with clear errors, choices, reasons and statistical ties."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from powertune.errors import ConfigError
from powertune.tuning.models import (
    Architecture,
    ConfidenceInterval,
    Configuration,
    ConfigurationStats,
    StrategyName,
    StrategySpec,
)
from powertune.tuning.strategies import choose, parse_strategy


def stats(
    memory_mb: int,
    duration_ms: float,
    cost_usd: float,
    *,
    spread: float = 0.0,
    p90: float | None = None,
    p99: float | None = None,
    samples: int = 10,
    failure: str | None = None,
    arch: Architecture = Architecture.X86_64,
) -> ConfigurationStats:
    """Stats whose intervals are ±spread of the means (relative) and whose per-invocation
    sd makes Welch's test agree with that spread (sd = spread × mean × √n / 2)."""
    root = math.sqrt(samples)
    return ConfigurationStats(
        configuration=Configuration(memory_mb, arch),
        samples=samples,
        cold_samples=0,
        failed_samples=0,
        mean_duration_ms=duration_ms,
        stdev_duration_ms=spread * duration_ms * root / 2,
        mean_billed_duration_ms=math.ceil(duration_ms),
        p50_duration_ms=duration_ms,
        p90_duration_ms=p90,
        p99_duration_ms=p99,
        duration_ci=ConfidenceInterval(
            duration_ms * (1 - spread), duration_ms * (1 + spread), 0.95
        ),
        mean_cost_usd=cost_usd,
        cost_ci=ConfidenceInterval(cost_usd * (1 - spread), cost_usd * (1 + spread), 0.95),
        mean_init_duration_ms=None,
        max_memory_used_mb=None,
        failure=failure,
        stdev_cost_usd=spread * cost_usd * root / 2,
    )


# 128: slow and cheapest; 512: middle; 1024: fastest and dearest
THREE = [stats(128, 800.0, 1.0e-6), stats(512, 210.0, 1.5e-6), stats(1024, 100.0, 2.0e-6)]


@pytest.mark.parametrize("name", [s.value for s in StrategyName if "budget" not in s.value])
def test_parse_strategy_accepts_known_names(name: str) -> None:
    assert parse_strategy(name).name.value == name


def test_unknown_strategy_names_value_and_choices() -> None:
    with pytest.raises(ConfigError) as err:
        parse_strategy("cheapest")
    assert "unknown strategy 'cheapest'" in str(err.value)
    assert "cost, speed, balanced, latency-budget, cost-budget" in str(err.value)


@pytest.mark.parametrize("weight", [-0.1, 1.5, math.nan])
def test_balanced_weight_outside_unit_interval(weight: float) -> None:
    with pytest.raises(ConfigError) as err:
        parse_strategy("balanced", balanced_weight=weight)
    assert f"balanced weight {weight}" in str(err.value)
    assert "outside [0, 1]" in str(err.value)


def test_balanced_weight_bounds_are_inclusive() -> None:
    assert parse_strategy("balanced", balanced_weight=0.0).balanced_weight == 0.0
    assert parse_strategy("balanced", balanced_weight=1.0).balanced_weight == 1.0


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"name": "latency-budget"}, "needs --latency-budget-ms"),
        ({"name": "latency-budget", "latency_budget_ms": -5.0}, "got -5.0"),
        (
            {"name": "latency-budget", "latency_budget_ms": 5.0, "latency_percentile": 95},
            "must be 90 or 99, got 95",
        ),
        ({"name": "cost-budget"}, "needs --cost-budget-usd"),
        ({"name": "cost-budget", "cost_budget_usd": 0.0}, "got 0.0"),
    ],
)
def test_budget_strategies_need_their_budget(kwargs: dict[str, object], needle: str) -> None:
    name = str(kwargs.pop("name"))
    with pytest.raises(ConfigError, match=needle):
        parse_strategy(name, **kwargs)  # type: ignore[arg-type]


def test_cost_picks_cheapest_and_says_why() -> None:
    rec = choose(THREE, StrategySpec(StrategyName.COST))
    assert rec is not None
    assert rec.configuration == Configuration(128)
    assert "lowest mean cost" in rec.reasons[0]
    assert "request charge included" in rec.reasons[0]
    assert rec.tied_with == ()
    assert rec.settled


def test_speed_picks_fastest() -> None:
    rec = choose(THREE, StrategySpec(StrategyName.SPEED))
    assert rec is not None
    assert rec.configuration == Configuration(1024)
    assert "lowest mean warm duration: 100.00 ms" in rec.reasons[0]


@pytest.mark.parametrize(("weight", "memory"), [(1.0, 128), (0.0, 1024), (0.75, 512)])
def test_balanced_weight_moves_between_cost_and_speed(weight: float, memory: int) -> None:
    # log(cost^w · duration^(1-w)) at w = 0.75: 128 -> -8.69, 512 -> -8.72, 1024 -> -8.69
    rec = choose(THREE, StrategySpec(StrategyName.BALANCED, balanced_weight=weight))
    assert rec is not None
    assert rec.configuration == Configuration(memory)
    assert "balanced score" in rec.reasons[0]


def test_an_exact_cost_tie_takes_the_smaller() -> None:
    # issue 9: undecided, the default is the cheaper, then the smaller
    same_cost = [stats(256, 300.0, 1.0e-6), stats(512, 150.0, 1.0e-6)]
    rec = choose(same_cost, StrategySpec(StrategyName.COST))
    assert rec is not None
    assert (rec.configuration, rec.tied_with) == (Configuration(256), (Configuration(512),))


def test_a_difference_welch_cannot_establish_is_a_tie() -> None:
    close = [stats(128, 800.0, 1.00e-6, spread=0.05), stats(256, 420.0, 1.04e-6, spread=0.05)]
    rec = choose(close, StrategySpec(StrategyName.COST))
    assert rec is not None
    assert rec.configuration == Configuration(128)
    assert rec.tied_with == (Configuration(256),)
    assert not rec.settled


def test_overlapping_intervals_with_a_significant_difference_are_not_a_tie() -> None:
    # issue 9, item 6: n = 30, sd 10, 100 vs 106 ms: intervals overlap, Welch p = 0.023
    a, b = stats(1024, 100.0, 2.0e-6, samples=30), stats(1536, 106.0, 3.0e-6, samples=30)
    a = replace(a, stdev_duration_ms=10.0)
    b = replace(b, stdev_duration_ms=10.0)
    rec = choose([a, b], StrategySpec(StrategyName.SPEED))
    assert rec is not None and (rec.configuration, rec.tied_with) == (Configuration(1024), ())


def test_one_sample_is_never_significant() -> None:
    one = [stats(128, 800.0, 1.0e-6, samples=1), stats(256, 400.0, 2.0e-6, samples=1)]
    one = [replace(s, stdev_duration_ms=math.nan, stdev_cost_usd=math.nan) for s in one]
    rec = choose(one, StrategySpec(StrategyName.COST))
    assert rec is not None and rec.tied_with == (Configuration(256),)
    assert not rec.settled


def test_speed_tie_within_the_tolerance_defaults_to_the_cheaper() -> None:
    tied = [stats(1769, 100.5, 3.0e-6, spread=0.05), stats(3008, 100.0, 5.0e-6, spread=0.05)]
    rec = choose(tied, StrategySpec(StrategyName.SPEED))
    assert rec is not None
    assert (rec.configuration, rec.tied_with) == (Configuration(1769), (Configuration(3008),))


def test_balanced_does_not_depend_on_the_other_sizes_listed() -> None:
    # issue 9, item 8: adding a 128 MB size that never wins must not flip 512 vs 1024
    pair = [stats(512, 210.0, 1.5e-6), stats(1024, 100.0, 2.0e-6)]
    spec = StrategySpec(StrategyName.BALANCED, balanced_weight=0.7)
    alone = choose(pair, spec)
    with_small = choose([stats(128, 5000.0, 3.0e-6), *pair], spec)
    assert alone is not None and with_small is not None
    assert alone.configuration == with_small.configuration


def test_zero_durations_in_balanced_do_not_divide_by_zero() -> None:
    zero = [stats(128, 0.0, 2.1e-7), stats(256, 0.0, 2.1e-7)]
    rec = choose(zero, StrategySpec(StrategyName.BALANCED))
    assert rec is not None and rec.configuration == Configuration(128)


def test_a_p90_of_zero_meets_any_budget() -> None:
    spec = parse_strategy("latency-budget", latency_budget_ms=5.0)
    rec = choose([stats(128, 0.0, 2.1e-7, p90=0.0), stats(256, 0.0, 2.2e-7, p90=0.0)], spec)
    assert rec is not None and rec.configuration == Configuration(128)


def test_failed_and_empty_configurations_are_never_chosen() -> None:
    cands = [
        stats(128, 10.0, 1e-9, failure="1 of 10 invocations failed: Sandbox.Timedout ×1"),
        stats(256, 10.0, 1e-9, samples=0),
        stats(512, 300.0, 2e-6),
    ]
    rec = choose(cands, StrategySpec(StrategyName.COST))
    assert rec is not None
    assert rec.configuration == Configuration(512)


def test_all_failed_gives_no_recommendation() -> None:
    assert choose([stats(128, 1.0, 1e-6, failure="x")], StrategySpec()) is None
    assert choose([], StrategySpec()) is None


def test_latency_budget_picks_cheapest_within_p90() -> None:
    cands = [
        stats(128, 800.0, 1.0e-6, p90=900.0),
        stats(512, 210.0, 1.5e-6, p90=250.0),
        stats(1024, 100.0, 2.0e-6, p90=120.0),
    ]
    spec = parse_strategy("latency-budget", latency_budget_ms=300.0)
    rec = choose(cands, spec)
    assert rec is not None
    assert rec.configuration == Configuration(512)
    assert "p90 duration is within 300.0 ms" in rec.reasons[0]


def test_latency_budget_nobody_meets_it() -> None:
    cands = [stats(128, 800.0, 1e-6, p90=900.0), stats(256, 400.0, 1e-6, p90=450.0)]
    with pytest.raises(ConfigError) as err:
        choose(cands, parse_strategy("latency-budget", latency_budget_ms=100.0))
    assert "no size meets the p90 budget of 100.0 ms" in str(err.value)
    assert "256MB/x86_64 at 450.0 ms" in str(err.value)


def test_p99_budget_without_enough_samples_is_refused() -> None:
    cands = [stats(128, 800.0, 1e-6, p90=900.0, p99=None, samples=50)]
    spec = parse_strategy("latency-budget", latency_budget_ms=1000.0, latency_percentile=99)
    with pytest.raises(ConfigError) as err:
        choose(cands, spec)
    message = str(err.value)
    assert "p99 needs at least 100 warm samples per size" in message
    assert "128MB/x86_64 has 50" in message
    assert "--invocations to 100" in message


def test_p99_budget_with_enough_samples() -> None:
    cands = [
        stats(128, 800.0, 1e-6, p99=990.0, samples=100),
        stats(256, 400.0, 1.1e-6, p99=600.0, samples=100),
    ]
    spec = parse_strategy("latency-budget", latency_budget_ms=700.0, latency_percentile=99)
    rec = choose(cands, spec)
    assert rec is not None
    assert rec.configuration == Configuration(256)


def test_cost_budget_picks_fastest_within_budget() -> None:
    rec = choose(THREE, parse_strategy("cost-budget", cost_budget_usd=1.6e-6))
    assert rec is not None
    assert rec.configuration == Configuration(512)
    assert "fastest of 2 sizes" in rec.reasons[0]


def test_cost_budget_nobody_meets_it() -> None:
    with pytest.raises(ConfigError, match=r"cheapest is 128MB/x86_64 at \$1e-06"):
        choose(THREE, parse_strategy("cost-budget", cost_budget_usd=1e-7))


def test_p90_budget_without_enough_samples_does_not_suggest_p90() -> None:
    cands = [stats(128, 800.0, 1e-6, p90=None, samples=5)]
    with pytest.raises(ConfigError) as err:
        choose(cands, parse_strategy("latency-budget", latency_budget_ms=1000.0))
    assert "p90 needs at least 10 warm samples" in str(err.value)
    assert "--latency-percentile 90" not in str(err.value)
