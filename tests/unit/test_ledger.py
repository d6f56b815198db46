"""RunLedger and undo() over the scripted fake: order, persistence, failures carried past."""

from __future__ import annotations

import json

from powertune.backends.fake import FakeBackend
from powertune.tuning.ledger import (
    Change,
    ChangeKind,
    RunLedger,
    Status,
    alias_created,
    alias_moved,
    function_created,
    latest_updated,
    version_published,
)
from powertune.tuning.models import Architecture
from powertune.tuning.ports import AliasTarget, FunctionConfig
from powertune.tuning.undo import Problem, ProblemKind, undo

X86 = Architecture.X86_64
PREFIX = "powertune run run1 "


def tuned(backend: FakeBackend, sizes: tuple[int, ...] = (256, 512)) -> RunLedger:
    """A ledger and function as a run leaves them once every alias exists (`$LATEST` not restored).

    Each change is recorded before it is made and marked done after, as the engine does.
    """
    current = backend.add_function("fn", memory_mb=128)
    ledger = RunLedger(current, "run1")
    for memory in sizes:
        i = ledger.record(latest_updated(current, memory, X86, current.revision_id))
        updated = backend.update_configuration(
            "fn", memory_mb=memory, architecture=X86, revision_id=current.revision_id
        )
        ledger.done(i, revision_after=updated.revision_id)
        i = ledger.record(version_published("fn", f"{PREFIX}{memory}MB/x86_64"))
        version = backend.publish_version(
            "fn", description=f"{PREFIX}{memory}MB/x86_64", code_sha256=updated.code_sha256
        )
        current = backend.get_configuration("fn")
        ledger.done(i, version=version.version, revision_after=current.revision_id)
        i = ledger.record(alias_created("fn", f"pt-{memory}", version.version))
        backend.create_alias("fn", f"pt-{memory}", version.version)
        ledger.done(i)
    return ledger


def test_every_change_is_persisted_before_it_is_made() -> None:
    saved: list[list[Status]] = []
    ledger = RunLedger(FakeBackend().add_function("fn"), "run1")
    ledger.on_change = lambda lg: saved.append([e.status for e in lg.entries])
    i = ledger.record(alias_created("fn", "a", "1"))
    ledger.done(i)
    assert saved == [[Status.INTENDED], [Status.DONE]]


def test_the_ledger_round_trips_through_json() -> None:
    backend = FakeBackend()
    ledger = tuned(backend)
    ledger.record(function_created("fn-copy"))
    ledger.record(alias_moved("fn", "live", "1", "2", "alias-rev-1"))
    again = RunLedger.from_dict(json.loads(json.dumps(ledger.to_dict())))
    assert again.entries == ledger.entries
    assert again.original == ledger.original
    assert (again.run_id, again.closed) == ("run1", False)


def test_undo_order_restores_latest_then_aliases_then_versions() -> None:
    backend = FakeBackend()
    ledger = tuned(backend)
    backend.calls.clear()
    assert undo(ledger, backend) == []
    changes = [c[:3] for c in backend.calls if c[0] != "GetFunctionConfiguration"]
    assert changes == [
        ("UpdateFunctionConfiguration", "fn", "128"),
        ("DeleteAlias", "fn", "pt-512"),
        ("DeleteAlias", "fn", "pt-256"),
        ("DeleteFunction", "fn", "1"),
        ("DeleteFunction", "fn", "2"),
    ]
    assert {e.status for e in ledger.entries} == {Status.UNDONE}
    assert ledger.closed


def test_a_failing_delete_alias_does_not_stop_the_rest() -> None:
    backend = FakeBackend()
    ledger = tuned(backend)
    backend.fail_always[("DeleteAlias", "fn", "pt-512")] = "AccessDeniedException"
    problems = undo(ledger, backend)
    assert [(p.kind, p.resource) for p in problems] == [
        (ProblemKind.FAILED, "alias fn:pt-512"),
        (ProblemKind.FAILED, "version fn:2"),  # the alias still points at it
    ]
    assert all(p.outstanding for p in problems)
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 128  # restored
    assert (set(versions), aliases) == ({"2"}, {"pt-512": "2"})  # the rest is gone
    assert not ledger.closed
    pending = [(e.kind, e.alias or e.version) for _, e in ledger.pending()]
    assert pending == [(ChangeKind.VERSION_PUBLISHED, "2"), (ChangeKind.ALIAS_CREATED, "pt-512")]
    # a second undo (`powertune cleanup`) does only what is left
    backend.fail_always.clear()
    backend.calls.clear()
    assert undo(ledger, backend) == []
    assert backend.calls == [("DeleteAlias", "fn", "pt-512"), ("DeleteFunction", "fn", "2")]
    assert backend.state("fn")[1:] == ({}, {})
    assert ledger.closed


