"""The run's sampling policy, rebuilt in each step by replaying its past batches.

A Lambda step keeps nothing between invocations, and a policy's state (its
seeded random order, its events, its budget set after the first round) is not
JSON. But a policy is pure and deterministic: given the same seed and the same
records at each call it makes the same choices. So the execution carries the
record count and failed sizes at each past `next_batch` call (`Call`), and a
step replays those calls on a fresh policy before asking it for the next batch:
the policy ends in exactly the state it had in one process. The replay costs
one assessment per past batch, milliseconds each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from powertune.stepfunctions.codec import PolicySpec
from powertune.tuning.models import Architecture, Configuration, InvocationRecord, StrategySpec
from powertune.tuning.pricing import PriceRate
from powertune.tuning.sampling import (
    FixedSampling,
    InvocationRequest,
    SamplingPolicy,
    SamplingState,
)

RateFor = Callable[[Architecture], PriceRate]


@dataclass(frozen=True, slots=True)
class Call:
    """One past `next_batch` call: how many records there were and which sizes had failed."""

    records: int
    failed: tuple[Configuration, ...]


def build_policy(
    spec: PolicySpec, strategy: StrategySpec, rate_for: RateFor, *, timeout_ms: float | None
) -> SamplingPolicy:
    """Fixed sampling when `invocations` is set, adaptive otherwise (as `tune` builds them)."""
    if spec.invocations is not None:
        return FixedSampling(spec.invocations, seed=spec.seed)
    from powertune.tuning.adaptive import AdaptiveSampling

    return AdaptiveSampling(
        strategy,
        tolerance=spec.tolerance,
        budget_invocations=spec.budget_invocations,
        budget_usd=spec.budget_usd,
        seed=spec.seed,
        rate_for=rate_for,
        # the policy drops sizes at risk of timing out (session.run_tuning sets it too)
        timeout_ms=timeout_ms,
    )


@dataclass(frozen=True, slots=True)
class Sampler:
    """A policy over the run's configurations and payload weights."""

    policy: SamplingPolicy
    configurations: tuple[Configuration, ...]
    payload_weights: tuple[float, ...]

    def _state(
        self, records: Sequence[InvocationRecord], failed: Sequence[Configuration]
    ) -> SamplingState:
        return SamplingState(
            configurations=self.configurations,
            payload_weights=self.payload_weights,
            records=list(records),
            failed=set(failed),
        )

    def replay(self, calls: Sequence[Call], records: Sequence[InvocationRecord]) -> None:
        """Bring the policy to where it was after `calls` (their batches are discarded)."""
        for call in calls:
            self.policy.next_batch(self._state(records[: call.records], call.failed))

    def next_batch(
        self, records: Sequence[InvocationRecord], failed: Sequence[Configuration]
    ) -> list[InvocationRequest]:
        """The next batch, without the sizes that already failed (as the engine skips them)."""
        batch = self.policy.next_batch(self._state(records, failed))
        return [r for r in batch if r.configuration not in failed]
