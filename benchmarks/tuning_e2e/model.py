"""The CPU model's predictions for the end-to-end tuning benchmark (pure: no I/O).

Model (Lambda's documented rule, docs/simulator.md "The model", without noise):
a warm invocation at memory m takes

    duration(m) = other_ms + cpu_ms × 1769 / min(m, 1769)

where `cpu_ms` is the single-threaded CPU work at one full vCPU (1,769 MB) and `other_ms`
is everything that does not scale with CPU (waits, and the runtime's own fixed overhead).
None of the three handlers uses a second thread, so sizes above 1,769 MB buy nothing.
Work spread over `threads` threads (benchmarks/local_decisions) uses up to that many vCPUs:
`cpu_ms × 1769 / min(m, 1769 × threads)`, with `cpu_ms` the CPU time of all threads.

Cost per invocation is Lambda's billing as powertune computes it
(`powertune.tuning.pricing.invocation_cost_usd`: duration rounded up to 1 ms × GB ×
price per GB-second + the request charge). The balanced score is upstream's and
powertune's: w × cost / max cost + (1 − w) × duration / max duration over the grid.

Tolerance: every size whose predicted objective is within `tolerance` (relative) of the
best is "equally predicted"; a recommendation matches when it is one of them. Sizes the
caller knows fail (`failing_mb`: out of memory, timeouts) are left out of the grid.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from powertune.tuning.pricing import PriceRate, invocation_cost_usd

ONE_VCPU_MB = 1769
STRATEGIES = ("cost", "speed", "balanced")


@dataclass(frozen=True)
class ModelInputs:
    """The two numbers the CPU model needs for one handler, measured at 1,769 MB."""

    cpu_ms_at_one_vcpu: float
    other_ms: float
    threads: int = 1


@dataclass(frozen=True)
class Prediction:
    """What the model predicts for one strategy over the grid."""

    strategy: str
    best_mb: int
    equally_predicted_mb: tuple[int, ...]
    objective_by_mb: Mapping[int, float]


def duration_ms(inputs: ModelInputs, memory_mb: int) -> float:
    """Predicted warm duration at `memory_mb` (work split evenly over `inputs.threads`)."""
    share = min(memory_mb, ONE_VCPU_MB * inputs.threads) / ONE_VCPU_MB
    return inputs.other_ms + inputs.cpu_ms_at_one_vcpu / share


def objectives(
    inputs: ModelInputs, grid: Sequence[int], rate: PriceRate, balanced_weight: float
) -> dict[str, dict[int, float]]:
    """Predicted objective (lower is better) per strategy and memory size."""
    durations = {m: duration_ms(inputs, m) for m in grid}
    costs = {m: invocation_cost_usd(durations[m], m, rate) for m in grid}
    max_cost, max_duration = max(costs.values()), max(durations.values())
    balanced = {
        m: balanced_weight * costs[m] / max_cost
        + (1.0 - balanced_weight) * durations[m] / max_duration
        for m in grid
    }
    return {"cost": costs, "speed": durations, "balanced": balanced}


def predict(
    inputs: ModelInputs,
    grid: Sequence[int],
    rate: PriceRate,
    *,
    balanced_weight: float = 0.5,
    tolerance: float = 0.02,
    failing_mb: Collection[int] = (),
) -> dict[str, Prediction]:
    """The best size and the equally predicted sizes, per strategy.

    Ties on the objective go to the smaller size (cheaper for speed, faster is moot for cost
    within the tolerance anyway).
    """
    predictions: dict[str, Prediction] = {}
    working = [m for m in grid if m not in failing_mb]
    for strategy, values in objectives(inputs, working, rate, balanced_weight).items():
        best_value = min(values.values())
        best_mb = min(m for m, v in values.items() if v == best_value)
        within = tuple(sorted(m for m, v in values.items() if v <= best_value * (1 + tolerance)))
        predictions[strategy] = Prediction(strategy, best_mb, within, values)
    return predictions
