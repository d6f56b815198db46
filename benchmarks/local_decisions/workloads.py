"""The benchmark's workloads and what the CPU model predicts for each, before any tuning.

A workload is a handler file under `handlers/`, a function timeout and a description.
Its model inputs are measured at 1,769 MB (one vCPU) on the local cloud: one cold call,
then `CALIBRATION_WARM` warm ones, a whole number of every handler's cycles (the stall
comes once in 7 calls, the cache miss once in 3), so their means are the workload's true
means. From them (tuning_e2e's `model.py`, extended to several threads):

- `cpu_ms` = mean CPU time the handler reports (all threads), `other_ms` = mean REPORT
  Duration − `cpu_ms` (waits, stalls, the runtime's own time), so the stall's 1.5 s / 7
  is in the mean, as a user pays it;
- a size **fails** when it cannot hold the peak Max Memory Used seen at 1,769 MB (less
  `OOM_HEADROOM`), or when the slowest call seen, with its CPU part scaled to the size,
  would take longer than the timeout;
- among the sizes that do not fail, the equally predicted sizes per strategy (within the
  tolerance of the best objective).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from functions import invoke_once
from model import ONE_VCPU_MB, ModelInputs, Prediction, predict

from powertune.tuning.pricing import PriceRate

HANDLERS_DIR = Path(__file__).resolve().parent / "handlers"
CALIBRATION_WARM = 21  # 3 stall cycles of 7 and 7 cache cycles of 3
# A size must leave this share of its memory free at the peak seen at 1,769 MB: the
# cgroup also charges page cache, and a peak measured in a few calls is not the worst one.
OOM_HEADROOM = 0.05


@dataclass(frozen=True)
class Workload:
    """One handler the benchmark deploys and tunes."""

    name: str
    description: str
    threads: int = 1
    timeout_s: int = 30

    @property
    def source(self) -> Path:
        return HANDLERS_DIR / f"{self.name}.py"


WORKLOADS = (
    Workload(
        "stall",
        "rare stall: ~40 ms of SHA-256 at one vCPU; 1 call in 7 also waits 1.5 s "
        "(a slow downstream call, the same at every size); 3 s timeout",
        timeout_s=3,
    ),
    Workload(
        "memory_hungry",
        "memory-hungry: a 200 MB in-memory table built on first use, then ~15 ms of "
        "hashing at one vCPU; out of memory at 128 MB",
    ),
    Workload(
        "bimodal",
        "cache hit or miss: ~12 ms of SHA-256 at one vCPU, 5× that on 1 call in 3",
    ),
    Workload(
        "threaded",
        "two threads hashing ~15 ms each at one vCPU: scales past 1,769 MB",
        threads=2,
    ),
    Workload(
        "io_wait",
        "I/O-bound: ~3 ms of JSON parsing at one vCPU, then an 80 ms wait",
    ),
)


@dataclass(frozen=True)
class Calibration:
    """The model's inputs for one workload, measured on warm calls at 1,769 MB."""

    warm_invocations: int
    cpu_ms_mean: float
    other_ms_mean: float
    cpu_ms_max: float
    other_ms_max: float
    duration_ms_median: float
    duration_ms_max: float
    peak_memory_used_mb: int


def calibrate(lam: Any, function: str, warm: int = CALIBRATION_WARM) -> Calibration:
    """One cold call (discarded) and `warm` warm calls at the function's 1,769 MB."""
    invoke_once(lam, function)
    cpu, other, durations, peaks = [], [], [], []
    for _ in range(warm):
        body, report = invoke_once(lam, function)
        cpu.append(float(body["cpu_ms"]))
        other.append(report.duration_ms - float(body["cpu_ms"]))
        durations.append(report.duration_ms)
        peaks.append(report.max_memory_used_mb or 0)
    return Calibration(
        warm_invocations=warm,
        cpu_ms_mean=statistics.fmean(cpu),
        other_ms_mean=statistics.fmean(other),
        cpu_ms_max=max(cpu),
        other_ms_max=max(other),
        duration_ms_median=statistics.median(durations),
        duration_ms_max=max(durations),
        peak_memory_used_mb=max(peaks),
    )


def failing_sizes(workload: Workload, cal: Calibration, grid: Sequence[int]) -> dict[int, str]:
    """The sizes the model says fail, with the reason (out of memory, or the timeout)."""
    failing: dict[int, str] = {}
    for m in grid:
        share = min(m, ONE_VCPU_MB * workload.threads) / ONE_VCPU_MB
        slowest_ms = cal.other_ms_max + cal.cpu_ms_max / share
        if cal.peak_memory_used_mb > m * (1 - OOM_HEADROOM):
            failing[m] = f"out of memory: peak {cal.peak_memory_used_mb} MB at 1,769 MB"
        elif slowest_ms > workload.timeout_s * 1000:
            failing[m] = f"timeout: the slowest call would take {slowest_ms:.0f} ms"
    return failing


@dataclass(frozen=True)
class Expected:
    """What counts as correct for one workload on one grid, fixed before tuning."""

    inputs: ModelInputs
    failing_mb: dict[int, str]
    predictions: dict[str, Prediction]

    def to_json(self, strategy: str) -> dict[str, Any]:
        p = self.predictions[strategy]
        return {
            "predicted_best_mb": p.best_mb,
            "predicted_mb": list(p.equally_predicted_mb),
            "predicted_failing_mb": sorted(self.failing_mb),
            "predicted_objective": {str(m): v for m, v in p.objective_by_mb.items()},
        }


def expected(
    workload: Workload,
    cal: Calibration,
    grid: Sequence[int],
    rate: PriceRate,
    tolerance: float,
) -> Expected:
    """The model's predictions on `grid` for a calibrated workload."""
    inputs = ModelInputs(cal.cpu_ms_mean, cal.other_ms_mean, workload.threads)
    failing = failing_sizes(workload, cal, grid)
    predictions = predict(inputs, grid, rate, tolerance=tolerance, failing_mb=failing)
    return Expected(inputs, failing, predictions)


def calibration_json(cal: Calibration, inputs: ModelInputs) -> dict[str, Any]:
    """The calibration as results.json keeps it, with the model inputs derived from it."""
    return {**asdict(cal), "model_inputs": asdict(inputs)}
