"""Workload profiles for the simulator: what a function does, and how it runs at a memory size.

A profile describes a function's work in a few numbers (CPU milliseconds at
one vCPU, threads it can use, I/O time, noise, outliers, cold-start init,
minimum memory, timeout) plus optional shapes the standard model does not
explain (steps, plateaus, bumps) and optional recorded traces to replay.
`docs/simulator.md` documents the YAML format; `load_profile` reads it.

`draw_warm_durations_ms` is the one place durations are drawn: the simulator
backend calls it one invocation at a time and `true_expectations` calls it
with a large sample for the benchmark's ground truth, so both follow the
same model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from powertune.errors import ConfigError
from powertune.lambda_model import cpu_share
from powertune.tuning.models import Architecture

SHAPE_KINDS = ("step", "bump", "plateau")


@dataclass(frozen=True, slots=True)
class Shape:
    """A deviation from the standard model at some memory sizes.

    `step`: durations at `from_mb` and above are multiplied by `factor`.
    `bump`: durations between `from_mb` and `to_mb` (inclusive) are multiplied by `factor`.
    `plateau`: the CPU share stops growing at `from_mb` (e.g. a downstream limit).
    """

    kind: str
    from_mb: int
    to_mb: int | None = None
    factor: float = 1.0

    def applies_at(self, memory_mb: int) -> bool:
        """Whether this step or bump multiplies durations at `memory_mb`."""
        if self.kind == "step":
            return memory_mb >= self.from_mb
        if self.kind == "bump":
            return self.from_mb <= memory_mb <= (self.to_mb or self.from_mb)
        return False


@dataclass(frozen=True, slots=True)
class PayloadVariant:
    """One payload of a weighted set: its weight and how much work it carries."""

    weight: float = 1.0
    work_factor: float = 1.0
    body: Any = None


@dataclass(frozen=True, slots=True)
class WorkloadProfile:
    """Everything the simulator needs to draw invocations of one function."""

    name: str
    cpu_ms: float
    threads: float = 1.0
    io_ms: float = 0.0
    noise_sigma: float = 0.05
    outlier_probability: float = 0.0
    outlier_multiplier: float = 3.0
    #: when > 0 an outlier adds this many ms (a slow downstream call) instead of multiplying
    outlier_add_ms: float = 0.0
    #: outliers happen only at these sizes (empty: at every size)
    outlier_only_mb: tuple[int, ...] = ()
    #: durations × (1 + this × position in the run / 100); applied by the decision benchmark
    drift_per_100_invocations: float = 0.0
    init_cpu_ms: float = 0.0
    init_io_ms: float = 0.0
    cold_start_probability: float = 0.0
    recycle_after_invocations: int | None = None
    min_memory_mb: int = 128
    memory_used_mb: int = 64
    timeout_s: float = 30.0
    shapes: tuple[Shape, ...] = ()
    payloads: tuple[PayloadVariant, ...] = (PayloadVariant(),)
    traces_ms: Mapping[int, tuple[float, ...]] = field(default_factory=dict)
    #: arm64 duration relative to x86_64 (0.9 = 10% faster); None: arm64 not simulated
    arm64_duration_factor: float | None = None
    description: str = ""
    group: str = ""
    held_out: bool = False

    @property
    def payload_weights(self) -> tuple[float, ...]:
        return tuple(p.weight for p in self.payloads)

    def expected_base_ms(self, memory_mb: int) -> float:
        """Noise-free warm duration at `memory_mb` for a work factor of 1."""
        share = cpu_share(memory_mb, self.threads)
        duration = self.io_ms
        factor = 1.0
        for shape in self.shapes:
            if shape.kind == "plateau":
                if memory_mb > shape.from_mb:
                    share = min(share, cpu_share(shape.from_mb, self.threads))
            elif shape.applies_at(memory_mb):
                factor *= shape.factor
        duration += self.cpu_ms / share
        return duration * factor

    def init_ms(self, memory_mb: int) -> float:
        """Init time on a cold start: single-threaded CPU work plus fixed I/O."""
        if self.init_cpu_ms == 0 and self.init_io_ms == 0:
            return 0.0
        return self.init_cpu_ms / cpu_share(memory_mb, 1.0) + self.init_io_ms


def draw_warm_durations_ms(
    profile: WorkloadProfile,
    memory_mb: int,
    architecture: Architecture,
    payload_index: int,
    rng: np.random.Generator,
    count: int,
) -> np.ndarray:
    """`count` handler durations (ms) of warm invocations, before any timeout is applied."""
    arch_factor = 1.0
    if architecture is Architecture.ARM64:
        if profile.arm64_duration_factor is None:
            raise ConfigError(
                f"profile {profile.name!r} does not simulate arm64; "
                "add arm64_duration_factor to the profile"
            )
        arch_factor = profile.arm64_duration_factor
    work = profile.payloads[payload_index].work_factor if profile.payloads else 1.0
    if profile.traces_ms:
        trace = profile.traces_ms.get(memory_mb)
        if not trace:
            raise ConfigError(
                f"profile {profile.name!r} replays traces but has none for {memory_mb} MB; "
                f"record one or tune only {sorted(profile.traces_ms)}"
            )
        picks = rng.integers(0, len(trace), size=count)
        return np.asarray(trace, dtype=float)[picks] * arch_factor
    base = profile.expected_base_ms(memory_mb) * work * arch_factor
    noise = np.exp(rng.normal(0.0, profile.noise_sigma, size=count)) if profile.noise_sigma else 1.0
    durations = base * np.ones(count) * noise
    if profile.outlier_probability > 0:
        hit = rng.random(count) < profile.outlier_probability
        if profile.outlier_only_mb and memory_mb not in profile.outlier_only_mb:
            hit = np.zeros(count, dtype=bool)
        add, times = profile.outlier_add_ms, profile.outlier_multiplier
        durations = np.where(hit, durations + add if add > 0 else durations * times, durations)
    return np.maximum(durations, 0.01)


def _shape(raw: Mapping[str, Any]) -> Shape:
    kind = str(raw.get("kind", ""))
    if kind not in SHAPE_KINDS:
        raise ConfigError(f"unknown shape kind {kind!r}; use one of {', '.join(SHAPE_KINDS)}")
    to_mb = raw.get("to_mb")
    return Shape(
        kind=kind,
        from_mb=int(raw["from_mb"]),
        to_mb=None if to_mb is None else int(to_mb),
        factor=float(raw.get("factor", 1.0)),
    )


_SCALARS: dict[str, type] = {
    "cpu_ms": float,
    "threads": float,
    "io_ms": float,
    "noise_sigma": float,
    "outlier_probability": float,
    "outlier_multiplier": float,
    "outlier_add_ms": float,
    "drift_per_100_invocations": float,
    "init_cpu_ms": float,
    "init_io_ms": float,
    "cold_start_probability": float,
    "recycle_after_invocations": int,
    "min_memory_mb": int,
    "memory_used_mb": int,
    "timeout_s": float,
    "arm64_duration_factor": float,
    "description": str,
    "group": str,
    "held_out": bool,
}


def profile_from_dict(raw: Mapping[str, Any], *, default_name: str = "profile") -> WorkloadProfile:
    """Build and validate a profile from its YAML/JSON mapping."""
    known = {"name", "shapes", "payloads", "traces_ms", "seed", "outlier_only_mb"}
    unknown = set(raw) - set(_SCALARS) - known
    if unknown:
        raise ConfigError(
            f"unknown profile keys {sorted(unknown)}; docs/simulator.md lists the valid ones"
        )
    if "cpu_ms" not in raw and "traces_ms" not in raw:
        raise ConfigError("a profile needs cpu_ms (CPU work at one vCPU, ms) or traces_ms")
    values: dict[str, Any] = {"name": str(raw.get("name", default_name))}
    for key, kind in _SCALARS.items():
        if raw.get(key) is not None:
            values[key] = kind(raw[key])
    values.setdefault("cpu_ms", 0.0)
    values["outlier_only_mb"] = tuple(int(m) for m in raw.get("outlier_only_mb") or ())
    values["shapes"] = tuple(_shape(s) for s in raw.get("shapes") or ())
    payloads = raw.get("payloads") or [{}]
    values["payloads"] = tuple(
        PayloadVariant(
            weight=float(p.get("weight", 1.0)),
            work_factor=float(p.get("work_factor", 1.0)),
            body=p.get("body"),
        )
        for p in payloads
    )
    traces = raw.get("traces_ms") or {}
    values["traces_ms"] = {int(m): tuple(float(d) for d in ds) for m, ds in traces.items()}
    profile = WorkloadProfile(**values)
    _validate(profile)
    return profile


def _validate(profile: WorkloadProfile) -> None:
    checks = [
        (profile.cpu_ms >= 0, f"cpu_ms must be >= 0, got {profile.cpu_ms}"),
        (profile.threads >= 1, f"threads must be >= 1, got {profile.threads}"),
        (profile.io_ms >= 0, f"io_ms must be >= 0, got {profile.io_ms}"),
        (profile.noise_sigma >= 0, f"noise_sigma must be >= 0, got {profile.noise_sigma}"),
        (
            0 <= profile.outlier_probability <= 1,
            f"outlier_probability must be in [0, 1], got {profile.outlier_probability}",
        ),
        (0 <= profile.cold_start_probability <= 1, "cold_start_probability must be in [0, 1]"),
        (profile.timeout_s > 0, f"timeout_s must be > 0, got {profile.timeout_s}"),
        (
            all(p.weight > 0 and p.work_factor > 0 for p in profile.payloads),
            "payload weight and work_factor must be > 0",
        ),
        (
            profile.cpu_ms > 0 or profile.io_ms > 0 or bool(profile.traces_ms),
            "a profile needs cpu_ms or io_ms above 0 (or traces_ms)",
        ),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(f"profile {profile.name!r}: {message}")


def load_profile(path: Path) -> WorkloadProfile:
    """Read a profile from a YAML (or JSON) file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read workload profile {path}: {exc}; fix the file") from exc
    if not isinstance(raw, Mapping):
        raise ConfigError(f"workload profile {path} must be a mapping of keys to values")
    return profile_from_dict(raw, default_name=path.stem)


def profile_seed(raw_or_path: Mapping[str, Any] | Path) -> int | None:
    """The `seed` a profile file names, if any."""
    path = raw_or_path
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if isinstance(path, Path) else path
    seed = raw.get("seed") if isinstance(raw, Mapping) else None
    return None if seed is None else int(seed)


def ceil_ms(duration_ms: float) -> int:
    """Lambda's billing rounds each invocation up to the next whole millisecond."""
    return max(1, math.ceil(duration_ms - 1e-9))
