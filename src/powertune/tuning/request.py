"""What a user asked `tune` to do, parsed and validated: the input of `session.run_tuning`."""

from __future__ import annotations

from dataclasses import dataclass

from powertune.tuning.models import Architecture, Payload, StrategySpec


@dataclass(frozen=True, slots=True)
class TuningRequest:
    """One tuning run's request (the sampling policy is built beside it, with the prices)."""

    #: a name, name:qualifier, an ARN or a qualified ARN
    function: str
    memory_sizes: tuple[int, ...]
    architectures: tuple[Architecture, ...]
    payloads: tuple[Payload, ...]
    strategy: StrategySpec
    allowed_errors: frozenset[str]
    #: tune a temporary copy of the function instead of the function itself
    scratch_copy: bool
    #: 4-12 lowercase letters or digits; names the run's aliases and its journal
    run_id: str
    #: seed of the invocation order (None: a fresh one)
    seed: int | None = None
