"""The terminal report is a pure function of the typed result: tables and lines, no printing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from rich.table import Table

from powertune.reports.terminal import (
    COLD_COLUMNS,
    STAT_COLUMNS,
    WINNER_MARK,
    cold_start_table,
    failed_lines,
    recommendation_lines,
    statistics_table,
    summary,
)
from powertune.results import TuningResult, parse_result

DATA = Path(__file__).parents[2] / "tests" / "data" / "results"


def load(name: str) -> TuningResult:
    return parse_result(json.loads((DATA / f"{name}.json").read_text(encoding="utf-8")))


def cells(table: Table, column: int) -> list[str]:
    return [str(c) for c in table.columns[column].cells]


def test_one_row_per_configuration_and_the_winner_starred() -> None:
    result = load("fixed")
    table = statistics_table(result)
    assert [c.header for c in table.columns] == [c.format(currency="USD") for c in STAT_COLUMNS]
    assert table.row_count == len(result.statistics)
    assert result.recommendation is not None
    winner = f"{WINNER_MARK}{result.recommendation.memory_mb} x86_64"
    assert [c for c in cells(table, 0) if c.startswith(WINNER_MARK)] == [winner]
    assert cells(table, 1) == [str(s.warm_samples) for s in result.statistics]
    first = result.statistics[0]
    assert first.mean_duration_ms is not None
    assert cells(table, 2)[0] == f"{first.mean_duration_ms:.2f}"


def test_missing_values_show_as_a_dash() -> None:
    result = load("fixed")
    blank = replace(result.statistics[0], p99_duration_ms=None, max_memory_used_mb=None)
    table = statistics_table(replace(result, statistics=(blank,)))
    assert cells(table, 5) == ["—"]
    assert cells(table, 7) == ["—"]


def test_cold_starts_get_their_own_table() -> None:
    result = load("fixed")
    table = cold_start_table(result)
    assert table is not None
    assert [c.header for c in table.columns] == [c.format(currency="USD") for c in COLD_COLUMNS]
    assert table.row_count == len(result.cold_starts)
    assert cold_start_table(replace(result, cold_starts=())) is None


def test_failures_and_no_recommendation() -> None:
    result = load("allfail")
    assert len(failed_lines(result)) == len(result.failed) == 2
    assert recommendation_lines(result) == []
    parts = summary(result)
    assert isinstance(parts[0], Table)
    assert parts[1:3] == failed_lines(result)


def test_recommendation_lists_every_reason() -> None:
    result = load("fixed")
    assert result.recommendation is not None
    lines = recommendation_lines(result)
    assert len(lines) == 1 + len(result.recommendation.reasons)
    assert lines[1:] == [f"  - {r}" for r in result.recommendation.reasons]
    assert summary(result)[-len(lines) :] == lines
