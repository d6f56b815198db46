"""One load test: for each memory size, set it through the run ledger, load, read the bill.

Every change goes through the one `RunLedger` (journaled before it is made) and
is reverted by the one `undo`, after the last size and also when a size fails,
on Ctrl-C or SIGTERM (the CLI turns SIGTERM into KeyboardInterrupt): the same
guarantee as `powertune tune`, and `powertune cleanup` finds the journal after
a SIGKILL. Lambda is reached through the `Backend` port only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from powertune.clock import Clock
from powertune.errors import PowertuneError
from powertune.loadtest.logs import BilledDurations, LogEventSource, log_group_of, read_billed
from powertune.loadtest.runner import LoadRun, LoadSpec, run_locust
from powertune.tuning.ledger import RunLedger, latest_updated
from powertune.tuning.ports import Backend, FunctionConfig, LedgerSink
from powertune.tuning.undo import Problem, undo

Say = Callable[[str], None]
#: runs one load: (spec, samples file, log file, clock) -> LoadRun (Locust, or a test's stand-in)
RunLoad = Callable[[LoadSpec, Path, Path, Clock], LoadRun]
#: REPORT lines are timestamped when the invocation ends; allow for clock skew and the
#: last requests' invocations finishing after Locust's own end.
_WINDOW_SLACK_MS = 2_000


class RestoreFailed(PowertuneError):
    """The load test ran, but the function could not be put back as it was."""


@dataclass(frozen=True, slots=True)
class LoadTestPlan:
    """The function and URL under load, the sizes in order, and the load of each size."""

    function_name: str
    url: str
    memory_sizes: tuple[int, ...]
    users: int
    spawn_rate: float
    duration_s: float
    scenario: Path
    run_id: str

    def spec(self) -> LoadSpec:
        return LoadSpec(self.url, self.users, self.spawn_rate, self.duration_s, self.scenario)


@dataclass(frozen=True, slots=True)
class SizeRun:
    """One size's load and the bill its REPORT lines give."""

    memory_mb: int
    load: LoadRun
    billed: BilledDurations


@dataclass(frozen=True, slots=True)
class LoadTestRun:
    plan: LoadTestPlan
    original: FunctionConfig
    sizes: tuple[SizeRun, ...]
    restore_problems: tuple[Problem, ...] = field(default_factory=tuple)


@dataclass
class LoadTest:
    """Runs a `LoadTestPlan` through `backend`, writing Locust's files into `workdir`."""

    plan: LoadTestPlan
    backend: Backend
    logs: LogEventSource
    journal: LedgerSink
    clock: Clock
    workdir: Path
    say: Say
    #: how long to wait for late REPORT lines after each size
    logs_wait_s: float = 30.0
    run_load: RunLoad = run_locust

    def run(self) -> LoadTestRun:
        """Every size in turn; the function is restored after, whatever happens."""
        original = self.backend.get_configuration(self.plan.function_name)
        ledger = RunLedger(original, self.plan.run_id, on_change=self.journal.save)
        sizes: list[SizeRun] = []
        try:
            current = original
            for memory_mb in self.plan.memory_sizes:
                current = self._set_memory(ledger, current, memory_mb)
                sizes.append(self._load(memory_mb))
        finally:
            # Also on a failure or Ctrl-C: each line says what was restored or left alone.
            problems = undo(ledger, self.backend, report=self.say)
            for problem in problems:
                self.say(f"{problem.message}; {problem.fix}")
        outstanding = [p for p in problems if p.outstanding]
        if outstanding:
            raise RestoreFailed("; ".join(f"{p.message} (fix: {p.fix})" for p in outstanding))
        return LoadTestRun(self.plan, original, tuple(sizes), tuple(problems))

    def _set_memory(
        self, ledger: RunLedger, current: FunctionConfig, memory_mb: int
    ) -> FunctionConfig:
        if current.memory_mb == memory_mb:
            return current
        entry = ledger.record(
            latest_updated(current, memory_mb, current.architecture, current.revision_id)
        )
        updated = self.backend.update_configuration(
            current.function_name,
            memory_mb=memory_mb,
            architecture=current.architecture,
            revision_id=current.revision_id,
        )
        ledger.done(entry, revision_after=updated.revision_id)
        self.say(f"{current.function_name} set to {memory_mb} MB")
        return updated

    def _load(self, memory_mb: int) -> SizeRun:
        self.say(
            f"{memory_mb} MB: {self.plan.users} users for {self.plan.duration_s:g} s "
            f"against {self.plan.url} ..."
        )
        stem = self.workdir / f"loadtest-{self.plan.run_id}-{memory_mb}MB"
        load = self.run_load(
            self.plan.spec(),
            stem.with_suffix(".jsonl"),
            stem.with_name(stem.name + "-locust.log"),
            self.clock,
        )
        window = (
            int(load.started_s * 1000) - _WINDOW_SLACK_MS,
            int(load.ended_s * 1000) + _WINDOW_SLACK_MS,
        )
        # Requests answered by API Gateway itself (a 5xx before Lambda ran) bill nothing;
        # every other request is one invocation with one REPORT line.
        expected = sum(1 for s in load.samples if s.status_code not in (0, 502, 503, 504))
        billed = read_billed(
            self.logs,
            log_group_of(self.plan.function_name),
            memory_mb,
            window,
            expected=expected,
            clock=self.clock,
            max_wait_s=self.logs_wait_s,
        )
        self.say(
            f"{memory_mb} MB: {len(load.samples)} requests, "
            f"{len(billed.billed_ms)} REPORT lines read"
        )
        return SizeRun(memory_mb, load, billed)
