"""The adaptive sampling policy on the simulator: stopping, dropping, budgets, determinism."""

from __future__ import annotations

from collections import Counter

import pytest

from powertune.backends.simulator import SimulatedFunction
from powertune.backends.workload import profile_from_dict
from powertune.errors import ConfigError
from powertune.tuning.adaptive import AdaptiveSampling
from powertune.tuning.analysis import analyze
from powertune.tuning.models import Architecture, Configuration, InvocationRecord
from powertune.tuning.pricing import PriceRate
from powertune.tuning.sampling import SamplingState
from powertune.tuning.strategies import parse_strategy

GRID = (128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008)
CONFIGS = tuple(Configuration(m, Architecture.X86_64) for m in GRID)
RATE = PriceRate(0.0000166667, 0.0000002)


def run(
    policy: AdaptiveSampling, seed: int = 1, weights: tuple[float, ...] = (1.0,), **profile: object
) -> list[InvocationRecord]:
    """The engine's loop: one warm-up per size, then the policy's batches."""
    raw: dict[str, object] = {"name": "t", "cpu_ms": 200.0, "io_ms": 50.0, "noise_sigma": 0.05}
    raw.update(profile)
    sim = SimulatedFunction(profile_from_dict(raw), seed=seed)
    state = SamplingState(CONFIGS, weights)

    def invoke(c: Configuration, p: int) -> None:
        r = sim.record(c, p, sequence=len(state.records))
        state.records.append(r)
        if r.error_type:
            state.failed.add(c)

    for c in CONFIGS:
        invoke(c, 0)
    for _ in range(1000):
        batch = [r for r in policy.next_batch(state) if r.configuration not in state.failed]
        if not batch:
            return state.records
        for r in batch:
            if r.configuration not in state.failed:
                invoke(r.configuration, r.payload_index)
    raise AssertionError("the policy never stopped")


def recommend(policy: AdaptiveSampling, records: list[InvocationRecord]) -> int | None:
    """As the engine should: analyse the sizes still in the running, then ask the policy."""
    kept = set(policy.contenders)
    mine = [r for r in records if Configuration(r.memory_mb, r.architecture) in kept]
    analysis = analyze(mine or records, strategy=policy.strategy, rate_for=lambda a: RATE)
    rec = policy.recommendation(analysis)
    return None if rec is None else rec.configuration.memory_mb


def adaptive(strategy: str = "cost", **kwargs: object) -> AdaptiveSampling:
    return AdaptiveSampling(parse_strategy(strategy), seed=5, rate_for=lambda a: RATE, **kwargs)  # type: ignore[arg-type]


def test_same_seed_same_run() -> None:
    a, b = adaptive(), adaptive()
    assert run(a) == run(b)
    assert [e.message for e in a.events] == [e.message for e in b.events]


def test_clear_winner_settles_before_the_budget_and_drops_the_rest_with_reasons() -> None:
    policy = adaptive("cost")
    records = run(policy)  # I/O-heavy: the smallest size is clearly cheapest
    assert len(records) < policy.max_invocations(len(CONFIGS))
    assert policy.events[-1].action in ("settled", "worth-trying")
    assert any(e.action == "settled" for e in policy.events)
    drops = [e for e in policy.events if e.action == "drop"]
    assert {e.configuration for e in drops} == set(CONFIGS) - {CONFIGS[0]}
    assert all("worse" in e.message and "confidence" in e.message for e in drops)
    assert recommend(policy, records) == 128


def test_speed_on_a_multi_threaded_workload_picks_the_largest() -> None:
    policy = adaptive("speed")
    records = run(policy, threads=2, io_ms=1.0)
    assert recommend(policy, records) == 3008


def test_equivalent_sizes_stop_on_the_tolerance() -> None:
    # single-threaded: 1769, 2048 and 3008 MB run equally fast
    policy = adaptive("speed", tolerance=0.05)
    records = run(policy, io_ms=1.0)
    assert any(e.action == "settled" and "equivalent" in e.message for e in policy.events)
    assert recommend(policy, records) in (1769, 2048, 3008)


