"""REPORT line parsing, text and JSON log formats, from the fixtures in tests/events/."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from powertune.backends.reportline import ReportLineError, parse_report

EVENTS = json.loads(
    (Path(__file__).parents[1] / "events" / "report-lines.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", EVENTS["parsable"], ids=lambda c: c["id"])
def test_report_fixture_parses(case: dict[str, Any]) -> None:
    assert asdict(parse_report(case["log"])) == case["expected"]


@pytest.mark.parametrize("case", EVENTS["unparsable"], ids=lambda c: c["id"])
def test_unparsable_tail_is_a_report_line_error(case: dict[str, Any]) -> None:
    with pytest.raises(ReportLineError):
        parse_report(case["log"])


def test_missing_report_says_why_it_may_be_missing() -> None:
    with pytest.raises(ReportLineError, match="last 4 KB"):
        parse_report("some output\n")


def test_json_report_wins_over_stray_text() -> None:
    log = "REPORT this is a line the handler printed\n" + json.dumps(
        {
            "type": "platform.report",
            "record": {"metrics": {"durationMs": 3.0, "billedDurationMs": 3}},
        }
    )
    report = parse_report(log)
    assert report.duration_ms == 3.0
    assert report.billed_duration_ms == 3


def test_fields_are_not_confused_with_similar_names() -> None:
    # "Billed Restore Duration" and "Restore Duration" and "Duration" are three fields
    line = (
        "REPORT RequestId: r\tDuration: 4.00 ms\tBilled Duration: 5 ms\t"
        "Restore Duration: 100.00 ms\tBilled Restore Duration: 50 ms"
    )
    report = parse_report(line)
    assert (report.duration_ms, report.billed_duration_ms) == (4.0, 5)
    assert (report.restore_duration_ms, report.billed_restore_duration_ms) == (100.0, 50)


@pytest.mark.parametrize(
    ("value", "what"), [("nan", "nan"), ("inf", "inf"), ("-inf", "-inf"), ("-2.5", "-2.5")]
)
def test_non_finite_or_negative_durations_are_refused_by_name(value: str, what: str) -> None:
    line = f"REPORT RequestId: r\tDuration: {value} ms\tBilled Duration: 3 ms"
    with pytest.raises(ReportLineError, match=f"Duration is {what}"):
        parse_report(line)


def test_a_platform_report_printed_by_the_function_never_overrides_the_real_one() -> None:
    fake = json.dumps(
        {
            "type": "platform.report",
            "record": {"metrics": {"durationMs": 9999.0, "billedDurationMs": 9999}},
        }
    )
    report = parse_report(
        f"START RequestId: r\n{fake}\nEND RequestId: r\n"
        "REPORT RequestId: r\tDuration: 1.50 ms\tBilled Duration: 2 ms\n"
    )
    assert (report.duration_ms, report.billed_duration_ms) == (1.5, 2)
