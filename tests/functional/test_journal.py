"""The on-disk journal and `recover`: finishing a run killed with SIGKILL.

A SIGKILL runs no `finally`; what is left is the journal file and the function as
the run left it. These tests rebuild exactly that state on a `FakeBackend` and
call `recover` on the journal file, as `powertune cleanup` does.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from powertune.backends.fake import FakeBackend
from powertune.clock import ManualClock
from powertune.errors import ConfigError
from powertune.journal import FileJournal, journal_region, pending_journals, recover
from powertune.tuning.engine import Tuner
from powertune.tuning.models import Architecture, Payload, StrategySpec
from powertune.tuning.plan import TuningPlan, build_plan
from powertune.tuning.sampling import FixedSampling

X86 = Architecture.X86_64


def make_plan(*, scratch_copy: bool = False) -> TuningPlan:
    return build_plan(
        function="fn",
        memory_sizes=(256, 512),
        architectures=(X86,),
        payloads=(Payload(b"{}"),),
        strategy=StrategySpec(),
        sampling="fixed(2)",
        max_invocations=4,
        scratch_copy=scratch_copy,
        run_id="run1",
        seed=1,
    )


def killed_mid_run(tmp_path: Path) -> tuple[FakeBackend, FileJournal]:
    """By hand, what the engine does up to the second version, then nothing (SIGKILL)."""
    backend = FakeBackend()
    original = backend.add_function("fn", memory_mb=128)
    journal = FileJournal(tmp_path, "fn", "run1")
    journal.begin(original, scratch_copy=None)
    revision = original.revision_id
    for memory in (256, 512):
        journal.updating(memory, X86)
        updated = backend.update_configuration(
            "fn", memory_mb=memory, architecture=X86, revision_id=revision
        )
        revision = updated.revision_id
        journal.updated(revision)
        journal.publishing("fn")
        version = backend.publish_version(
            "fn", description=f"powertune run run1 {memory}MB/x86_64", code_sha256=""
        )
        journal.created_version("fn", version.version)
        # As on AWS, the publish gave $LATEST a new RevisionId; the engine takes it.
        revision = backend.get_configuration("fn").revision_id
        journal.updated(revision)
        alias = f"pt-run1-{memory}-x86_64"
        journal.created_alias("fn", alias)
        backend.create_alias("fn", alias, version.version)
    return backend, journal


def test_recover_after_sigkill_deletes_everything_and_restores(tmp_path: Path) -> None:
    backend, journal = killed_mid_run(tmp_path)
    latest, versions, aliases = backend.state("fn")
    assert (latest.memory_mb, len(versions), len(aliases)) == (512, 2, 2)
    assert pending_journals(tmp_path, "fn") == [journal.path]
    done = recover(backend, journal.path)
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 128
    assert versions == {}
    assert aliases == {}
    assert done == [
        "deleted alias fn:pt-run1-256-x86_64",
        "deleted alias fn:pt-run1-512-x86_64",
        "deleted version fn:1",
        "deleted version fn:2",
        "restored fn to 128 MB",
    ]
    assert not journal.path.exists()
    assert pending_journals(tmp_path, "fn") == []


def test_recover_leaves_a_redeployed_function_alone(tmp_path: Path) -> None:
    backend, journal = killed_mid_run(tmp_path)
    backend.external_update("fn", 3008, code=b"new release")
    done = recover(backend, journal.path)
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 3008  # their deploy stands
    assert versions == {}
    assert aliases == {}
    assert "left fn alone: it changed after the run's last update" in done[-1]
    assert "original memory was 128 MB" in done[-1]
    assert not journal.path.exists()


def test_recover_after_restore_does_not_update_again(tmp_path: Path) -> None:
    backend, journal = killed_mid_run(tmp_path)
    backend.update_configuration(
        "fn", memory_mb=128, architecture=X86, revision_id=backend.state("fn")[0].revision_id
    )
    journal.restored()
    backend.external_update("fn", 640)  # a later deploy must not be touched
    backend.calls.clear()
    recover(backend, journal.path)
    assert backend.state("fn")[0].memory_mb == 640
    assert not any(c[0] == "UpdateFunctionConfiguration" for c in backend.calls)


def test_recover_of_a_scratch_copy_deletes_it_and_never_touches_the_original(
    tmp_path: Path,
) -> None:
    backend = FakeBackend()
    original = backend.add_function("fn", memory_mb=128)
    journal = FileJournal(tmp_path, "fn", "run1")
    journal.begin(original, scratch_copy="fn-pt-run1")
    journal.created_function("fn-pt-run1")
    copy_cfg = backend.create_scratch_copy(original, "fn-pt-run1")
    journal.updating(256, X86)
    backend.update_configuration(
        "fn-pt-run1", memory_mb=256, architecture=X86, revision_id=copy_cfg.revision_id
    )
    backend.calls.clear()
    done = recover(backend, journal.path)
    assert backend.function_names == ["fn"]
    assert backend.state("fn")[0] == original
    assert done == ["deleted scratch copy fn-pt-run1"]
    assert all(c[1] != "fn" for c in backend.calls)


def test_pending_journals_are_per_function(tmp_path: Path) -> None:
    backend = FakeBackend()
    a = FileJournal(tmp_path, "fn", "run1")
    a.begin(backend.add_function("fn"), scratch_copy=None)
    b = FileJournal(tmp_path, "other", "run2")
    b.begin(backend.add_function("other"), scratch_copy=None)
    assert pending_journals(tmp_path, "fn") == [a.path]
    assert pending_journals(tmp_path, "other") == [b.path]
    assert pending_journals(tmp_path / "nowhere", "fn") == []


def test_unreadable_journal_is_a_config_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "journals"
    folder.mkdir()
    broken = folder / "fn-run9.json"
    broken.write_text("{truncated")
    with pytest.raises(ConfigError) as err:
        pending_journals(tmp_path, "fn")
    assert str(broken) in str(err.value)
    with pytest.raises(ConfigError, match="cannot read journal"):
        recover(FakeBackend(), broken)


def test_engine_removes_its_journal_on_success(tmp_path: Path) -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    journal = FileJournal(tmp_path, "fn", "run1")
    Tuner(make_plan(), backend, FixedSampling(2), clock=ManualClock(), journal=journal).run()
    assert not journal.path.exists()


def test_engine_keeps_its_journal_when_clean_up_is_incomplete(tmp_path: Path) -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    journal = FileJournal(tmp_path, "fn", "run1")
    warnings: list[str] = []

    def fail_version_deletes(operation: str) -> None:
        if operation == "DeleteAlias":
            backend.fail_on["DeleteFunction"] = "ServiceException"

    backend.after_call = fail_version_deletes
    Tuner(
        make_plan(),
        backend,
        FixedSampling(2),
        clock=ManualClock(),
        journal=journal,
        on_warning=warnings.append,
    ).run()
    assert journal.path.exists()
    assert any("run `powertune cleanup fn` to finish" in w for w in warnings)
    leftover = json.loads(journal.path.read_text())
    assert leftover["aliases"] == []
    assert leftover["versions"] == [["fn", "1"]]
    assert leftover["restored"] is True
    backend.after_call = None
    recover(backend, journal.path)
    assert backend.state("fn")[1] == {}


class SnapshotJournal(FileJournal):
    """Before each journal write, keep (function state, journal on disk): a SIGKILL there."""

    def __init__(self, directory: Path, backend: FakeBackend) -> None:
        super().__init__(directory, "fn", "run1")
        self.backend = backend
        self.snapshots: list[tuple[str, FakeBackend, str]] = []

    def _write(self) -> None:
        if self.path.exists():
            hooks = self.backend.after_call
            self.backend.after_call = None
            last_call = self.backend.calls[-1][0] if self.backend.calls else ""
            state = copy.deepcopy(self.backend)
            self.backend.after_call = hooks
            self.snapshots.append((last_call, state, self.path.read_text()))
        super()._write()


def test_sigkill_at_every_step_is_recoverable(tmp_path: Path) -> None:
    """Kill the run between each backend change and the journal write after it."""
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    journal = SnapshotJournal(tmp_path, backend)
    Tuner(make_plan(), backend, FixedSampling(2), clock=ManualClock(), journal=journal).run()
    assert len(journal.snapshots) >= 10
    for i, (last_call, state, text) in enumerate(journal.snapshots):
        path = tmp_path / f"kill-{i}.json"
        path.write_text(text)
        recover(state, path)
        latest, versions, aliases = state.state("fn")
        assert latest.memory_mb == 128, f"kill point {i} after {last_call}"
        assert aliases == {}, f"kill point {i} after {last_call}"
        assert versions == {}, f"kill point {i} after {last_call}"
    assert "PublishVersion" in [s[0] for s in journal.snapshots]


def test_recover_finds_a_version_published_but_not_yet_journaled(tmp_path: Path) -> None:
    backend = FakeBackend()
    original = backend.add_function("fn", memory_mb=128)
    users = backend.publish_version("fn", description="release 1", code_sha256="")
    journal = FileJournal(tmp_path, "fn", "abcd1234")
    journal.begin(original, scratch_copy=None)
    journal.publishing("fn")
    backend.external_update("fn", 192)  # a new configuration: the publish is a new version
    other = "powertune run abcd12345 192MB/x86_64"  # another run's id extends ours
    backend.publish_version("fn", description=other, code_sha256="")
    backend.external_update("fn", 256)
    ours = backend.publish_version(
        "fn", description="powertune run abcd1234 256MB/x86_64", code_sha256=""
    )
    assert ours.version == "3"
    done = recover(backend, journal.path)
    versions = backend.state("fn")[1]
    assert ours.version not in versions
    assert set(versions) == {users.version, "2"}  # the user's and another run's stay
    assert done == [f"deleted version fn:{ours.version} (published, not yet journaled)"]


def test_journal_region_comes_from_the_original_arn(tmp_path: Path) -> None:
    backend = FakeBackend(region="eu-west-3")
    journal = FileJournal(tmp_path, "fn", "run1")
    journal.begin(backend.add_function("fn"), scratch_copy=None)
    assert journal_region(journal.path) == "eu-west-3"
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    assert journal_region(broken) is None
