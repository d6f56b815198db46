"""Figures from a tuning run's raw records: upstream's num subset, spend, model agreement."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from model import ModelInputs, duration_ms

from powertune.tuning.pricing import PriceRate, invocation_cost_usd


def first_per_size(records: list[dict[str, Any]], num: int) -> list[dict[str, Any]]:
    """The first `num` invocations of every size, by sequence: upstream's num serial ones."""
    kept: list[dict[str, Any]] = []
    seen: dict[int, int] = {}
    for r in sorted(records, key=lambda r: r["sequence"]):
        if seen.get(r["memory_mb"], 0) < num:
            seen[r["memory_mb"]] = seen.get(r["memory_mb"], 0) + 1
            kept.append(r)
    return kept


def spend(records: list[dict[str, Any]], rate: PriceRate) -> dict[str, Any]:
    """Invocations, their cost at powertune's prices and their summed run time."""
    return {
        "invocations": len(records),
        "cost_usd": sum(
            invocation_cost_usd(r["billed_duration_ms"], r["memory_mb"], rate) for r in records
        ),
        "invocation_time_s": sum(r["duration_ms"] + (r["init_duration_ms"] or 0) for r in records)
        / 1000,
    }


def measured_vs_model(
    records: list[dict[str, Any]], inputs: ModelInputs, grid: Sequence[int], *, mean: bool = False
) -> dict[str, Any]:
    """Per size: median (or mean) warm duration of the fixed run against the model's duration.

    The mean is the one to compare for a model of mean durations with a bimodal or stalling
    workload, whose median is its common case.
    """
    average, key = (
        (statistics.fmean, "measured_mean_ms")
        if mean
        else (statistics.median, "measured_median_ms")
    )
    table: dict[str, Any] = {}
    for m in grid:
        warm = [r["duration_ms"] for r in records if r["memory_mb"] == m and not r["cold_start"]]
        if warm:
            measured, predicted = average(warm), duration_ms(inputs, m)
            table[str(m)] = {
                key: measured,
                "predicted_ms": predicted,
                "ratio": measured / predicted,
            }
    return table
