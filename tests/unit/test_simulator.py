"""The simulator backend: determinism, billing, failures and cold starts."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from powertune.backends.ground_truth import true_expectations
from powertune.backends.simulator import SimulatedFunction, SimulatorBackend
from powertune.backends.workload import WorkloadProfile, load_profile, profile_from_dict
from powertune.errors import ConfigError
from powertune.tuning.models import (
    RUNTIME_OUT_OF_MEMORY,
    SANDBOX_TIMEDOUT,
    Architecture,
    Configuration,
)
from powertune.tuning.pricing import PriceRate

X86 = Architecture.X86_64
RATE = PriceRate(0.0000166667, 0.0000002)


def profile(**overrides: object) -> WorkloadProfile:
    raw: dict[str, object] = {"name": "t", "cpu_ms": 100.0, "io_ms": 10.0, "noise_sigma": 0.1}
    raw.update(overrides)
    return profile_from_dict(raw)


def draws(p: WorkloadProfile, seed: int, memory: int, n: int) -> list[float]:
    sim = SimulatedFunction(p, seed=seed)
    return [sim.record(Configuration(memory, X86), 0).duration_ms for _ in range(n)]


def test_same_seed_same_samples_and_other_seed_differs() -> None:
    p = profile()
    assert draws(p, 7, 512, 20) == draws(p, 7, 512, 20)
    assert draws(p, 7, 512, 20) != draws(p, 8, 512, 20)


def test_samples_do_not_depend_on_interleaving_with_other_sizes() -> None:
    p = profile()
    alone = draws(p, 3, 1024, 5)
    sim = SimulatedFunction(p, seed=3)
    mixed = []
    for _ in range(5):
        sim.record(Configuration(128, X86), 0)
        mixed.append(sim.record(Configuration(1024, X86), 0).duration_ms)
    assert mixed == alone


def test_billing_rounds_each_invocation_up_to_the_millisecond() -> None:
    sim = SimulatedFunction(profile(cpu_ms=0.3, io_ms=0.2, noise_sigma=0.2), seed=1)
    records = [sim.record(Configuration(1769, X86), 0) for _ in range(50)]
    warm = [r for r in records if not r.cold_start]
    assert all(r.billed_duration_ms == math.ceil(r.duration_ms) for r in warm)
    assert all(r.billed_duration_ms >= 1 for r in records)


def test_cold_start_first_then_warm_and_init_is_billed() -> None:
    sim = SimulatedFunction(profile(init_cpu_ms=100.0, init_io_ms=50.0), seed=2)
    first, second = (sim.record(Configuration(1769, X86), 0) for _ in range(2))
    assert first.cold_start and first.init_duration_ms is not None
    assert first.billed_duration_ms == math.ceil(first.duration_ms + first.init_duration_ms)
    assert not second.cold_start


def test_init_shrinks_with_cpu() -> None:
    p = profile(init_cpu_ms=200.0)
    assert p.init_ms(128) > 10 * p.init_ms(1769)


def test_cold_start_probability_one_makes_every_invocation_cold() -> None:
    sim = SimulatedFunction(profile(init_cpu_ms=10.0, cold_start_probability=1.0), seed=2)
    assert all(sim.record(Configuration(512, X86), 0).cold_start for _ in range(5))


def test_out_of_memory_below_the_minimum() -> None:
    sim = SimulatedFunction(profile(min_memory_mb=300, memory_used_mb=250), seed=1)
    small = sim.record(Configuration(256, X86), 0)
    big = sim.record(Configuration(512, X86), 0)
    assert small.error_type == RUNTIME_OUT_OF_MEMORY and small.max_memory_used_mb == 256
    assert big.error_type is None and big.max_memory_used_mb == 250


def test_timeout_caps_duration_and_billing() -> None:
    sim = SimulatedFunction(profile(cpu_ms=1000.0, timeout_s=3.0), seed=1)
    r = sim.record(Configuration(128, X86), 0)  # ~13.8 s of work at 7% of a vCPU
    assert r.error_type == SANDBOX_TIMEDOUT
    assert r.duration_ms == 3000.0
    assert r.billed_duration_ms <= math.ceil(3000.0 + (r.init_duration_ms or 0.0))


def test_multi_threaded_work_keeps_speeding_up_past_one_vcpu() -> None:
    single, multi = profile(threads=1), profile(threads=2)
    assert single.expected_base_ms(3008) == pytest.approx(single.expected_base_ms(1769))
    assert multi.expected_base_ms(3008) < 0.7 * multi.expected_base_ms(1769)


def test_shapes_step_bump_and_plateau() -> None:
    base = profile(noise_sigma=0.0)
    step = profile(shapes=[{"kind": "step", "from_mb": 1024, "factor": 0.5}])
    bump = profile(shapes=[{"kind": "bump", "from_mb": 512, "to_mb": 768, "factor": 2.0}])
    plateau = profile(shapes=[{"kind": "plateau", "from_mb": 512}])
    assert step.expected_base_ms(1024) == pytest.approx(0.5 * base.expected_base_ms(1024))
    assert bump.expected_base_ms(768) == pytest.approx(2 * base.expected_base_ms(768))
    assert bump.expected_base_ms(1024) == pytest.approx(base.expected_base_ms(1024))
    assert plateau.expected_base_ms(2048) == pytest.approx(plateau.expected_base_ms(512))


def test_trace_replay_draws_only_recorded_values() -> None:
    p = profile_from_dict({"name": "r", "traces_ms": {512: [10.0, 20.0, 30.0]}})
    values = set(draws(p, 1, 512, 30))
    assert values <= {10.0, 20.0, 30.0} and len(values) > 1
    with pytest.raises(ConfigError, match="1024 MB"):
        draws(p, 1, 1024, 1)


def test_bad_profile_values_are_named() -> None:
    with pytest.raises(ConfigError, match="noise_sigma"):
        profile(noise_sigma=-1)
    with pytest.raises(ConfigError, match="unknown profile keys"):
        profile(cpu_millis=3)


def test_true_expectations_match_the_analytic_mean_without_noise() -> None:
    p = profile(noise_sigma=0.0)
    truth = true_expectations(p, [512], RATE, samples=1000)[512]
    expected = p.expected_base_ms(512)
    assert truth.mean_duration_ms == pytest.approx(expected)
    billed = math.ceil(expected)
    assert truth.mean_cost_usd == pytest.approx(billed / 1000 * 0.5 * 0.0000166667 + 2e-7)


def test_true_expectations_mark_failing_sizes() -> None:
    truth = true_expectations(profile(min_memory_mb=300), [256, 512], RATE, samples=1000)
    assert truth[256].failure == RUNTIME_OUT_OF_MEMORY and truth[512].failure is None


def test_backend_versions_keep_their_memory_and_start_cold(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: p\ncpu_ms: 50\nio_ms: 5\ninit_cpu_ms: 20\nseed: 11\n")
    backend = SimulatorBackend.from_profile(path)
    latest = backend.get_configuration("fn")
    backend.update_configuration("fn", memory_mb=256, architecture=X86, revision_id=None)
    v256 = backend.publish_version("fn", description="a", code_sha256=latest.code_sha256)
    backend.update_configuration("fn", memory_mb=2048, architecture=X86, revision_id=None)
    v2048 = backend.publish_version("fn", description="b", code_sha256=latest.code_sha256)
    slow, fast = (
        backend.invoke("fn", v256.version, b"{}"),
        backend.invoke("fn", v2048.version, b"{}"),
    )
    assert slow.init_duration_ms is not None and fast.init_duration_ms is not None
    assert slow.duration_ms > 3 * fast.duration_ms
    assert backend.invoke("fn", v256.version, b"{}").init_duration_ms is None
    assert backend.describe()["seed"] == "11"


def test_backend_refuses_arm64_unless_the_profile_models_it() -> None:
    backend = SimulatorBackend(profile())
    assert backend.supported_architectures() == frozenset({X86})
    both = SimulatorBackend(profile(arm64_duration_factor=0.9))
    assert Architecture.ARM64 in both.supported_architectures()


def test_committed_benchmark_profiles_all_load() -> None:
    folder = Path(__file__).resolve().parents[2] / "benchmarks" / "decision" / "profiles"
    profiles = [load_profile(p) for p in sorted(folder.glob("*.yaml"))]
    assert len(profiles) >= 50
    held_out = sum(p.held_out for p in profiles)
    assert len(profiles) // 5 <= held_out <= len(profiles) // 3
