"""One tuning session: from a request to the measured run, through the engine's `Tuner`.

Pure like the rest of the core: the backend, clock, journal and progress
reporting are injected by the caller (the CLI, or any other front end).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from powertune.tuning.engine import Tuner, TuningRun
from powertune.tuning.models import InvocationRecord
from powertune.tuning.plan import TuningPlan, build_plan
from powertune.tuning.ports import Backend, LedgerSink
from powertune.tuning.request import TuningRequest
from powertune.tuning.sampling import FixedSampling, SamplingPolicy

if TYPE_CHECKING:
    from powertune.clock import Clock


class RunProgress(Protocol):
    """Where a session reports how far it got (a progress bar, a log, nothing)."""

    def started(self, plan: TuningPlan) -> None:
        """The run is about to invoke; `plan` says at most how many invocations follow."""

    def invoked(self, record: InvocationRecord, count: int) -> None:
        """`count` invocations done so far, `record` the last one."""

    def warned(self, message: str) -> None:
        """Something the user should know (it is also kept in the run's warnings)."""


def total_invocations(plan: TuningPlan) -> int:
    """The most invocations `plan` can make: the policy's budget plus one warm-up per size."""
    return plan.max_invocations + len(plan.configurations)


def plan_tuning(request: TuningRequest, policy: SamplingPolicy) -> TuningPlan:
    """The frozen plan of `request` under `policy` (what `--dry-run` prints)."""
    configurations = len(request.memory_sizes) * len(request.architectures)
    return build_plan(
        function=request.function,
        memory_sizes=request.memory_sizes,
        architectures=request.architectures,
        payloads=request.payloads,
        strategy=request.strategy,
        sampling=policy.name,
        max_invocations=policy.max_invocations(configurations),
        scratch_copy=request.scratch_copy,
        run_id=request.run_id,
        seed=request.seed,
        allowed_errors=sorted(request.allowed_errors),
    )


def _tell_policy_the_timeout(policy: SamplingPolicy, backend: Backend, plan: TuningPlan) -> None:
    if isinstance(policy, FixedSampling):
        return  # (and no import of the adaptive policy's scipy.stats on this path)
    from powertune.tuning.adaptive import AdaptiveSampling

    if isinstance(policy, AdaptiveSampling):
        # The policy drops sizes at risk of timing out; it needs the function's timeout.
        config = backend.get_configuration(plan.target.name, plan.target.qualifier)
        policy.timeout_ms = config.timeout_s * 1000.0


def run_tuning(
    request: TuningRequest,
    backend: Backend,
    policy: SamplingPolicy,
    *,
    clock: Clock,
    journal: LedgerSink | None = None,
    progress: RunProgress | None = None,
) -> TuningRun:
    """Plan `request`, then measure it through `backend`; the function is restored after."""
    plan = plan_tuning(request, policy)
    _tell_policy_the_timeout(policy, backend, plan)
    if progress is not None:
        progress.started(plan)
    tuner = Tuner(
        plan,
        backend,
        policy,
        clock=clock,
        journal=journal,
        on_invocation=None if progress is None else progress.invoked,
        on_warning=None if progress is None else progress.warned,
    )
    return tuner.run()