def test_failed_sizes_are_dropped_and_never_recommended() -> None:
    policy = adaptive("cost")
    records = run(policy, min_memory_mb=600)
    failed = {
        e.configuration.memory_mb
        for e in policy.events
        if "failed" in e.message and e.configuration
    }
    assert failed == {128, 256, 512}
    rec = recommend(policy, records)
    assert rec is not None and rec >= 768


def test_every_size_failing_recommends_nothing() -> None:
    policy = adaptive("cost")
    records = run(policy, min_memory_mb=4000)
    assert recommend(policy, records) is None
    assert policy.contenders == ()


def test_invocation_budget_is_respected() -> None:
    policy = adaptive("speed", budget_invocations=40, tolerance=0.0)
    records = run(policy, noise_sigma=0.3, threads=2)
    assert len(records) <= 40
    assert any(e.action == "budget" for e in policy.events)


def test_usd_budget_stops_the_run() -> None:
    policy = adaptive("speed", budget_usd=0.0002, tolerance=0.0)
    records = run(policy, noise_sigma=0.3, threads=2)
    spent = sum(
        r.billed_duration_ms / 1000 * r.memory_mb / 1024 * 0.0000166667 + 2e-7 for r in records
    )
    assert spent <= 0.0002 * 1.25
    assert any(e.action == "budget" for e in policy.events)


def test_latency_budget_gets_enough_samples_for_p90() -> None:
    spec = parse_strategy("latency-budget", latency_budget_ms=400.0, latency_percentile=90)
    policy = AdaptiveSampling(spec, seed=3, rate_for=lambda a: RATE)
    records = run(policy)
    warm = Counter(r.memory_mb for r in records if not r.cold_start and not r.failed)
    assert policy.contenders
    assert all(warm[c.memory_mb] >= 10 for c in policy.contenders)
    assert "p90 needs 10 warm samples" in policy.events[0].message
    rec = recommend(policy, records)
    assert rec is not None and rec >= 512  # 128/256 MB take well over 400 ms


def test_weighted_payloads_keep_their_mix_per_size() -> None:
    policy = AdaptiveSampling(
        parse_strategy("cost"), seed=2, rate_for=lambda a: RATE, budget_invocations=90
    )
    records = run(
        policy,
        weights=(3.0, 1.0),
        payloads=[{"weight": 3, "work_factor": 1.0}, {"weight": 1, "work_factor": 4.0}],
        noise_sigma=0.3,
    )
    for c in CONFIGS:
        mine = [r.payload_index for r in records if r.memory_mb == c.memory_mb]
        if len(mine) >= 4:
            assert mine.count(0) >= mine.count(1)


def test_bad_settings_are_named() -> None:
    with pytest.raises(ConfigError, match="tolerance"):
        adaptive(tolerance=1.5)
    with pytest.raises(ConfigError, match="budget"):
        adaptive(budget_usd=0.0)


def test_max_invocations_bounds_the_plan() -> None:
    assert adaptive(budget_invocations=50).max_invocations(9) == 50
    assert adaptive().max_invocations(9) >= 27


def test_default_budget_is_set_in_dollars_from_the_first_round() -> None:
    policy = adaptive("speed", tolerance=0.0)
    records = run(policy, noise_sigma=0.3, threads=2)
    budget_events = [e for e in policy.events if e.action == "budget"]
    assert budget_events[0].message.startswith("default budget $")
    first_round = records[: 3 * len(CONFIGS)]
    first_usd = sum(
        r.billed_duration_ms / 1000 * r.memory_mb / 1024 * 0.0000166667 + 2e-7 for r in first_round
    )
    spent = sum(
        r.billed_duration_ms / 1000 * r.memory_mb / 1024 * 0.0000166667 + 2e-7 for r in records
    )
    assert spent <= first_usd * 5 / 3 * 1.05  # 5 invocations per configuration by default
    assert len(records) > len(first_round)
