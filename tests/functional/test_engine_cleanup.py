"""The engine's control-plane sequence and its clean-up on success, failure and interrupt.

Every test drives a real `Tuner` over the in-memory `FakeBackend` and asserts on the
calls it made and on the function's state afterwards (`FakeBackend.state`).
"""

from __future__ import annotations

import pytest

from powertune.backends.fake import FakeBackend
from powertune.clock import ManualClock
from powertune.errors import BackendError
from powertune.tuning.engine import Tuner, TuningRun
from powertune.tuning.ledger import ChangeKind, Status
from powertune.tuning.models import Architecture, Payload, StrategySpec
from powertune.tuning.plan import TuningPlan, build_plan
from powertune.tuning.ports import FunctionConfig
from powertune.tuning.sampling import FixedSampling
from powertune.tuning.undo import undo

RUN = "run1"
ALIASES = {f"pt-{RUN}-256-x86_64", f"pt-{RUN}-512-x86_64"}


class RevisionRecordingBackend(FakeBackend):
    """The fake, also noting (RevisionId passed, RevisionId of $LATEST at that moment)."""

    def __init__(self) -> None:
        super().__init__()
        self.revisions: list[tuple[str | None, str]] = []

    def update_configuration(
        self,
        function_name: str,
        *,
        memory_mb: int,
        architecture: Architecture,
        revision_id: str | None,
    ) -> FunctionConfig:
        current = self.state(function_name)[0].revision_id
        self.revisions.append((revision_id, current))
        return super().update_configuration(
            function_name, memory_mb=memory_mb, architecture=architecture, revision_id=revision_id
        )


def make_plan(sizes: tuple[int, ...] = (256, 512), invocations: int = 4) -> TuningPlan:
    return build_plan(
        function="fn",
        memory_sizes=sizes,
        architectures=(Architecture.X86_64,),
        payloads=(Payload(b"{}"),),
        strategy=StrategySpec(),
        sampling=f"fixed({invocations})",
        max_invocations=invocations * len(sizes),
        scratch_copy=False,
        run_id=RUN,
        seed=7,
    )


def run(backend: FakeBackend, plan: TuningPlan | None = None) -> tuple[TuningRun, list[str]]:
    plan = plan or make_plan()
    warnings: list[str] = []
    tuner = Tuner(
        plan,
        backend,
        FixedSampling(4, seed=7),
        clock=ManualClock(),
        on_warning=warnings.append,
    )
    return tuner.run(), warnings


def assert_untouched(backend: FakeBackend, memory_mb: int = 128) -> None:
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == memory_mb
    assert versions == {}
    assert aliases == {}


def test_exact_control_plane_sequence() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    run(backend)
    control = [c for c in backend.calls if c[0] not in ("Invoke", "GetFunctionConfiguration")]
    assert control == [
        ("UpdateFunctionConfiguration", "fn", "256", "x86_64"),
        ("PublishVersion", "fn", f"powertune run {RUN} 256MB/x86_64"),
        ("CreateAlias", "fn", f"pt-{RUN}-256-x86_64", "1"),
        ("UpdateFunctionConfiguration", "fn", "512", "x86_64"),
        ("PublishVersion", "fn", f"powertune run {RUN} 512MB/x86_64"),
        ("CreateAlias", "fn", f"pt-{RUN}-512-x86_64", "2"),
        ("UpdateFunctionConfiguration", "fn", "128", "x86_64"),  # restore
        # aliases in reverse order (the undo order: a moved alias goes back step by step)
        ("DeleteAlias", "fn", f"pt-{RUN}-512-x86_64"),
        ("DeleteAlias", "fn", f"pt-{RUN}-256-x86_64"),
        ("DeleteFunction", "fn", "1"),
        ("DeleteFunction", "fn", "2"),
    ]
    assert backend.calls[0] == ("GetFunctionConfiguration", "fn", "")


def test_latest_is_restored_before_the_first_invoke_and_only_aliases_are_invoked() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    run(backend)
    names = [c[0] for c in backend.calls]
    restore_call = ("UpdateFunctionConfiguration", "fn", "128")
    restore = max(i for i, c in enumerate(backend.calls) if c[:3] == restore_call)
    first_invoke = names.index("Invoke")
    assert restore < first_invoke
    assert "UpdateFunctionConfiguration" not in names[first_invoke:]
    invoked = {c[2] for c in backend.calls if c[0] == "Invoke"}
    assert invoked == ALIASES


