"""Recorded duration traces: from a fixed tuning run's raw records to a replay profile.

The profile is the simulator's trace-replay format (docs/simulator.md, `traces_ms`): per
memory size, the warm successful durations exactly as the REPORT lines gave them. Cold
starts are summarised by a least-squares fit of the profile's init model,
init = init_io_ms + init_cpu_ms × 1769 / min(m, 1769), to the measured Init Durations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ONE_VCPU_MB = 1769


def warm_durations_by_mb(records: Sequence[Mapping[str, Any]]) -> dict[int, list[float]]:
    """Warm, successful `duration_ms` per memory size, in the order they ran."""
    by_mb: dict[int, list[tuple[int, float]]] = {}
    for r in records:
        if r["cold_start"] or r["error_type"] is not None:
            continue
        by_mb.setdefault(int(r["memory_mb"]), []).append((int(r["sequence"]), r["duration_ms"]))
    return {m: [d for _, d in sorted(pairs)] for m, pairs in sorted(by_mb.items())}


def fit_init_ms(records: Sequence[Mapping[str, Any]]) -> tuple[float, float]:
    """(init_cpu_ms, init_io_ms) fitted to the cold starts' Init Durations, both ≥ 0."""
    points = [
        (ONE_VCPU_MB / min(int(r["memory_mb"]), ONE_VCPU_MB), float(r["init_duration_ms"]))
        for r in records
        if r["cold_start"] and r["init_duration_ms"] is not None
    ]
    if not points:
        return 0.0, 0.0
    x = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points])
    if len(set(x.tolist())) < 2:
        return 0.0, float(y.mean())
    slope, intercept = np.polyfit(x, y, 1)
    if slope < 0:  # init does not shrink with CPU here: all of it is fixed time
        return 0.0, float(y.mean())
    if intercept < 0:  # all of it scales with CPU: fit through the origin
        return float((x @ y) / (x @ x)), 0.0
    return float(slope), float(intercept)


def write_trace_profile(
    path: Path,
    *,
    name: str,
    description: str,
    records: Sequence[Mapping[str, Any]],
    timeout_s: int,
) -> dict[str, Any]:
    """Write the replay profile for these records to `path` and return it."""
    init_cpu_ms, init_io_ms = fit_init_ms(records)
    used = [r["max_memory_used_mb"] for r in records if r["max_memory_used_mb"] is not None]
    profile: dict[str, Any] = {
        "name": name,
        "description": description,
        "group": "recorded",
        "traces_ms": {
            m: [round(d, 2) for d in ds] for m, ds in warm_durations_by_mb(records).items()
        },
        "init_cpu_ms": round(init_cpu_ms, 2),
        "init_io_ms": round(init_io_ms, 2),
        "memory_used_mb": int(max(used)) if used else 64,
        "timeout_s": timeout_s,
        "seed": 0,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(profile, sort_keys=False, default_flow_style=None, width=100)
    path.write_text(text, encoding="utf-8")
    return profile
