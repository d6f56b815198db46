"""The on-disk journal and `undo` from it: finishing a run killed with SIGKILL.

A SIGKILL runs no `finally`; what is left is the journal file and the function as
the run left it. These tests run the real engine with a journal that snapshots
(function state, journal on disk) at every ledger write — each snapshot is what a
SIGKILL at that instant would leave — and then undo from the file, as
`powertune cleanup` does.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from powertune.backends.fake import FakeBackend
from powertune.clock import ManualClock
from powertune.errors import ConfigError
from powertune.storage.journal import (
    FileJournal,
    journal_region,
    load_ledger,
    pending_journals,
)
from powertune.tuning.engine import Tuner
from powertune.tuning.ledger import ChangeKind, RunLedger, Status, version_published
from powertune.tuning.models import Architecture, Payload, StrategySpec
from powertune.tuning.plan import TuningPlan, build_plan
from powertune.tuning.sampling import FixedSampling
from powertune.tuning.undo import ProblemKind, undo

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


@dataclass
class KillPoint:
    """What a SIGKILL leaves: the function's state and the journal's text at that instant."""

    backend: FakeBackend
    text: str
    ledger: RunLedger

    def journal(self, folder: Path) -> Path:
        path = folder / "journals" / f"kill-{id(self)}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.text)
        return path


class SnapshotJournal(FileJournal):
    """A FileJournal that records a kill point before and after each of its writes."""

    def __init__(self, directory: Path, backend: FakeBackend) -> None:
        super().__init__(directory, "fn", "run1")
        self.backend = backend
        self.points: list[KillPoint] = []

    def _snapshot(self) -> None:
        if self.path.exists():
            text = self.path.read_text()
            hook, self.backend.after_call = self.backend.after_call, None
            state = copy.deepcopy(self.backend)
            self.backend.after_call = hook
            self.points.append(KillPoint(state, text, RunLedger.from_dict(json.loads(text))))

    def save(self, ledger: RunLedger) -> None:
        self._snapshot()  # killed after a change, before the ledger says so
        super().save(ledger)
        self._snapshot()  # killed right after the ledger was written


def kill_points(tmp_path: Path, *, scratch_copy: bool = False) -> list[KillPoint]:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=128)
    journal = SnapshotJournal(tmp_path / "run", backend)
    plan = make_plan(scratch_copy=scratch_copy)
    Tuner(plan, backend, FixedSampling(2), clock=ManualClock(), journal=journal).run()
    return journal.points


def measuring(points: list[KillPoint]) -> KillPoint:
    """The first kill point with every alias created and `$LATEST` not yet restored."""
    for point in points:
        aliases = [e for e in point.ledger.entries if e.kind is ChangeKind.ALIAS_CREATED]
        done = [e for e in aliases if e.status is Status.DONE]
        if len(done) == 2 and len(point.backend.state("fn")[2]) == 2:
            return point
    raise AssertionError("no kill point after the second alias")


def test_undo_after_sigkill_deletes_everything_and_restores(tmp_path: Path) -> None:
    point = measuring(kill_points(tmp_path))
    latest, versions, aliases = point.backend.state("fn")
    assert (latest.memory_mb, len(versions), len(aliases)) == (512, 2, 2)
    path = point.journal(tmp_path)
    assert pending_journals(tmp_path, "fn") == [path]
    done: list[str] = []
    problems = undo(load_ledger(path), point.backend, report=done.append)
    assert problems == []
    latest, versions, aliases = point.backend.state("fn")
    assert (latest.memory_mb, versions, aliases) == (128, {}, {})
    assert done == [
        "restored fn to 128 MB",
        "deleted alias fn:pt-run1-512-x86_64",
        "deleted alias fn:pt-run1-256-x86_64",
        "deleted version fn:1",
        "deleted version fn:2",
    ]
    assert not path.exists()
    assert pending_journals(tmp_path, "fn") == []


def test_undo_leaves_a_redeployed_function_alone(tmp_path: Path) -> None:
    point = measuring(kill_points(tmp_path))
    point.backend.external_update("fn", 3008, code=b"new release")
    path = point.journal(tmp_path)
    problems = undo(load_ledger(path), point.backend)
    latest, versions, aliases = point.backend.state("fn")
    assert latest.memory_mb == 3008  # their deploy stands
    assert (versions, aliases) == ({}, {})
    assert [(p.kind, p.resource) for p in problems] == [(ProblemKind.LEFT_ALONE, "$LATEST of fn")]
    assert not problems[0].outstanding
    assert not path.exists()  # nothing is left to do: their change is theirs


def test_undo_after_restore_does_not_update_again(tmp_path: Path) -> None:
    points = kill_points(tmp_path)
    restored = next(
        p
        for p in points
        if any(
            e.kind is ChangeKind.LATEST_UPDATED and e.status is Status.UNDONE
            for e in p.ledger.entries
        )
    )
    restored.backend.external_update("fn", 640)  # a later deploy must not be touched
    restored.backend.calls.clear()
    assert undo(load_ledger(restored.journal(tmp_path)), restored.backend) == []
    assert restored.backend.state("fn")[0].memory_mb == 640
    assert not any(c[0] == "UpdateFunctionConfiguration" for c in restored.backend.calls)


def test_undo_of_a_scratch_copy_deletes_it_and_never_touches_the_original(
    tmp_path: Path,
) -> None:
    points = kill_points(tmp_path, scratch_copy=True)
    point = next(
        p
        for p in points
        if [(e.kind, e.status) for e in p.ledger.entries][-1:]
        == [(ChangeKind.LATEST_UPDATED, Status.DONE)]
    )
    original = point.backend.state("fn")[0]
    point.backend.calls.clear()
    done: list[str] = []
    assert undo(load_ledger(point.journal(tmp_path)), point.backend, report=done.append) == []
    assert point.backend.function_names == ["fn"]
    assert point.backend.state("fn")[0] == original
    assert done == ["deleted scratch copy fn-pt-run1"]
    assert all(c[1] != "fn" for c in point.backend.calls)


def test_pending_journals_are_per_function(tmp_path: Path) -> None:
    backend = FakeBackend()
    a = FileJournal(tmp_path, "fn", "run1")
    a.save(RunLedger(backend.add_function("fn"), "run1"))
    b = FileJournal(tmp_path, "other", "run2")
    b.save(RunLedger(backend.add_function("other"), "run2"))
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
    with pytest.raises(ConfigError) as err:
        load_ledger(broken)
    assert str(broken) in str(err.value)


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
    leftover = load_ledger(journal.path)
    pending = [(e.kind, e.version) for _, e in leftover.pending()]
    assert pending == [(ChangeKind.VERSION_PUBLISHED, "1")]
    backend.after_call = None
    backend.calls.clear()
    assert undo(leftover, backend) == []
    assert backend.calls == [("DeleteFunction", "fn", "1")]  # only what was left
    assert backend.state("fn")[1] == {}
    assert not journal.path.exists()


def test_sigkill_at_every_step_is_recoverable(tmp_path: Path) -> None:
    """Kill the run before and after each ledger write; undo from the file each time."""
    points = kill_points(tmp_path)
    assert len(points) >= 20
    for i, point in enumerate(points):
        problems = undo(load_ledger(point.journal(tmp_path)), point.backend)
        latest, versions, aliases = point.backend.state("fn")
        assert problems == [], f"kill point {i}"
        assert latest.memory_mb == 128, f"kill point {i}"
        assert aliases == {}, f"kill point {i}"
        assert versions == {}, f"kill point {i}"
    kinds = {(e.kind, e.status) for p in points for e in p.ledger.entries}
    assert (ChangeKind.VERSION_PUBLISHED, Status.INTENDED) in kinds


def test_undo_finds_a_version_published_but_not_yet_journaled(tmp_path: Path) -> None:
    backend = FakeBackend()
    original = backend.add_function("fn", memory_mb=128)
    users = backend.publish_version("fn", description="release 1", code_sha256="")
    journal = FileJournal(tmp_path, "fn", "abcd1234")
    ledger = RunLedger(original, "abcd1234", on_change=journal.save)
    ledger.record(version_published("fn", "powertune run abcd1234 256MB/x86_64"))
    backend.external_update("fn", 192)  # a new configuration: the publish is a new version
    other = "powertune run abcd12345 192MB/x86_64"  # another run's id extends ours
    backend.publish_version("fn", description=other, code_sha256="")
    backend.external_update("fn", 256)
    ours = backend.publish_version(
        "fn", description="powertune run abcd1234 256MB/x86_64", code_sha256=""
    )
    assert ours.version == "3"
    done: list[str] = []
    assert undo(load_ledger(journal.path), backend, report=done.append) == []
    versions = backend.state("fn")[1]
    assert ours.version not in versions
    assert set(versions) == {users.version, "2"}  # the user's and another run's stay
    assert done == [f"deleted version fn:{ours.version}"]


def test_a_journal_of_the_old_format_is_still_undone(tmp_path: Path) -> None:
    """Journals written before the ledger (a dict of lists and flags) are converted on load."""
    backend = FakeBackend()
    original = backend.add_function("fn", memory_mb=128)
    updated = backend.update_configuration(
        "fn", memory_mb=256, architecture=X86, revision_id=original.revision_id
    )
    version = backend.publish_version(
        "fn", description="powertune run run1 256MB/x86_64", code_sha256=""
    )
    backend.create_alias("fn", "pt-run1-256-x86_64", version.version)
    doc = {
        "function_name": "fn",
        "run_id": "run1",
        "original": {**asdict(original), "architecture": "x86_64"},
        "scratch_copy": None,
        "last_revision": updated.revision_id,
        "applying": {"memory_mb": 256, "architecture": "x86_64"},
        "restored": False,
        "created_function": None,
        "publishing": ["fn"],
        "versions": [["fn", version.version]],
        "aliases": [["fn", "pt-run1-256-x86_64"]],
    }
    path = tmp_path / "journals" / "fn-run1.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc))
    assert pending_journals(tmp_path, "fn") == [path]
    assert undo(load_ledger(path), backend) == []
    assert backend.state("fn")[0].memory_mb == 128
    assert backend.state("fn")[1:] == ({}, {})
    assert not path.exists()


def test_journal_region_comes_from_the_original_arn(tmp_path: Path) -> None:
    backend = FakeBackend(region="eu-west-3")
    journal = FileJournal(tmp_path, "fn", "run1")
    journal.save(RunLedger(backend.add_function("fn"), "run1"))
    assert journal_region(journal.path) == "eu-west-3"
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    assert journal_region(broken) is None