def test_every_update_carries_the_previous_revision_id() -> None:
    backend = RevisionRecordingBackend()
    original = backend.add_function("fn", memory_mb=128)
    run(backend)
    assert len(backend.revisions) == 3
    assert backend.revisions[0][0] == original.revision_id
    for passed, current in backend.revisions:
        assert passed is not None
        assert passed == current


def test_success_leaves_nothing_behind() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    result, warnings = run(backend)
    assert_untouched(backend)
    assert warnings == []
    assert len(result.records) == 2 * (4 + 1)  # 4 samples + one warm-up per size
    assert result.original.memory_mb == 128
    assert result.function_arn.endswith(":function:fn")


def test_backend_error_mid_prepare_restores_and_deletes_everything() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)

    def fail_second_publish(operation: str) -> None:
        if operation == "CreateAlias":
            backend.fail_on["PublishVersion"] = "ServiceException"

    backend.after_call = fail_second_publish
    with pytest.raises(BackendError) as err:
        run(backend)
    assert err.value.code == "ServiceException"
    backend.after_call = None
    assert_untouched(backend)
    assert ("DeleteAlias", "fn", f"pt-{RUN}-256-x86_64") in backend.calls
    assert ("DeleteFunction", "fn", "1") in backend.calls
    assert not any(c[0] == "Invoke" for c in backend.calls)


def test_first_publish_failing_still_restores_latest() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    backend.fail_on["PublishVersion"] = "TooManyRequestsException"
    with pytest.raises(BackendError):
        run(backend)
    assert_untouched(backend)


def test_keyboard_interrupt_during_invocations_cleans_up() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    seen = {"invokes": 0}

    def interrupt_on_fifth_invoke(operation: str) -> None:
        if operation == "Invoke":
            seen["invokes"] += 1
            if seen["invokes"] == 5:
                raise KeyboardInterrupt

    backend.after_call = interrupt_on_fifth_invoke
    with pytest.raises(KeyboardInterrupt):
        run(backend)
    assert seen["invokes"] == 5
    assert_untouched(backend)
    assert [c[0] for c in backend.calls[-4:]] == ["DeleteAlias"] * 2 + ["DeleteFunction"] * 2


def test_keyboard_interrupt_during_prepare_restores_latest() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)

    def interrupt(operation: str) -> None:
        if operation == "PublishVersion":
            backend.after_call = None
            raise KeyboardInterrupt

    backend.after_call = interrupt
    with pytest.raises(KeyboardInterrupt):
        run(backend)
    assert_untouched(backend)


def test_deploy_between_prepare_and_restore_is_left_alone_with_a_warning() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    aliases_created = {"n": 0}

    def deploy_after_prepare(operation: str) -> None:
        if operation == "CreateAlias":
            aliases_created["n"] += 1
            if aliases_created["n"] == 2:
                backend.external_update("fn", 1024)

    backend.after_call = deploy_after_prepare
    result, warnings = run(backend)
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 1024  # their deploy, not overwritten by our restore
    assert versions == {}
    assert aliases == {}
    assert len(warnings) == 1
    assert "changed during the run" in warnings[0]
    assert "left as they set it instead of restoring 128 MB" in warnings[0]
    assert result.warnings == tuple(warnings)
    assert len(result.records) == 10  # the run itself still completed


def test_deploy_during_prepare_stops_the_run_and_leaves_their_change() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)

    def deploy_once(operation: str) -> None:
        if operation == "CreateAlias":
            backend.after_call = None
            backend.external_update("fn", 2048)

    backend.after_call = deploy_once
    warnings: list[str] = []
    tuner = Tuner(
        make_plan(), backend, FixedSampling(4), clock=ManualClock(), on_warning=warnings.append
    )
    with pytest.raises(BackendError) as err:
        tuner.run()
    assert err.value.code == "PreconditionFailedException"
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 2048
    assert versions == {}
    assert aliases == {}
    assert any("changed during the run" in w for w in warnings)


