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


def test_an_undecided_recommendation_names_the_ties_the_default_and_the_cost_to_settle() -> None:
    result = load("fixed")
    rec = result.recommendation
    assert rec is not None and rec.settled
    assert not any("undecided" in line for line in recommendation_lines(result))
    other = next(s.configuration for s in result.statistics if s.configuration != rec.configuration)
    open_rec = replace(rec, settled=False, tied_with=(other,), more_invocations=40)
    lines = recommendation_lines(replace(result, recommendation=open_rec))
    undecided = [line for line in lines if "undecided" in line]
    assert len(undecided) == 1
    assert f"{other.memory_mb} MB" in undecided[0]
    assert "about 40 more invocations" in undecided[0]


def test_settled_and_more_invocations_round_trip_through_the_file() -> None:
    from powertune.results import to_json

    result = load("fixed")
    assert result.recommendation is not None
    open_rec = replace(result.recommendation, settled=False, more_invocations=12)
    doc = to_json(replace(result, recommendation=open_rec))
    assert (doc["recommendation"]["settled"], doc["recommendation"]["more_invocations"]) == (
        False,
        12,
    )
    again = parse_result(doc).recommendation
    assert again is not None
    assert (again.settled, again.more_invocations) == (False, 12)
