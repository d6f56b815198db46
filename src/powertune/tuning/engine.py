"""Execute a tuning plan through a Backend, changing live traffic as briefly as possible.

Sequence (docs/tuning.md has the why):
1. read `$LATEST` (and the qualified version, if any); refuse to benchmark other
   code than the target's (tuning/preparation.py);
2. open the run's ledger (tuning/ledger.py): every change below is recorded in it,
   and persisted through the journal, *before* it is made;
3. for each configuration: update `$LATEST` (with RevisionId), wait, publish a
   version, point a temporary `pt-<run>-...` alias at it;
4. restore `$LATEST` at once, before any benchmark invocation;
5. invoke only the aliases (tuning/measurement.py);
6. whatever happens (success, failure, Ctrl-C, SIGTERM turned into an
   exception by the CLI), `undo` the ledger (tuning/undo.py): every alias and
   version the run created is deleted and `$LATEST` restored if not done yet.

No I/O here beyond the injected Backend and LedgerSink.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from powertune.tuning.ledger import RunLedger, function_created
from powertune.tuning.measurement import Measurement, OnInvocation, to_record
from powertune.tuning.models import Configuration, InvocationRecord
from powertune.tuning.plan import TuningPlan
from powertune.tuning.ports import Backend, FunctionConfig, LedgerSink
from powertune.tuning.preparation import Preparation, check_target
from powertune.tuning.sampling import SamplingEvent, SamplingPolicy
from powertune.tuning.undo import Problem, ProblemKind, restore_latest, undo

if TYPE_CHECKING:
    from powertune.clock import Clock

__all__ = ["OnInvocation", "Tuner", "TuningRun", "to_record"]


@dataclass(frozen=True, slots=True)
class TuningRun:
    """What a run measured, with everything needed to analyse it again later."""

    plan: TuningPlan
    function_name: str
    function_arn: str
    region: str
    original: FunctionConfig
    records: tuple[InvocationRecord, ...]
    events: tuple[SamplingEvent, ...]
    backend: dict[str, str]
    started_at: float
    finished_at: float
    warnings: tuple[str, ...] = ()
    backend_failures: dict[Configuration, str] = field(default_factory=dict)


class Tuner:
    """Runs one plan; see the module docstring for the sequence."""

    def __init__(
        self,
        plan: TuningPlan,
        backend: Backend,
        policy: SamplingPolicy,
        *,
        clock: Clock,
        journal: LedgerSink | None = None,
        on_invocation: OnInvocation | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.plan = plan
        self.backend = backend
        self.policy = policy
        self.clock = clock
        self.journal = journal
        self.on_invocation = on_invocation
        self.on_warning = on_warning
        self._warnings: list[str] = []
        #: the run's ledger, once `run` has read the target (None before)
        self.ledger: RunLedger | None = None

    def _warn(self, message: str) -> None:
        self._warnings.append(message)
        if self.on_warning is not None:
            self.on_warning(message)

    def run(self) -> TuningRun:
        """Execute the plan; always undo its changes, then re-raise whatever interrupted it."""
        started = self.clock.now()
        latest, source = check_target(self.plan, self.backend)
        ledger = RunLedger(
            latest,
            self.plan.run_id,
            on_change=None if self.journal is None else self.journal.save,
        )
        self.ledger = ledger
        ledger.save()  # the journal exists before the first change
        measurement = Measurement(
            self.plan, self.backend, self.policy, self._warn, self.on_invocation
        )
        try:
            start = self._start(ledger, latest, source)
            aliases = Preparation(self.plan, self.backend, ledger, self._warn).run(start)
            if not self.plan.scratch_copy:
                self._report([restore_latest(ledger, self.backend, start.function_name)])
            records = measurement.run(start.function_name, aliases)
        finally:
            self._report(undo(ledger, self.backend))
        return TuningRun(
            plan=self.plan,
            function_name=self.plan.target.name,
            function_arn=latest.function_arn,
            region=self.backend.region,
            original=latest,
            records=tuple(records),
            events=tuple(self.policy.events),
            backend=self.backend.describe(),
            started_at=started,
            finished_at=self.clock.now(),
            warnings=tuple(self._warnings),
            backend_failures=measurement.backend_failures,
        )

    def _start(
        self, ledger: RunLedger, latest: FunctionConfig, source: FunctionConfig
    ) -> FunctionConfig:
        """The function to publish on: the target's `$LATEST`, or a new scratch copy."""
        if not self.plan.scratch_copy:
            return latest
        entry = ledger.record(function_created(self.plan.scratch_name()))
        copy = self.backend.create_scratch_copy(source, self.plan.scratch_name())
        ledger.done(entry)
        return copy

    def _report(self, problems: Sequence[Problem | None]) -> None:
        """Warn about each problem: someone else's change left alone, or clean-up to finish."""
        failed: list[Problem] = []
        for problem in problems:
            if problem is None:
                continue
            if problem.kind is ProblemKind.LEFT_ALONE:
                self._warn(problem.message)
            else:
                failed.append(problem)
        if failed:
            self._warn(
                "clean-up incomplete; run `powertune cleanup "
                f"{self.plan.target.name}` to finish: " + "; ".join(p.message for p in failed)
            )