def test_existing_version_returned_by_publish_is_used_but_never_deleted() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=256)
    users = backend.publish_version("fn", description="release 1", code_sha256="")
    backend.calls.clear()
    result, warnings = run(backend)
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 256
    assert versions == {users.version: users}
    assert aliases == {}
    assert any("reusing existing version 1" in w for w in warnings)
    assert ("DeleteFunction", "fn", "1") not in backend.calls
    assert len(result.records) == 10


class LandsThenTimesOut(FakeBackend):
    """An update that is applied, after which waiting for it fails (AwsBackend's wait)."""

    def __init__(self, fail_on_update: int) -> None:
        super().__init__()
        self.fail_on_update = fail_on_update
        self.updates = 0

    def update_configuration(
        self,
        function_name: str,
        *,
        memory_mb: int,
        architecture: Architecture,
        revision_id: str | None,
    ) -> FunctionConfig:
        result = super().update_configuration(
            function_name, memory_mb=memory_mb, architecture=architecture, revision_id=revision_id
        )
        self.updates += 1
        if self.updates == self.fail_on_update:
            raise BackendError("WaitForUpdate", "Timeout", f"{function_name} still InProgress")
        return result


@pytest.mark.parametrize("fail_on_update", [1, 2])
def test_an_update_that_landed_before_its_wait_failed_is_still_restored(
    fail_on_update: int,
) -> None:
    backend = LandsThenTimesOut(fail_on_update)
    backend.add_function("fn", memory_mb=128)
    with pytest.raises(BackendError, match="Timeout"):
        run(backend)
    assert_untouched(backend)


def test_an_update_that_raised_is_not_mistaken_for_a_deploy() -> None:
    backend = LandsThenTimesOut(1)
    backend.add_function("fn", memory_mb=128)

    def deploy_after_failed_update(operation: str) -> None:
        if operation == "GetFunctionConfiguration" and backend.updates == 1:
            backend.after_call = None
            backend.external_update("fn", 2048, code=b"their release")

    backend.after_call = deploy_after_failed_update
    with pytest.raises(BackendError):
        run(backend)
    assert backend.state("fn")[0].memory_mb == 2048  # theirs, left alone


class PublishLandsThenFails(FakeBackend):
    """PublishVersion creates the version, then the wait for it fails (AwsBackend's wait)."""

    def publish_version(
        self,
        function_name: str,
        *,
        description: str,
        code_sha256: str,
        revision_id: str | None = None,
    ) -> FunctionConfig:
        super().publish_version(
            function_name, description=description, code_sha256=code_sha256, revision_id=revision_id
        )
        raise BackendError("WaitForUpdate", "Timeout", f"{function_name} version still Pending")


def test_a_version_whose_publish_raised_is_found_and_deleted() -> None:
    backend = PublishLandsThenFails()
    backend.add_function("fn", memory_mb=128)
    with pytest.raises(BackendError, match="Pending"):
        run(backend)
    assert_untouched(backend)
    assert ("ListVersionsByFunction", "fn") in backend.calls


def test_a_failing_delete_alias_is_reported_and_the_rest_is_still_undone() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    stuck = f"pt-{RUN}-512-x86_64"
    backend.fail_always[("DeleteAlias", "fn", stuck)] = "AccessDeniedException"
    warnings: list[str] = []
    tuner = Tuner(
        make_plan(), backend, FixedSampling(4), clock=ManualClock(), on_warning=warnings.append
    )
    result = tuner.run()
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 128
    assert (set(versions), set(aliases)) == ({"2"}, {stuck})  # only what the alias holds
    assert len(result.records) == 10
    assert [w.startswith("clean-up incomplete; run `powertune cleanup fn`") for w in warnings] == [
        True
    ]
    assert tuner.ledger is not None
    pending = [(e.kind, e.status) for _, e in tuner.ledger.pending()]
    assert pending == [
        (ChangeKind.VERSION_PUBLISHED, Status.DONE),
        (ChangeKind.ALIAS_CREATED, Status.DONE),
    ]
    backend.fail_always.clear()
    problems = undo(tuner.ledger, backend)  # what `powertune cleanup` does next
    assert problems == []
    assert_untouched(backend)
