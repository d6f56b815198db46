"""Upstream's own price tables and cost formulas, kept apart from our real price table.

AWS Lambda Power Tuning prices compute per millisecond at 128 MB from two JSON
tables in its template.yml (`baseCosts`, `sfCosts`). They are rounded (2.1e-9 for
AWS's 2.0833e-9), partial (seven x86 regions, one arm64 price) and ignore the
request charge; compatibility mode uses them *because* upstream does, so that the
same samples give the same numbers. The tuner's own price table is elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

from powertune.tuning.compat.errors import UpstreamError
from powertune.tuning.compat.jsvalues import js_parse_int, js_to_fixed, js_to_number, js_truthy
from powertune.tuning.models import Architecture
from powertune.tuning.pricing import PriceRate, PriceTable, RegionSource

#: template.yml `minRAM`: prices are per ms at this memory size.
MIN_RAM_MB: Final = 128

#: template.yml `baseCosts` (USD per ms at 128 MB; CNY in cn- regions).
LAMBDA_BASE_COSTS: Final[Mapping[str, Mapping[str, float]]] = {
    "x86_64": {
        "ap-east-1": 2.9e-9,
        "af-south-1": 2.8e-9,
        "me-south-1": 2.6e-9,
        "eu-south-1": 2.4e-9,
        "ap-northeast-3": 2.7e-9,
        "cn-north-1": 0.0000000142,
        "cn-northwest-1": 0.0000000142,
        "default": 2.1e-9,
    },
    "arm64": {"default": 1.7e-9},
}

#: template.yml `sfCosts` (USD per Step Functions state transition).
STEP_FUNCTIONS_COSTS: Final[Mapping[str, float]] = {
    "default": 0.000025,
    "us-gov-west-1": 0.00003,
    "ap-northeast-2": 0.0000271,
    "eu-south-1": 0.00002625,
    "af-south-1": 0.00002975,
    "us-west-1": 0.0000279,
    "eu-west-3": 0.0000297,
    "ap-east-1": 0.0000275,
    "me-south-1": 0.0000275,
    "ap-south-1": 0.0000285,
    "us-gov-east-1": 0.00003,
    "sa-east-1": 0.0000375,
    "cn-north-1": 0.0001891,
    "cn-northwest-1": 0.0001891,
}


def base_cost_for_region(price_map: Mapping[str, float], region: str) -> float:
    """`baseCostForRegion`: the region's price if truthy, else the `default` entry."""
    price = price_map.get(region)
    return price if price is not None and js_truthy(price) else price_map["default"]


def lambda_base_cost(region: str, architecture: str) -> float:
    """`lambdaBaseCost`: per-ms price at 128 MB for a region and architecture."""
    price_map = LAMBDA_BASE_COSTS.get(architecture)
    if price_map is None:
        raise UpstreamError(f"Unsupported architecture: {architecture}")
    return base_cost_for_region(price_map, region)


def step_functions_cost(
    power_values_count: int, only_cold_starts: bool, num: object, tool_region: str
) -> float:
    """`stepFunctionsCost`: `+(base × transitions).toFixed(5)`, as upstream estimates it.

    Upstream counts 6 + 3N transitions (6 + N + 2·N·num with onlyColdStarts); the
    real count is 3N + 7, and retries and the free tier are ignored. Compatibility
    mode reports this figure only when Step Functions really ran (see analyzer.py).
    """
    base = base_cost_for_region(STEP_FUNCTIONS_COSTS, tool_region)
    transitions: float = 6 + power_values_count * 3
    if only_cold_starts:
        transitions = 6 + power_values_count + 2 * power_values_count * js_to_number(num)
    return float(js_to_fixed(base * transitions, 5))


def compute_price(min_cost: float, min_ram: float, value: object, duration: float) -> float:
    """`Math.ceil(duration) * minCost * (value / minRAM)`, in exactly that order."""
    return math.ceil(duration) * min_cost * (js_to_number(value) / min_ram)


def compute_total_cost(
    min_cost: float, min_ram: float, value: object, durations: Sequence[float]
) -> float:
    """`computeTotalCost`: the left-fold sum of `compute_price` over every duration."""
    total = 0.0
    for duration in durations:
        total += compute_price(min_cost, min_ram, value, duration)
    return total


def compute_average_duration(durations: list[float], discard_top_bottom: float) -> float:
    """`computeAverageDuration`: upstream's trimmed mean. Sorts `durations` IN PLACE.

    k = parseInt(n × d) values are dropped at each end (JS parseInt truncates the
    printed product); the kept values are summed left to right from 0 and divided
    by n − 2k. The in-place sort matters: upstream sums the total cost over the
    billed durations after this sort, and a float sum depends on its order.
    """
    if not durations:
        return 0.0
    discarded = js_parse_int(len(durations) * discard_top_bottom)
    durations.sort()
    if math.isnan(discarded):  # a NaN fraction propagates to a NaN mean, unguarded
        return math.nan
    k = int(discarded)
    kept_count = len(durations) - 2 * k
    # JS `slice(k, k > 0 ? -k : n)`; Python slices clamp negative bounds the same way.
    kept = durations[k : -k if k > 0 else len(durations)]
    total = 0.0
    for duration in kept:
        total += duration
    if kept_count == 0:
        return math.nan if total == 0 else math.copysign(math.inf, total)
    return total / kept_count


def upstream_price_table(region: str, *, init_billed: bool = True) -> PriceTable:
    """Upstream's `baseCosts` for `region` as a one-region PriceTable (compat mode only).

    Compat mode prices like upstream for any region, so a region our own table
    lacks is priced from upstream's table (its `default` for a region it does
    not list, as upstream does), per GB-second: per-ms-at-128-MB × 1000 × 1024/128.
    Upstream has no request charge; CNY in cn- regions.
    """
    currency = "CNY" if region.startswith("cn-") else "USD"
    per_gb_s = {
        Architecture(arch): lambda_base_cost(region, arch) * 1000.0 * 1024.0 / MIN_RAM_MB
        for arch in LAMBDA_BASE_COSTS
    }
    source = (
        "AWS Lambda Power Tuning's baseCosts (template.yml), used by compat mode because "
        f"powertune's own table has no price for {region}; no request charge"
    )
    return PriceTable(
        rates={
            region: {
                arch: PriceRate(price, 0.0, init_billed, currency=currency)
                for arch, price in per_gb_s.items()
            }
        },
        source=source,
        source_snapshot_date=None,
        copied_on=None,
        init_billed=init_billed,
        regions={region: RegionSource(source, None, currency)},
        region=region,
    )
