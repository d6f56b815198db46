"""Ground truth for benchmarks: the expected warm behaviour of a workload profile per size.

`true_expectations` draws a large Monte-Carlo sample with a fixed seed through the
simulator's own drawing code (`workload.draw_warm_durations_ms`), so the truth a
benchmark scores a policy against follows exactly the model the simulator runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from powertune.backends.workload import WorkloadProfile, draw_warm_durations_ms
from powertune.tuning.models import (
    RUNTIME_OUT_OF_MEMORY,
    SANDBOX_TIMEDOUT,
    Architecture,
    InvocationRecord,
)
from powertune.tuning.pricing import PriceRate, invocation_cost_usd


@dataclass(frozen=True, slots=True)
class TrueValues:
    """Expected warm behaviour of one memory size (the benchmark's ground truth)."""

    memory_mb: int
    mean_duration_ms: float
    mean_billed_duration_ms: float
    mean_cost_usd: float
    p90_duration_ms: float
    p99_duration_ms: float
    failure: str | None


def true_expectations(
    profile: WorkloadProfile,
    memories_mb: Sequence[int],
    rate: PriceRate,
    *,
    architecture: Architecture = Architecture.X86_64,
    samples: int = 200_000,
    seed: int = 20_261_128,
    max_timeout_share: float = 0.001,
) -> dict[int, TrueValues]:
    """Expected warm duration, billed duration and cost per size, by Monte-Carlo.

    Payloads are mixed in proportion to their weights. A size fails when it is
    below the profile's minimum memory (out of memory) or when more than
    `max_timeout_share` of its invocations would time out.
    """
    weights = np.asarray(profile.payload_weights, dtype=float)
    counts = np.maximum(1, np.round(weights / weights.sum() * samples)).astype(int)
    out: dict[int, TrueValues] = {}
    for memory in memories_mb:
        rng = np.random.default_rng([seed, memory])
        parts = [
            (draw_warm_durations_ms(profile, memory, architecture, i, rng, int(n)), w / n)
            for i, (n, w) in enumerate(zip(counts, weights / weights.sum(), strict=True))
        ]
        durations = np.concatenate([d for d, _ in parts])
        per_sample_weight = np.concatenate([np.full(d.size, w) for d, w in parts])
        billed = np.maximum(1.0, np.ceil(durations - 1e-9))
        mean_duration = float(np.sum(durations * per_sample_weight))
        mean_billed = float(np.sum(billed * per_sample_weight))
        timeout_share = float(np.sum((durations >= profile.timeout_s * 1000.0) * per_sample_weight))
        failure = None
        if memory < profile.min_memory_mb:
            failure = RUNTIME_OUT_OF_MEMORY
        elif timeout_share > max_timeout_share:
            failure = f"{SANDBOX_TIMEDOUT} in {timeout_share:.1%} of invocations"
        resampled = rng.choice(durations, size=durations.size, p=per_sample_weight)
        out[memory] = TrueValues(
            memory_mb=memory,
            mean_duration_ms=mean_duration,
            mean_billed_duration_ms=mean_billed,
            # cost is linear in billed ms, so the mean cost is the cost of the mean billed ms
            mean_cost_usd=mean_billed / 1000.0 * memory / 1024.0 * rate.usd_per_gb_second
            + rate.usd_per_request,
            p90_duration_ms=float(np.percentile(resampled, 90)),
            p99_duration_ms=float(np.percentile(resampled, 99)),
            failure=failure,
        )
    return out


def invocation_cost(record: InvocationRecord, rate: PriceRate) -> float:
    """What one simulated invocation cost (for exploration-cost accounting)."""
    return invocation_cost_usd(record.billed_duration_ms, record.memory_mb, rate)
