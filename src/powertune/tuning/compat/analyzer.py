"""Upstream's Analyzer: pick the winning power value from the Executors' outputs.

Mirrors `analyzer.handler` of AWS Lambda Power Tuning: drop entries whose average
duration is 0, sort with the strategy's comparator (in place and stable, so exact
ties keep input order), take the first entry, add `stateMachine` costs and the
visualization URL. Output keys, in order: `power, cost, duration, stateMachine`
and, with `includeOutputResults`, `stats`.

Deliberate deviations (docs/compat.md): `stateMachine.executionCost` is 0 unless
Step Functions really ran; bad strategy or weight values raise ConfigError instead
of crashing or being clamped; no kept entry raises TuningFailed instead of a
TypeError.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from powertune.errors import ConfigError, TuningFailed
from powertune.tuning.compat.errors import UpstreamError
from powertune.tuning.compat.inputs import parse_balanced_weight, parse_strategy
from powertune.tuning.compat.jsvalues import (
    UNDEFINED,
    js_divide,
    js_json_stringify,
    js_to_number,
    js_truthy,
)
from powertune.tuning.compat.prices import step_functions_cost
from powertune.tuning.compat.visualization import (
    DEFAULT_VISUALIZATION_URL,
    build_visualization_url_from_stats,
)

Stat = dict[str, object]


def extract_statistics(stats: Sequence[object]) -> list[Stat]:
    """`extractStatistics`: keep entries with a truthy averageDuration, renamed."""
    kept: list[Stat] = []
    for stat in stats:
        if isinstance(stat, Mapping) and js_truthy(stat.get("averageDuration", UNDEFINED)):
            kept.append(
                {
                    "power": stat.get("value", UNDEFINED),
                    "cost": stat.get("averagePrice", UNDEFINED),
                    "duration": stat.get("averageDuration", UNDEFINED),
                    "totalCost": stat.get("totalCost", UNDEFINED),
                }
            )
    return kept


def _js_max(values: Sequence[float]) -> float:
    """`Math.max(...values)`: NaN if any is NaN, -Infinity when empty."""
    if any(math.isnan(v) for v in values):
        return math.nan
    return max(values, default=-math.inf)


def sort_by_strategy(stats: list[Stat], strategy: str, balanced_weight: float) -> None:
    """Sort IN PLACE exactly as upstream's comparators (Array.prototype.sort is stable).

    cost: cost, then duration (fix of upstream #60); speed: duration, then cost;
    balanced: w·cost/maxCost + (1−w)·duration/maxDuration, no secondary key.
    """

    def num(stat: Stat, key: str) -> float:
        return js_to_number(stat[key])

    if strategy == "cost":
        stats.sort(key=lambda s: (num(s, "cost"), num(s, "duration")))
    elif strategy == "speed":
        stats.sort(key=lambda s: (num(s, "duration"), num(s, "cost")))
    else:
        max_cost = _js_max([num(s, "cost") for s in stats])
        max_duration = _js_max([num(s, "duration") for s in stats])
        w = balanced_weight
        stats.sort(
            key=lambda s: (
                js_divide(w * num(s, "cost"), max_cost)
                + js_divide((1 - w) * num(s, "duration"), max_duration)
            )
        )


def analyze_executor_outputs(
    stats: Sequence[object],
    *,
    strategy: str,
    balanced_weight: float,
    execution_cost: float,
    tool_region: str,
    visualization_url: str = DEFAULT_VISUALIZATION_URL,
    include_output_results: bool = False,
) -> dict[str, object]:
    """`findOptimalConfiguration` over the Executors' outputs, in Map (input) order."""
    kept = extract_statistics(stats)
    if not kept:
        raise TuningFailed(
            "no power value has a non-zero average duration, so nothing can be "
            "recommended (AWS Lambda Power Tuning crashes with a TypeError here); "
            "check that the invocations produced REPORT durations"
        )
    sort_by_strategy(kept, strategy, balanced_weight)
    optimal = kept[0]
    lambda_cost = 0.0
    for stat in kept:  # summed in strategy-sorted order, as upstream's reduce
        lambda_cost += js_to_number(stat["totalCost"])
    result: dict[str, object] = {
        "power": optimal["power"],
        "cost": optimal["cost"],
        "duration": optimal["duration"],
        "stateMachine": {
            "executionCost": execution_cost,
            "lambdaCost": lambda_cost,
            "visualization": build_visualization_url_from_stats(
                kept, visualization_url, tool_region
            ),
        },
    }
    if include_output_results:
        result["stats"] = [_output_stat(stat) for stat in stats]
    return result


def _output_stat(stat: object) -> Stat:
    if not isinstance(stat, Mapping):
        return {}
    keys = ("value", "averagePrice", "averageDuration")
    return {key: stat[key] for key in keys if stat.get(key, UNDEFINED) is not UNDEFINED}


def analyzer_handler(
    event: object,
    *,
    tool_region: str,
    step_functions_ran: bool,
    visualization_url: str = DEFAULT_VISUALIZATION_URL,
) -> dict[str, object] | None:
    """Upstream's `analyzer.handler(event)` for a Step Functions state `event`.

    `tool_region` is upstream's `AWS_REGION` (Step Functions price, CNY label).
    `step_functions_ran` says whether a state machine really ran: only then is
    upstream's `stepFunctionsCost` estimate reported, otherwise executionCost is 0.
    """
    if event is None or event is UNDEFINED:
        raise ConfigError(  # upstream: TypeError reading 'stats'
            "the analyzer event is empty: pass a JSON object with a 'stats' array"
        )
    stats = event.get("stats", UNDEFINED) if isinstance(event, Mapping) else UNDEFINED
    if not isinstance(event, Mapping) or not isinstance(stats, list) or not stats:
        raise UpstreamError("Wrong input " + str(js_json_stringify(event)))
    if js_truthy(event.get("dryRun", UNDEFINED)):
        return None
    strategy = parse_strategy(event.get("strategy", UNDEFINED))
    weight = parse_balanced_weight(event.get("balancedWeight", UNDEFINED))
    execution_cost = 0.0
    if step_functions_ran:
        execution_cost = step_functions_cost(
            len(stats),
            js_truthy(event.get("onlyColdStarts", UNDEFINED)),
            event.get("num", UNDEFINED),
            tool_region,
        )
    return analyze_executor_outputs(
        stats,
        strategy=strategy,
        balanced_weight=weight,
        execution_cost=execution_cost,
        tool_region=tool_region,
        visualization_url=visualization_url,
        include_output_results=js_truthy(event.get("includeOutputResults", UNDEFINED)),
    )
