"""The policies compared by the decision benchmark, each run on a simulated function.

Every runner takes a fresh `SimulatedFunction` (same seed for every policy, so
the k-th invocation of a size is the same draw for all of them: common random
numbers) and returns the records it paid for and the size it recommends.

- `upstream(num)`: AWS Lambda Power Tuning's algorithm (power-tuning.md §3.3,
  §3.5) through our compatibility module: `num` serial invocations per size on
  a freshly published version (so the first is cold), trimmed means (0.2),
  ceil of the average billed duration × upstream's price, stable-sort
  tie-breaks; like upstream, any failing invocation fails the whole run (no
  recommendation: its state machine ends with `{}`).
- `fixed(num)`: our engine's fixed sampling (one warm-up + num per size) and
  our analysis.
- `adaptive`: our adaptive policy through the same loop as the engine (one
  warm-up per size, then the policy's batches, failed sizes skipped), and the
  pick of `powertune.tuning.recommend.recommend` on all the records (what
  `tune` and `analyze` both call).

A profile's `drift_per_100_invocations` scales each invocation's duration by
its position in the run (`draw`), for every policy alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from powertune.backends.simulator import SimulatedFunction
from powertune.errors import ConfigError
from powertune.tuning.adaptive import AdaptiveSampling
from powertune.tuning.analysis import analyze
from powertune.tuning.compat.analysis import analyze_compat
from powertune.tuning.models import (
    SANDBOX_TIMEDOUT,
    Analysis,
    Architecture,
    Configuration,
    InvocationRecord,
)
from powertune.tuning.pricing import PriceRate
from powertune.tuning.recommend import recommend
from powertune.tuning.sampling import FixedSampling, SamplingPolicy, SamplingState
from powertune.tuning.strategies import parse_strategy

RATE = PriceRate(0.0000166667, 0.0000002)


@dataclass
class Outcome:
    records: list[InvocationRecord]
    recommended: dict[str, int | None]
    analyses: dict[str, Analysis] = field(default_factory=dict)
    policies: dict[str, AdaptiveSampling] = field(default_factory=dict)
    settled: dict[str, bool] = field(default_factory=dict)


def draw(
    sim: SimulatedFunction, c: Configuration, payload_index: int, sequence: int
) -> InvocationRecord:
    """One invocation; with `drift_per_100_invocations`, scaled by its position in the run."""
    record = sim.record(c, payload_index, sequence=sequence)
    drift = sim.profile.drift_per_100_invocations
    if not drift or record.error_type is not None:
        return record
    factor = max(0.2, 1.0 + drift * sequence / 100.0)
    duration = record.duration_ms * factor
    timeout_ms = sim.profile.timeout_s * 1000.0
    error = SANDBOX_TIMEDOUT if duration >= timeout_ms else None
    duration = min(duration, timeout_ms)
    billed = max(1, math.ceil(duration + (record.init_duration_ms or 0.0) - 1e-9))
    return replace(
        record, duration_ms=round(duration, 2), billed_duration_ms=billed, error_type=error
    )


def _engine_loop(
    sim: SimulatedFunction,
    policy: SamplingPolicy,
    configs: Sequence[Configuration],
    weights: Sequence[float],
) -> list[InvocationRecord]:
    """What `powertune.tuning.engine` does in `_measure`, minus the control plane."""
    state = SamplingState(configurations=tuple(configs), payload_weights=tuple(weights))

    def invoke(c: Configuration, payload_index: int) -> None:
        record = draw(sim, c, payload_index, len(state.records))
        state.records.append(record)
        if record.error_type is not None:
            state.failed.add(c)

    for c in configs:
        invoke(c, 0)
    while True:
        batch = [r for r in policy.next_batch(state) if r.configuration not in state.failed]
        if not batch:
            break
        for request in batch:
            if request.configuration not in state.failed:
                invoke(request.configuration, request.payload_index)
    return state.records


def run_upstream(
    sim: SimulatedFunction, grid: Sequence[int], num: int, weights: Sequence[float]
) -> Outcome:
    """Upstream: num serial invocations per size, payloads in weighted blocks."""
    records: list[InvocationRecord] = []
    total = sum(weights)
    counts = [round(num * w / total) for w in weights]
    counts[0] += num - sum(counts)
    for memory in grid:
        c = Configuration(memory, Architecture.X86_64)
        planned = [p for p, n in enumerate(counts) for _ in range(n)]
        for p in planned:
            record = draw(sim, c, p, len(records))
            records.append(record)
            if record.error_type is not None:
                break  # in series mode the Executor throws at the first failed invocation
    recommended: dict[str, int | None] = {}
    failed = any(r.error_type is not None for r in records)
    for strategy in ("cost", "speed", "balanced"):
        if failed:
            recommended[strategy] = None  # upstream's Executor throws; the run ends with {}
            continue
        doc = analyze_compat(
            records,
            strategy=strategy,
            balanced_weight=0.5,
            discard_top_bottom=0.2,
            lambda_region="us-east-1",
            memory_order=list(grid),
        )
        power = doc.get("power")
        recommended[strategy] = int(power) if isinstance(power, int | float) else None
    return Outcome(records, recommended)


def run_fixed(
    sim: SimulatedFunction, grid: Sequence[int], num: int, weights: Sequence[float], seed: int
) -> Outcome:
    configs = [Configuration(m, Architecture.X86_64) for m in grid]
    records = _engine_loop(sim, FixedSampling(num, seed=seed), configs, weights)
    out = Outcome(records, {})
    for strategy in ("cost", "speed", "balanced"):
        analysis = analyze(
            records,
            strategy=parse_strategy(strategy),
            rate_for=lambda a: RATE,
            payload_weights=weights,
        )
        out.analyses[strategy] = analysis
        rec = analysis.recommendation
        out.recommended[strategy] = None if rec is None else rec.configuration.memory_mb
    return out


def run_adaptive(
    sim: SimulatedFunction,
    grid: Sequence[int],
    weights: Sequence[float],
    seed: int,
    strategy: str,
    **options: float | int | None,
) -> Outcome:
    """One adaptive run for one strategy (the policy's path depends on the strategy)."""
    configs = [Configuration(m, Architecture.X86_64) for m in grid]
    spec = parse_strategy(strategy)
    policy = AdaptiveSampling(
        spec,
        seed=seed,
        rate_for=lambda a: RATE,
        timeout_ms=sim.profile.timeout_s * 1000.0,
        **options,  # type: ignore[arg-type]
    )
    records = _engine_loop(sim, policy, configs, weights)
    analysis = analyze(
        records, strategy=spec, rate_for=lambda a: RATE, decide=False, payload_weights=weights
    )
    try:
        rec = recommend(
            analysis, records, policy.policy_summary(), strategy=spec, rate_for=lambda a: RATE
        )
    except ConfigError:  # no size could be shown safe: `tune` saves the run, recommends none
        rec = None
    out = Outcome(records, {strategy: None if rec is None else rec.configuration.memory_mb})
    out.settled[strategy] = True if rec is None else rec.settled
    out.analyses[strategy] = analysis
    out.policies[strategy] = policy
    return out
