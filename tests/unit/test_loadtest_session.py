"""A load test's changes go through the ledger and are undone: after the run, a failure, Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import pytest

from powertune.backends.fake import FakeBackend
from powertune.clock import Clock, ManualClock
from powertune.loadtest.runner import LoadGeneratorFailed, LoadRun, LoadSpec
from powertune.loadtest.samples import RequestSample
from powertune.loadtest.session import LoadTest, LoadTestPlan
from powertune.storage.journal import FileJournal

FUNCTION = "items-api"


class NoLogs:
    def messages(self, log_group: str, *, start_ms: int, end_ms: int, pattern: str) -> list[str]:
        return []


class ScriptedLoad:
    """Stands in for Locust: records the memory seen at each load, fails when told."""

    def __init__(self, backend: FakeBackend, fail_at: int | None, error: BaseException) -> None:
        self.backend = backend
        self.fail_at = fail_at
        self.error = error
        self.memory_seen: list[int] = []
        self.journals_seen: list[int] = []

    def __call__(self, spec: LoadSpec, samples: Path, log: Path, clock: Clock) -> LoadRun:
        memory = self.backend.get_configuration(FUNCTION).memory_mb
        self.memory_seen.append(memory)
        self.journals_seen.append(len(list(samples.parent.glob("journals/*.json"))))
        if memory == self.fail_at:
            raise self.error
        sample = RequestSample(clock.now(), "GET", "GET /items", 12.5, 10, 200)
        return LoadRun((sample,), clock.now(), clock.now() + 1, 0, log)


def _run(
    tmp_path: Path, fail_at: int | None = None, error: BaseException | None = None
) -> tuple[FakeBackend, ScriptedLoad, LoadTest, list[str]]:
    backend = FakeBackend()
    backend.add_function(FUNCTION, memory_mb=256)
    load = ScriptedLoad(backend, fail_at, error or LoadGeneratorFailed("boom"))
    said: list[str] = []
    plan = LoadTestPlan(
        FUNCTION, "http://127.0.0.1:1", (512, 1024), 2, 1.0, 5.0, Path("s.py"), "r1"
    )
    test = LoadTest(
        plan,
        backend,
        NoLogs(),
        FileJournal(tmp_path, FUNCTION, "loadtest-r1"),
        ManualClock(),
        tmp_path,
        said.append,
        logs_wait_s=0.0,
        run_load=load,
    )
    return backend, load, test, said


def test_each_size_is_set_then_the_original_comes_back(tmp_path: Path) -> None:
    backend, load, test, _ = _run(tmp_path)
    run = test.run()
    assert load.memory_seen == [512, 1024]
    assert load.journals_seen == [1, 1]  # journaled while the function was changed
    assert [s.memory_mb for s in run.sizes] == [512, 1024]
    assert backend.get_configuration(FUNCTION).memory_mb == 256
    assert list(tmp_path.glob("journals/*.json")) == []  # undo closed the ledger


@pytest.mark.parametrize("error", [LoadGeneratorFailed("locust died"), KeyboardInterrupt()])
def test_a_failure_or_ctrl_c_midway_still_restores(tmp_path: Path, error: BaseException) -> None:
    backend, load, test, said = _run(tmp_path, fail_at=1024, error=error)
    with pytest.raises(type(error)):
        test.run()
    assert f"restored {FUNCTION} to 256 MB" in said
    assert load.memory_seen == [512, 1024]
    assert backend.get_configuration(FUNCTION).memory_mb == 256
    assert list(tmp_path.glob("journals/*.json")) == []


def test_someone_elses_deploy_midway_is_left_alone_and_reported(tmp_path: Path) -> None:
    backend, load, test, _ = _run(tmp_path)
    original_call = load.__call__

    def deploy_then_load(spec: LoadSpec, samples: Path, log: Path, clock: Clock) -> LoadRun:
        result = original_call(spec, samples, log, clock)
        if len(load.memory_seen) == 2:
            backend.external_update(FUNCTION, 2048)
        return result

    test.run_load = deploy_then_load
    run = test.run()  # left alone is settled, not a failure
    assert backend.get_configuration(FUNCTION).memory_mb == 2048
    assert [p.kind.value for p in run.restore_problems] == ["left_alone"]
