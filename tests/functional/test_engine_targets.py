"""What the engine may tune: qualified targets, scratch copies, architectures."""

from __future__ import annotations

import pytest

from powertune.backends.fake import FakeBackend
from powertune.clock import ManualClock
from powertune.errors import BackendError, ConfigError, UnsupportedArchitecture
from powertune.tuning.engine import Tuner, TuningRun
from powertune.tuning.models import Architecture, Payload, StrategySpec
from powertune.tuning.plan import build_plan
from powertune.tuning.sampling import FixedSampling


def tune(
    backend: FakeBackend,
    function: str,
    *,
    scratch_copy: bool = False,
    architectures: tuple[Architecture, ...] = (Architecture.X86_64,),
) -> TuningRun:
    plan = build_plan(
        function=function,
        memory_sizes=(256, 512),
        architectures=architectures,
        payloads=(Payload(b"{}"),),
        strategy=StrategySpec(),
        sampling="fixed(2)",
        max_invocations=4 * len(architectures),
        scratch_copy=scratch_copy,
        run_id="tgt1",
        seed=1,
    )
    return Tuner(plan, backend, FixedSampling(2, seed=1), clock=ManualClock()).run()


def with_release(code_changed: bool) -> FakeBackend:
    """`fn` with version 1 published from code v1; $LATEST then maybe redeployed."""
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128, code=b"v1")
    backend.publish_version("fn", description="release 1", code_sha256="")
    backend.create_alias("fn", "live", "1")
    if code_changed:
        backend.external_update("fn", 128, code=b"v2")
    backend.calls.clear()
    return backend


def test_qualified_target_with_other_code_is_refused_before_any_change() -> None:
    backend = with_release(code_changed=True)
    before = backend.state("fn")
    with pytest.raises(ConfigError) as err:
        tune(backend, "fn:live")
    message = str(err.value)
    assert "fn:live (version 1) has other code or configuration than $LATEST" in message
    assert "--scratch-copy" in message
    assert backend.state("fn") == before
    assert {c[0] for c in backend.calls} == {"GetFunctionConfiguration"}


def test_qualified_arn_with_other_code_is_refused_too() -> None:
    backend = with_release(code_changed=True)
    with pytest.raises(ConfigError, match="other code"):
        tune(backend, "arn:aws:lambda:us-east-1:123456789012:function:fn:1")


def test_qualified_target_with_the_same_code_is_tuned_in_place() -> None:
    backend = with_release(code_changed=False)
    result = tune(backend, "fn:live")
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 128
    assert set(versions) == {"1"}  # the user's release survives
    assert aliases == {"live": "1"}
    assert len(result.records) == 6


def test_scratch_copy_of_a_qualified_target_never_touches_the_original() -> None:
    backend = with_release(code_changed=True)
    before = backend.state("fn")
    release = before[1]["1"]
    seen_code: list[str] = []
    original_invoke = backend.invoke

    def invoke(function_name: str, qualifier: str, payload: bytes):  # type: ignore[no-untyped-def]
        seen_code.append(backend.get_configuration(function_name, qualifier).code_sha256)
        return original_invoke(function_name, qualifier, payload)

    backend.invoke = invoke  # type: ignore[method-assign]
    result = tune(backend, "fn:live", scratch_copy=True)
    assert backend.state("fn") == before
    assert backend.function_names == ["fn"]  # the copy is gone
    touched = {c[1] for c in backend.calls if c[0] != "GetFunctionConfiguration"}
    assert touched == {"fn-pt-tgt1"}
    assert ("CreateFunction", "fn-pt-tgt1") in backend.calls
    assert ("DeleteFunction", "fn-pt-tgt1") in backend.calls
    assert set(seen_code) == {release.code_sha256}  # the release's code, not $LATEST's
    assert len(result.records) == 6
    assert result.function_name == "fn"


def test_scratch_copy_is_deleted_when_the_run_fails() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    backend.fail_on["PublishVersion"] = "ServiceException"
    with pytest.raises(BackendError, match="ServiceException"):
        tune(backend, "fn", scratch_copy=True)
    assert backend.function_names == ["fn"]
    assert backend.state("fn")[0].memory_mb == 128


def test_unsupported_architecture_is_refused_before_any_call() -> None:
    backend = FakeBackend(architectures=frozenset({Architecture.X86_64}))
    backend.add_function("fn", memory_mb=128)
    with pytest.raises(UnsupportedArchitecture) as err:
        tune(backend, "fn", architectures=(Architecture.X86_64, Architecture.ARM64))
    assert "cannot run arm64" in str(err.value)
    assert "Drop it from --architectures" in str(err.value)
    assert backend.calls == []


def test_both_architectures_are_published_and_invoked() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    result = tune(backend, "fn", architectures=(Architecture.X86_64, Architecture.ARM64))
    updates = [c[2:] for c in backend.calls if c[0] == "UpdateFunctionConfiguration"]
    assert updates == [
        ("256", "x86_64"),
        ("512", "x86_64"),
        ("256", "arm64"),
        ("512", "arm64"),
        ("128", "x86_64"),  # restored, architecture included
    ]
    assert {(r.memory_mb, r.architecture) for r in result.records} == {
        (256, Architecture.X86_64),
        (512, Architecture.X86_64),
        (256, Architecture.ARM64),
        (512, Architecture.ARM64),
    }
    assert backend.state("fn")[0].architecture is Architecture.X86_64


def test_missing_function_is_a_backend_error_before_any_change() -> None:
    backend = FakeBackend()
    with pytest.raises(BackendError, match="ResourceNotFoundException"):
        tune(backend, "ghost")
    assert [c[0] for c in backend.calls] == ["GetFunctionConfiguration"]
