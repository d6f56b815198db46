"""What the engine measures: failed sizes, allowed errors, interleaving, weighted payloads."""

from __future__ import annotations

import itertools

from powertune.backends.fake import FakeBackend, Script, cpu_bound_script
from powertune.clock import ManualClock
from powertune.tuning.analysis import analyze
from powertune.tuning.engine import Tuner, TuningRun
from powertune.tuning.models import (
    SANDBOX_TIMEDOUT,
    Architecture,
    Configuration,
    Payload,
    StrategySpec,
)
from powertune.tuning.plan import build_plan
from powertune.tuning.ports import InvokeOutcome
from powertune.tuning.pricing import PriceRate
from powertune.tuning.sampling import FixedSampling

SIZES = (128, 256, 512)
RATE = PriceRate(0.0000166667, 0.0000002)


def rate_for(arch: Architecture) -> PriceRate:
    return RATE


def tune(
    script: Script,
    *,
    invocations: int = 6,
    seed: int | None = 3,
    payloads: tuple[Payload, ...] = (Payload(b"{}"),),
    allowed_errors: tuple[str, ...] = (),
) -> tuple[TuningRun, FakeBackend]:
    backend = FakeBackend(script)
    backend.add_function("fn", memory_mb=1024, timeout_s=3)
    plan = build_plan(
        function="fn",
        memory_sizes=SIZES,
        architectures=(Architecture.X86_64,),
        payloads=payloads,
        strategy=StrategySpec(),
        sampling=f"fixed({invocations})",
        max_invocations=invocations * len(SIZES),
        scratch_copy=False,
        run_id="meas1",
        seed=seed,
        allowed_errors=allowed_errors,
    )
    result = Tuner(plan, backend, FixedSampling(invocations, seed=seed), clock=ManualClock()).run()
    _, versions, aliases = backend.state("fn")
    assert (versions, aliases) == ({}, {})
    return result, backend


def timeout_at(memory: int) -> Script:
    fast = cpu_bound_script()

    def script(m: int, arch: Architecture, payload: bytes, call: int) -> InvokeOutcome:
        if m == memory:
            return InvokeOutcome(
                b'{"errorMessage": "Task timed out after 3.00 seconds"}',
                3000.0,
                3000,
                function_error="Unhandled",
                error_type=SANDBOX_TIMEDOUT,
            )
        return fast(m, arch, payload, call)

    return script


def invokes_of(backend: FakeBackend, memory: int) -> int:
    return sum(1 for c in backend.calls if c[0] == "Invoke" and c[2] == f"pt-meas1-{memory}-x86_64")


def test_a_size_that_times_out_is_failed_and_the_others_are_analysed() -> None:
    result, backend = tune(timeout_at(128))
    assert invokes_of(backend, 128) == 1  # one error fails the size: no more spent on it
    assert invokes_of(backend, 256) == invokes_of(backend, 512) == 7
    analysis = analyze(result.records, strategy=StrategySpec(), rate_for=rate_for)
    assert [s.configuration.memory_mb for s in analysis.failed] == [128]
    assert analysis.failed[0].failure == "1 of 1 invocations failed: Sandbox.Timedout ×1"
    assert [s.configuration.memory_mb for s in analysis.stats] == [256, 512]
    assert analysis.recommendation is not None
    assert analysis.recommendation.configuration.memory_mb in (256, 512)


def test_every_size_failing_gives_no_recommendation() -> None:
    def oom(m: int, arch: Architecture, payload: bytes, call: int) -> InvokeOutcome:
        return InvokeOutcome(
            b"", 50.0, 50, function_error="Unhandled", error_type="Runtime.OutOfMemory"
        )

    result, _ = tune(oom)
    assert len(result.records) == 3
    analysis = analyze(result.records, strategy=StrategySpec(), rate_for=rate_for)
    assert analysis.recommendation is None
    assert {s.failure for s in analysis.failed} == {
        "1 of 1 invocations failed: Runtime.OutOfMemory ×1"
    }


def handler_error_at_256(m: int, arch: Architecture, payload: bytes, call: int) -> InvokeOutcome:
    ok = cpu_bound_script()(m, arch, payload, call)
    if m == 256:
        return InvokeOutcome(
            b'{"errorType": "ItemNotFound"}',
            ok.duration_ms,
            ok.billed_duration_ms,
            function_error="Unhandled",
            error_type="ItemNotFound",
        )
    return ok


