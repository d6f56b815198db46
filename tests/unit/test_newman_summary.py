"""The Newman Markdown summary is built from the JSON reporter's run statistics."""

from __future__ import annotations

from typing import Any

from powertune.reports.newman import render_newman_summary


def _summary(failures: list[dict[str, Any]], failed_assertions: int) -> dict[str, Any]:
    return {
        "collection": {"info": {"name": "powertune items API"}},
        "environment": {"values": [{"key": "baseUrl", "value": "http://127.0.0.1:1/x"}]},
        "run": {
            "stats": {
                "iterations": {"total": 1, "failed": 0},
                "requests": {"total": 2, "failed": 0},
                "testScripts": {"total": 2, "failed": 0},
                "prerequestScripts": {"total": 2, "failed": 0},
                "assertions": {"total": 5, "failed": failed_assertions},
            },
            "timings": {
                "responseAverage": 12.5,
                "responseMin": 5,
                "responseMax": 20,
                "responseSd": 7.5,
                "started": 1_795_850_205_000,
                "completed": 1_795_850_206_234,
            },
            "executions": [
                {
                    "item": {"name": "Get item"},
                    "request": {"method": "GET"},
                    "response": {"code": 200, "responseTime": 5},
                    "assertions": [{"assertion": "a"}, {"assertion": "b", "error": {"x": 1}}],
                },
                {"item": {"name": "Dead"}, "request": {"method": "POST"}, "assertions": []},
            ],
            "failures": failures,
        },
    }


def test_passing_run_reports_counts_timings_and_requests() -> None:
    text = render_newman_summary(_summary([], 0))
    assert text.startswith("# Newman run: PASSED\n")
    assert "| Assertions | 5 | 0 |" in text
    assert "Base URL: `http://127.0.0.1:1/x`" in text
    assert "Duration: 1234 ms" in text
    assert "average 12.5 ms, min 5 ms, max 20 ms" in text
    assert "| Get item | GET | 200 | 5 | 1/2 |" in text
    assert "| Dead | POST | no response |  | 0/0 |" in text
    assert "## Failures" not in text


def test_failures_are_listed_with_escaped_cells() -> None:
    failure = {
        "source": {"name": "Create | item"},
        "error": {"test": "status is 201", "message": "expected 500\nto equal 201"},
    }
    text = render_newman_summary(_summary([failure], 1), title="Smoke")
    assert text.startswith("# Smoke: FAILED\n")
    assert "| Create \\| item | status is 201 | expected 500 to equal 201 |" in text