def test_a_failed_search_for_an_unrecorded_version_is_retried_next_time() -> None:
    backend = FakeBackend()
    original = backend.add_function("fn", memory_mb=128)
    ledger = RunLedger(original, "run1")
    ledger.record(version_published("fn", f"{PREFIX}128MB/x86_64"))
    backend.publish_version("fn", description=f"{PREFIX}128MB/x86_64", code_sha256="")
    backend.fail_on["ListVersionsByFunction"] = "ServiceException"
    [problem] = undo(ledger, backend)
    assert (problem.kind, problem.resource) == (ProblemKind.FAILED, "versions of fn")
    assert [e.status for e in ledger.entries] == [Status.INTENDED]
    assert undo(ledger, backend) == []
    assert backend.state("fn")[1] == {}
    assert ledger.closed


def test_an_intended_update_that_never_landed_changes_nothing() -> None:
    backend = FakeBackend()
    original = backend.add_function("fn", memory_mb=128)
    ledger = RunLedger(original, "run1")
    ledger.record(latest_updated(original, 256, X86, original.revision_id))
    backend.calls.clear()
    done: list[str] = []
    assert undo(ledger, backend, report=done.append) == []
    assert done == ["fn is already at its original 128 MB"]
    assert not any(c[0] == "UpdateFunctionConfiguration" for c in backend.calls)


def test_someone_elses_deploy_is_left_alone_and_reported() -> None:
    backend = FakeBackend()
    ledger = tuned(backend)
    backend.external_update("fn", 1024, code=b"their release")
    [problem] = undo(ledger, backend)
    assert (problem.kind, problem.resource) == (ProblemKind.LEFT_ALONE, "$LATEST of fn")
    assert backend.state("fn")[0].memory_mb == 1024
    latest = [e for e in ledger.entries if e.kind is ChangeKind.LATEST_UPDATED]
    assert {e.status for e in latest} == {Status.LEFT}
    assert ledger.closed  # nothing of ours is left


def test_a_moved_alias_needs_a_backend_that_can_move_it() -> None:
    backend = FakeBackend()
    ledger = RunLedger(backend.add_function("fn"), "run1")
    i = ledger.record(alias_moved("fn", "live", "1", "2", "r1"))
    ledger.done(i, revision_after="r2")
    [problem] = undo(ledger, backend)
    assert problem == Problem(
        ProblemKind.UNSUPPORTED, "alias fn:live", problem.message, problem.fix
    )
    assert ledger.pending() == [(i, ledger.entries[i])]


class AliasMovingBackend(FakeBackend):
    """The fake plus GetAlias and UpdateAlias (what `apply --alias` and its undo need)."""

    def get_alias(self, function_name: str, alias: str) -> AliasTarget | None:
        version = self._get(function_name).aliases.get(alias)
        return None if version is None else AliasTarget(version, "r2")

    def update_alias(
        self, function_name: str, alias: str, version: str, *, revision_id: str | None
    ) -> str:
        self.calls.append(("UpdateAlias", function_name, alias, version))
        self.create_alias(function_name, alias, version)
        return "r3"


def test_a_moved_alias_is_moved_back() -> None:
    backend = AliasMovingBackend()
    ledger = RunLedger(backend.add_function("fn"), "run1")
    for n in ("1", "2"):
        backend.update_configuration(
            "fn", memory_mb=128 * int(n), architecture=X86, revision_id=None
        )
        backend.publish_version("fn", description=f"release {n}", code_sha256="")
    backend.create_alias("fn", "live", "2")
    i = ledger.record(alias_moved("fn", "live", "1", "2", "r1"))
    ledger.done(i, revision_after="r2")
    done: list[str] = []
    assert undo(ledger, backend, report=done.append) == []
    assert backend.state("fn")[2] == {"live": "1"}
    assert done == ["moved alias fn:live back to version 1"]


def test_a_scratch_function_is_deleted_with_what_is_on_it() -> None:
    backend = FakeBackend()
    source = backend.add_function("fn", memory_mb=128)
    ledger = RunLedger(source, "run1")
    i = ledger.record(function_created("fn-copy"))
    copy: FunctionConfig = backend.create_scratch_copy(source, "fn-copy")
    ledger.done(i)
    ledger.record(latest_updated(copy, 256, X86, copy.revision_id))
    ledger.record(version_published("fn-copy", f"{PREFIX}256MB/x86_64"))
    backend.calls.clear()
    assert undo(ledger, backend) == []
    assert backend.calls == [("DeleteFunction", "fn-copy")]
    assert backend.function_names == ["fn"]
    assert all(e.status is Status.UNDONE for e in ledger.entries)


def test_change_defaults_to_intended() -> None:
    assert Change(ChangeKind.FUNCTION_CREATED, "fn").status is Status.INTENDED