def test_allowed_errors_keep_the_size_in_the_statistics() -> None:
    result, backend = tune(handler_error_at_256, allowed_errors=("ItemNotFound",))
    assert invokes_of(backend, 256) == 7
    errors = [r.error_type for r in result.records if r.memory_mb == 256]
    assert errors == ["ItemNotFound"] * 7
    analysis = analyze(
        result.records,
        strategy=StrategySpec(),
        rate_for=rate_for,
        allowed_errors=result.plan.allowed_errors,
    )
    assert analysis.failed == ()
    assert next(s for s in analysis.stats if s.configuration.memory_mb == 256).samples == 7


def test_without_allowed_errors_a_handler_error_fails_the_size() -> None:
    result, backend = tune(handler_error_at_256)
    assert invokes_of(backend, 256) == 1
    analysis = analyze(result.records, strategy=StrategySpec(), rate_for=rate_for)
    assert [s.configuration.memory_mb for s in analysis.failed] == [256]
    assert "ItemNotFound ×1" in (analysis.failed[0].failure or "")


def test_records_are_interleaved_not_in_blocks() -> None:
    result, _ = tune(cpu_bound_script(), invocations=10)
    sampled = [r.memory_mb for r in result.records[len(SIZES) :]]  # after the warm-ups
    assert len(sampled) == 30
    changes = sum(1 for a, b in itertools.pairwise(sampled) if a != b)
    assert changes > 10  # in blocks there would be 2
    assert [r.sequence for r in result.records] == list(range(len(result.records)))


def test_warm_up_comes_first_for_every_size() -> None:
    result, _ = tune(cpu_bound_script())
    assert [r.memory_mb for r in result.records[:3]] == list(SIZES)


def test_a_seed_reproduces_the_invocation_order() -> None:
    def order(seed: int) -> list[tuple[int, int]]:
        result, _ = tune(cpu_bound_script(), invocations=8, seed=seed)
        return [(r.memory_mb, r.payload_index) for r in result.records]

    assert order(11) == order(11)
    assert order(11) != order(12)


def test_weighted_payloads_are_interleaved_in_proportion() -> None:
    seen: list[tuple[int, bytes]] = []
    base = cpu_bound_script()

    def script(m: int, arch: Architecture, payload: bytes, call: int) -> InvokeOutcome:
        seen.append((m, payload))
        return base(m, arch, payload, call)

    payloads = (Payload(b'{"kind": "small"}', 3.0), Payload(b'{"kind": "big"}', 1.0))
    result, _ = tune(script, invocations=8, payloads=payloads)
    for memory in SIZES:
        sampled = [r.payload_index for r in result.records[3:] if r.memory_mb == memory]
        assert sampled.count(0) == 6
        assert sampled.count(1) == 2
    bodies = [p for _, p in seen[3:]]
    assert bodies.count(b'{"kind": "big"}') == 6
    # interleaved: the big payloads are not all at the end or all at the start
    big_positions = [i for i, b in enumerate(bodies) if b == b'{"kind": "big"}']
    assert big_positions != list(range(len(bodies) - 6, len(bodies)))
    assert big_positions != list(range(6))
    # every record names the payload actually sent
    for record, (_, body) in zip(result.records, seen, strict=True):
        assert body == payloads[record.payload_index].body


def test_backend_error_on_invoke_fails_only_that_size() -> None:
    result, _ = tune(cpu_bound_script())
    assert result.backend_failures == {}
    backend2 = FakeBackend()
    backend2.add_function("fn")
    calls = {"n": 0}

    def fail_first_invoke(operation: str) -> None:
        if operation == "Invoke":
            calls["n"] += 1
            if calls["n"] == 1:
                backend2.fail_on["GetFunctionConfiguration"] = "ServiceException"

    backend2.after_call = fail_first_invoke
    plan = build_plan(
        function="fn",
        memory_sizes=(128, 256),
        architectures=(Architecture.X86_64,),
        payloads=(Payload(b"{}"),),
        strategy=StrategySpec(),
        sampling="fixed(3)",
        max_invocations=6,
        scratch_copy=False,
        run_id="meas2",
        seed=1,
    )
    warnings: list[str] = []
    run = Tuner(
        plan, backend2, FixedSampling(3, seed=1), clock=ManualClock(), on_warning=warnings.append
    ).run()
    assert set(run.backend_failures) == {Configuration(128)}
    assert "ServiceException" in run.backend_failures[Configuration(128)]
    assert {r.memory_mb for r in run.records} == {256}
    assert any("128MB/x86_64 marked failed" in w for w in warnings)
