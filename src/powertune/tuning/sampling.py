"""Sampling policies: which configuration to invoke next, and when to stop.

A policy is pure: it sees the records gathered so far and returns the next
batch of invocation requests, or an empty batch to stop. The engine executes
batches in the order given, so a policy that wants interleaving (it should:
drift must not bias one size) shuffles with the seeded `random.Random` it was
built with. `FixedSampling` is `--invocations N`; the adaptive policy lives in
`adaptive.py`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from powertune.errors import ConfigError
from powertune.tuning.models import Configuration, InvocationRecord


@dataclass(frozen=True, slots=True)
class InvocationRequest:
    """Invoke `configuration` once with payload number `payload_index`."""

    configuration: Configuration
    payload_index: int


class SamplingAction(StrEnum):
    """What a sampling event records; the values are the result file's `action` strings."""

    PLAN = "plan"
    MODEL = "model"
    DROP = "drop"
    SETTLED = "settled"
    BUDGET = "budget"
    STOP = "stop"
    WORTH_TRYING = "worth-trying"


class DropReason(StrEnum):
    """Why a size is out of the running; the values are the result file's `reason` strings."""

    FAILED = "failed"
    TIMEOUT_RISK = "timeout-risk"
    WORSE = "worse"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True, slots=True)
class SamplingEvent:
    """One step of a policy's reasoning, kept in the result (e.g. "dropped 128MB: ...")."""

    after_invocations: int
    action: SamplingAction
    message: str
    configuration: Configuration | None = None
    #: for a drop: why, typed (the message says it in words)
    reason: DropReason | None = None


@dataclass(slots=True)
class SamplingState:
    """What a policy may look at: the plan's configurations and every record so far."""

    configurations: tuple[Configuration, ...]
    payload_weights: tuple[float, ...]
    records: list[InvocationRecord] = field(default_factory=list)
    #: configurations the engine already knows have failed (timeout, OOM, error)
    failed: set[Configuration] = field(default_factory=set)


class SamplingPolicy(Protocol):
    """Decides the next invocations; an empty batch means "stop"."""

    @property
    def name(self) -> str: ...

    def next_batch(self, state: SamplingState) -> Sequence[InvocationRequest]: ...

    @property
    def events(self) -> Sequence[SamplingEvent]:
        """The reasoning so far, for the result."""
        ...

    def max_invocations(self, configurations: int) -> int:
        """Upper bound of invocations the policy may spend (for dry-run cost bounds)."""
        ...


def allocate_payloads(weights: Sequence[float], count: int) -> list[int]:
    """Split `count` invocations over payloads in proportion to `weights`.

    Largest-remainder rounding, so the counts add up to `count` exactly and no
    payload with a positive weight gets zero while count >= len(weights).

    Raises:
        ConfigError: when there are more payloads than invocations, or a weight is not positive.
    """
    if any(w <= 0 for w in weights):
        raise ConfigError(
            f"payload weights must be positive, got {list(weights)}; fix the weight values"
        )
    if count < len(weights):
        raise ConfigError(
            f"{len(weights)} payloads but only {count} invocations per size; "
            f"raise --invocations to at least {len(weights)}"
        )
    total = sum(weights)
    exact = [w * count / total for w in weights]
    counts = [max(1, int(e)) for e in exact]
    remainder = count - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    i = 0
    while remainder > 0:
        counts[order[i % len(order)]] += 1
        remainder -= 1
        i += 1
    while remainder < 0:
        # Take back from the most over-served payload that keeps at least one
        # invocation (the floor of 1 above is what made the total overshoot).
        j = max(
            (k for k in range(len(counts)) if counts[k] > 1),
            key=lambda k: counts[k] - exact[k],
        )
        counts[j] -= 1
        remainder += 1
    return counts


class FixedSampling:
    """`--invocations N`: N invocations of every configuration, interleaved at random."""

    def __init__(self, invocations: int, seed: int | None = None) -> None:
        if invocations < 1:
            raise ConfigError(f"--invocations must be at least 1, got {invocations}")
        self._invocations = invocations
        self._rng = random.Random(seed)
        self._issued = False
        self._events: list[SamplingEvent] = []

    @property
    def name(self) -> str:
        return f"fixed({self._invocations})"

    @property
    def events(self) -> Sequence[SamplingEvent]:
        return tuple(self._events)

    def max_invocations(self, configurations: int) -> int:
        return self._invocations * configurations

    def next_batch(self, state: SamplingState) -> Sequence[InvocationRequest]:
        if self._issued:
            return []
        self._issued = True
        counts = allocate_payloads(state.payload_weights, self._invocations)
        batch = [
            InvocationRequest(configuration, payload_index)
            for configuration in state.configurations
            for payload_index, n in enumerate(counts)
            for _ in range(n)
        ]
        self._rng.shuffle(batch)
        self._events.append(
            SamplingEvent(
                0,
                SamplingAction.PLAN,
                f"{self._invocations} invocations per configuration, shuffled",
            )
        )
        return batch
