"""A simulated Lambda function: draws invocations from a workload profile (`--backend simulate:`).

`SimulatedFunction` is the data plane: for a memory size, architecture and
payload it draws one invocation (duration, billed duration, init on a cold
start, max memory used, Lambda's error types) from a `WorkloadProfile`.
`SimulatorBackend` wraps it in the in-memory control plane of the fake
backend (versions keep the memory they were published with, aliases point at
versions), so the engine runs unchanged against it.

Determinism: the k-th invocation of a configuration draws from its own
random stream, seeded by (seed, memory, architecture, k). Results depend
neither on wall time nor on how invocations of different sizes interleave,
so two policies run with the same seed see the same samples (common random
numbers), which makes side-by-side comparisons fair.

The ground truth per memory size for benchmarks (`true_expectations`) is in
`ground_truth.py`, drawn through the same code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from powertune.backends.fake import FakeBackend, _Function
from powertune.backends.workload import (
    WorkloadProfile,
    ceil_ms,
    draw_warm_durations_ms,
    load_profile,
    profile_from_dict,
    profile_seed,
)
from powertune.errors import UnsupportedArchitecture
from powertune.tuning.models import (
    RUNTIME_OUT_OF_MEMORY,
    SANDBOX_TIMEDOUT,
    Architecture,
    Configuration,
    InvocationRecord,
)
from powertune.tuning.ports import InvokeOutcome

_ARCH_CODE = {Architecture.X86_64: 0, Architecture.ARM64: 1}
#: An out-of-memory kill happens partway through the work (when the heap outgrows the limit).
_OOM_FRACTION_OF_RUN = 0.4


@dataclass(frozen=True, slots=True)
class SimulatedInvocation:
    """One drawn invocation, in the units of a REPORT line."""

    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None
    max_memory_used_mb: int
    error_type: str | None


@dataclass
class _Environment:
    """An execution environment of one version: alive or not, and how often it served."""

    alive: bool = False
    served: int = 0


@dataclass
class SimulatedFunction:
    """Draws invocations of one profile, deterministically from `seed`.

    `init_billed`: since 2025-08-01 AWS bills the INIT phase of on-demand ZIP
    functions, so a cold invocation is billed ceil(init + duration).
    """

    profile: WorkloadProfile
    seed: int = 0
    init_billed: bool = True
    _draws: dict[tuple[int, Architecture], int] = field(default_factory=dict)
    _environments: dict[str, _Environment] = field(default_factory=dict)

    def payload_index(self, payload: bytes) -> int:
        """Which payload variant a request body is (by JSON equality; the first otherwise)."""
        if len(self.profile.payloads) < 2:
            return 0
        try:
            body = json.loads(payload or b"null")
        except ValueError:
            return 0
        for i, variant in enumerate(self.profile.payloads):
            if variant.body == body:
                return i
        return 0

    def invoke(
        self,
        memory_mb: int,
        architecture: Architecture,
        payload_index: int,
        environment: str,
    ) -> SimulatedInvocation:
        """Draw one invocation of the version identified by `environment`.

        A version's first invocation is a cold start (Lambda starts a new
        execution environment for a newly published version); later ones are
        cold with `cold_start_probability`, after `recycle_after_invocations`,
        or after the previous one crashed (OOM, timeout).
        """
        key = (memory_mb, architecture)
        k = self._draws.get(key, 0)
        self._draws[key] = k + 1
        rng = np.random.default_rng([self.seed, memory_mb, _ARCH_CODE[architecture], k])
        env = self._environments.setdefault(environment, _Environment())
        p = self.profile
        cold = (
            not env.alive
            or rng.random() < p.cold_start_probability
            or (
                p.recycle_after_invocations is not None
                and env.served >= p.recycle_after_invocations
            )
        )
        if cold:
            env.alive, env.served = True, 0
        env.served += 1
        index = min(payload_index, len(p.payloads) - 1)
        duration = float(draw_warm_durations_ms(p, memory_mb, architecture, index, rng, 1)[0])
        init = p.init_ms(memory_mb) * float(np.exp(rng.normal(0.0, 0.1))) if cold else None
        used = min(p.memory_used_mb, memory_mb)
        error: str | None = None
        timeout_ms = p.timeout_s * 1000.0
        if memory_mb < p.min_memory_mb:
            duration, used, error = (
                duration * _OOM_FRACTION_OF_RUN,
                memory_mb,
                RUNTIME_OUT_OF_MEMORY,
            )
        if duration >= timeout_ms:
            duration, error = timeout_ms, SANDBOX_TIMEDOUT
        if error is not None:
            env.alive = False  # Lambda replaces an environment after a crash or timeout
        billable = duration + (init or 0.0) if self.init_billed else duration
        billed = ceil_ms(billable)
        if error == SANDBOX_TIMEDOUT:
            billed = min(billed, ceil_ms(timeout_ms + (init or 0.0)))
        return SimulatedInvocation(
            duration_ms=round(duration, 2),
            billed_duration_ms=billed,
            init_duration_ms=None if init is None else round(init, 2),
            max_memory_used_mb=used,
            error_type=error,
        )

    def record(
        self, configuration: Configuration, payload_index: int, *, sequence: int = 0
    ) -> InvocationRecord:
        """One invocation as the engine records it (for loops that skip the control plane)."""
        environment = f"{configuration.memory_mb}/{configuration.architecture.value}"
        drawn = self.invoke(
            configuration.memory_mb, configuration.architecture, payload_index, environment
        )
        return InvocationRecord(
            memory_mb=configuration.memory_mb,
            architecture=configuration.architecture,
            payload_index=payload_index,
            duration_ms=drawn.duration_ms,
            billed_duration_ms=drawn.billed_duration_ms,
            init_duration_ms=drawn.init_duration_ms,
            max_memory_used_mb=drawn.max_memory_used_mb,
            error_type=drawn.error_type,
            sequence=sequence,
        )


class SimulatorBackend(FakeBackend):
    """The Backend port over a simulated function (every function name maps to it)."""

    def __init__(
        self,
        profile: WorkloadProfile,
        *,
        seed: int = 0,
        region: str = "us-east-1",
        init_billed: bool = True,
        initial_memory_mb: int = 1024,
    ) -> None:
        architectures = frozenset({Architecture.X86_64})
        if profile.arm64_duration_factor is not None:
            architectures = frozenset(Architecture)
        super().__init__(region=region, architectures=architectures)
        self.simulated = SimulatedFunction(profile, seed=seed, init_billed=init_billed)
        self._initial_memory_mb = initial_memory_mb

    @classmethod
    def from_profile(
        cls, source: Path | str | Mapping[str, Any], *, seed: int | None = None, **kwargs: Any
    ) -> SimulatorBackend:
        """Build from a profile file or mapping; `seed` defaults to the profile's `seed` (or 0)."""
        if isinstance(source, Mapping):
            profile, named = profile_from_dict(source), profile_seed(source)
        else:
            path = Path(source)
            profile, named = load_profile(path), profile_seed(path)
        chosen = seed if seed is not None else (named if named is not None else 0)
        return cls(profile, seed=chosen, **kwargs)

    def describe(self) -> dict[str, str]:
        return {
            "kind": "simulator",
            "profile": self.simulated.profile.name,
            "seed": str(self.simulated.seed),
            "cpu_control": "modelled: CPU share = min(memory/1769, threads, visible vCPUs)",
            "synthetic": "true",
        }

    def invoke(self, function_name: str, qualifier: str, payload: bytes) -> InvokeOutcome:
        self._op("Invoke", function_name, qualifier)
        cfg = self.get_configuration(function_name, qualifier)
        if cfg.architecture not in self.supported_architectures():
            raise UnsupportedArchitecture(
                f"profile {self.simulated.profile.name!r} does not simulate "
                f"{cfg.architecture.value}; add arm64_duration_factor to the profile"
            )
        drawn = self.simulated.invoke(
            cfg.memory_mb,
            cfg.architecture,
            self.simulated.payload_index(payload),
            f"{function_name}:{cfg.version}",
        )
        body = b'{"ok": true}'
        if drawn.error_type is not None:
            body = json.dumps(
                {"errorType": drawn.error_type, "errorMessage": "simulated failure"}
            ).encode()
        return InvokeOutcome(
            payload=body,
            duration_ms=drawn.duration_ms,
            billed_duration_ms=drawn.billed_duration_ms,
            init_duration_ms=drawn.init_duration_ms,
            max_memory_used_mb=drawn.max_memory_used_mb,
            function_error="Unhandled" if drawn.error_type else None,
            error_type=drawn.error_type,
            executed_version=cfg.version,
        )

    def _get(self, name: str) -> _Function:
        # Any function name refers to the simulated function: create it on first use.
        if name not in self._functions:
            self.add_function(
                name,
                memory_mb=self._initial_memory_mb,
                timeout_s=math.ceil(self.simulated.profile.timeout_s),
            )
        return super()._get(name)
