"""The invoke loop: a warm-up per configuration, then what the sampling policy asks, interleaved.

Only the run's temporary aliases are invoked. A configuration whose invocation fails
(a backend error, or an error type not in `allowed_errors`) is marked failed and the
run goes on with the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from powertune.errors import BackendError
from powertune.tuning.models import Configuration, InvocationRecord
from powertune.tuning.plan import TuningPlan
from powertune.tuning.ports import Backend, InvokeOutcome
from powertune.tuning.sampling import SamplingPolicy, SamplingState

OnInvocation = Callable[[InvocationRecord, int], None]


def to_record(
    configuration: Configuration, payload_index: int, outcome: InvokeOutcome, sequence: int
) -> InvocationRecord:
    """Turn an adapter's outcome into the raw record kept in the result."""
    error_type = outcome.error_type
    if error_type is None and outcome.function_error:
        error_type = outcome.function_error
    return InvocationRecord(
        memory_mb=configuration.memory_mb,
        architecture=configuration.architecture,
        payload_index=payload_index,
        duration_ms=outcome.duration_ms,
        billed_duration_ms=outcome.billed_duration_ms,
        init_duration_ms=outcome.init_duration_ms,
        restore_duration_ms=outcome.restore_duration_ms,
        billed_restore_duration_ms=outcome.billed_restore_duration_ms,
        max_memory_used_mb=outcome.max_memory_used_mb,
        error_type=error_type,
        sequence=sequence,
    )


@dataclass
class Measurement:
    """Invokes `target`'s aliases as the policy asks and keeps every record."""

    plan: TuningPlan
    backend: Backend
    policy: SamplingPolicy
    warn: Callable[[str], None]
    on_invocation: OnInvocation | None = None
    backend_failures: dict[Configuration, str] = field(default_factory=dict)

    def run(self, target: str, aliases: dict[Configuration, str]) -> list[InvocationRecord]:
        state = SamplingState(
            configurations=self.plan.configurations,
            payload_weights=tuple(p.weight for p in self.plan.payloads),
        )
        # One warm-up per configuration: a fresh version starts cold; the record is
        # kept (it feeds the cold-start table) and the policy's samples come after it.
        for configuration in self.plan.configurations:
            self._invoke(state, target, aliases[configuration], configuration, 0)
        while True:
            batch = [
                r for r in self.policy.next_batch(state) if r.configuration not in state.failed
            ]
            if not batch:
                break
            for request in batch:
                if request.configuration not in state.failed:
                    alias = aliases[request.configuration]
                    self._invoke(state, target, alias, request.configuration, request.payload_index)
        return state.records

    def _invoke(
        self,
        state: SamplingState,
        target: str,
        alias: str,
        configuration: Configuration,
        payload_index: int,
    ) -> None:
        body = self.plan.payloads[payload_index].body
        try:
            outcome = self.backend.invoke(target, alias, body)
        except BackendError as exc:
            state.failed.add(configuration)
            self.backend_failures[configuration] = str(exc)
            self.warn(f"{configuration.label} marked failed: {exc}")
            return
        record = to_record(configuration, payload_index, outcome, len(state.records))
        state.records.append(record)
        if record.error_type is not None and record.error_type not in self.plan.allowed_errors:
            state.failed.add(configuration)
        if self.on_invocation is not None:
            self.on_invocation(record, len(state.records))
