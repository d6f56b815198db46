"""Compatibility mode over raw invocation records: upstream's output, from our samples.

`analyze_compat` is what `--compat aws-lambda-power-tuning` calls. It groups the
records by memory size, computes each size's statistics as upstream's Executor
does (trimmed means with `discardTopBottom`, ceil of the average billed duration,
upstream's price table) and decides as upstream's Analyzer does (strategy
tie-breaks, lambdaCost order, visualization URL). Durations for speed include
Init and Restore Duration, as upstream's do.

Deviations, all documented in docs/compat.md: `stateMachine.executionCost` is what
orchestration really cost (0: our CLI runs no Step Functions); a size with an
error not in `allowed_exceptions` is left out of the compat numbers instead of
turning the whole result into `{}` (upstream #217); bad inputs raise ConfigError.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from powertune.errors import ConfigError, TuningFailed
from powertune.tuning.compat.analyzer import analyze_executor_outputs
from powertune.tuning.compat.executor import statistics_from_samples
from powertune.tuning.compat.inputs import (
    parse_balanced_weight,
    parse_discard_top_bottom,
    parse_strategy,
)
from powertune.tuning.compat.prices import lambda_base_cost, step_functions_cost
from powertune.tuning.compat.visualization import DEFAULT_VISUALIZATION_URL
from powertune.tuning.models import InvocationRecord


def _group_by_memory(
    records: Sequence[InvocationRecord], memory_order: Sequence[int] | None
) -> dict[int, list[InvocationRecord]]:
    sizes = sorted({r.memory_mb for r in records}) if memory_order is None else list(memory_order)
    missing = {r.memory_mb for r in records} - set(sizes)
    if missing:
        raise ConfigError(
            f"memory_order {list(sizes)} does not list {sorted(missing)}: "
            "pass every memory size that appears in the records"
        )
    groups: dict[int, list[InvocationRecord]] = {size: [] for size in sizes}
    for record in sorted(records, key=lambda r: r.sequence):
        groups[record.memory_mb].append(record)
    return {size: group for size, group in groups.items() if group}


def failed_sizes(
    records: Sequence[InvocationRecord], allowed_exceptions: Sequence[str] = ()
) -> dict[int, str]:
    """Memory sizes with an error not in `allowed_exceptions`, and their first error type."""
    failures: dict[int, str] = {}
    for record in sorted(records, key=lambda r: r.sequence):
        error = record.error_type
        if error is not None and error not in allowed_exceptions:
            failures.setdefault(record.memory_mb, error)
    return failures


def analyze_compat(
    records: Sequence[InvocationRecord],
    *,
    strategy: str = "cost",
    balanced_weight: float = 0.5,
    discard_top_bottom: float = 0.2,
    lambda_region: str,
    tool_region: str | None = None,
    step_functions_ran: bool = False,
    visualization_url: str = DEFAULT_VISUALIZATION_URL,
    allowed_exceptions: Sequence[str] = (),
    memory_order: Sequence[int] | None = None,
) -> dict[str, object]:
    """Upstream's output object for these records.

    Keys in order: `power, cost, duration, stateMachine{executionCost, lambdaCost,
    visualization}, stats[{value, averagePrice, averageDuration}]` (stats always
    included, as with upstream's `includeOutputResults`). Costs are in upstream's
    currency: CNY in cn- regions. `lambda_region` prices the function (upstream
    takes it from the ARN); `tool_region` is where upstream's app would run (its
    `AWS_REGION`: Step Functions price and the CNY label), by default the
    function's region. `memory_order` is the order sizes were given in, which
    decides exact ties; by default ascending. One architecture per call.
    """
    strategy_name = parse_strategy(strategy)
    weight = parse_balanced_weight(balanced_weight)
    discard = parse_discard_top_bottom(discard_top_bottom)
    if not records:
        raise ConfigError("no invocation records to analyze: run `powertune tune` first")
    architectures = sorted({r.architecture.value for r in records})
    if len(architectures) > 1:
        raise ConfigError(
            f"compatibility mode analyzes one architecture at a time, got {architectures}: "
            "upstream tunes one architecture per run, so analyze each one separately"
        )
    groups = _group_by_memory(records, memory_order)
    stats = _size_statistics(
        records, groups, architectures[0], lambda_region, allowed_exceptions, discard
    )
    region = tool_region or lambda_region
    execution_cost = 0.0
    if step_functions_ran:
        execution_cost = step_functions_cost(len(groups), False, 0, region)
    return analyze_executor_outputs(
        stats,
        strategy=strategy_name,
        balanced_weight=weight,
        execution_cost=execution_cost,
        tool_region=region,
        visualization_url=visualization_url,
        include_output_results=True,
    )


def _size_statistics(
    records: Sequence[InvocationRecord],
    groups: Mapping[int, Sequence[InvocationRecord]],
    architecture: str,
    lambda_region: str,
    allowed_exceptions: Sequence[str],
    discard: float,
) -> list[object]:
    """Upstream's per-size statistics, without the sizes that failed (all failed: an error)."""
    base_cost = lambda_base_cost(lambda_region, architecture)
    failures = failed_sizes(records, allowed_exceptions)
    stats: list[object] = []
    for memory_mb, group in groups.items():
        if memory_mb in failures:
            continue
        durations = [
            r.duration_ms + (r.init_duration_ms or 0.0) + (r.restore_duration_ms or 0.0)
            for r in group
        ]
        # upstream's billed figure: Billed Duration + Billed Restore Duration (SnapStart)
        billed = [float(r.billed_duration_ms + (r.billed_restore_duration_ms or 0)) for r in group]
        stats.append(statistics_from_samples(base_cost, durations, billed, memory_mb, discard))
    if not stats:
        raise TuningFailed(
            "every memory size failed: "
            + ", ".join(f"{size} MB: {error}" for size, error in sorted(failures.items()))
            + "; pass --allowed-errors for handler errors that are expected"
        )
    return stats
