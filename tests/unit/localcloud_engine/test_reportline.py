"""Lambda's platform lines: exact text layout, JSON records and billing rounding."""

from __future__ import annotations

import json

import pytest

from powertune.localcloud.engine import reportline as rl

RID = "8f507cfc-xmpl-4697-b07a-ac58fc914c95"


def test_cold_report_line_layout() -> None:
    figures = rl.ReportFigures(RID, 15.744, 146, 128, 56, 130.49)
    assert rl.report_line(figures) == (
        f"REPORT RequestId: {RID}\tDuration: 15.74 ms\tBilled Duration: 146 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 130.49 ms\t"
    )


def test_warm_report_line_has_no_init_duration() -> None:
    line = rl.report_line(rl.ReportFigures(RID, 2.0, 2, 512, 40, None))
    assert "Init Duration" not in line
    assert line.endswith("Max Memory Used: 40 MB\t")


def test_timeout_and_error_suffixes() -> None:
    timeout = rl.ReportFigures(RID, 3071.27, 3000, 256, 60, None, rl.STATUS_TIMEOUT)
    assert rl.report_line(timeout).endswith("Max Memory Used: 60 MB\tStatus: timeout")
    oom = rl.ReportFigures(RID, 812.4, 813, 256, 256, None, rl.STATUS_ERROR, "Runtime.OutOfMemory")
    assert rl.report_line(oom).endswith("\tStatus: error\tError Type: Runtime.OutOfMemory")
    # A handler exception is reported by the runtime, not the platform: no suffix in text.
    failure = rl.ReportFigures(RID, 3.0, 3, 128, 40, None, rl.STATUS_FAILURE, "ValueError")
    assert "Status" not in rl.report_line(failure)


@pytest.mark.parametrize(
    ("duration", "init", "timeout", "billed"),
    [
        (12.0, None, None, 12),
        (12.000000001, None, None, 12),
        (12.01, None, None, 13),
        (0.31, None, None, 1),
        (15.74, 130.49, None, 147),  # cold: INIT billed since Aug 2025
        (3071.27, None, 3000, 3000),  # timeout: billed the timeout, not the overrun
        (3001.5, 100.2, 3000, 3101),
    ],
)
def test_billed_duration(
    duration: float, init: float | None, timeout: int | None, billed: int
) -> None:
    assert rl.billed_duration_ms(duration, init, timeout) == billed


def test_start_end_and_timeout_lines() -> None:
    assert rl.start_line(RID, "$LATEST") == f"START RequestId: {RID} Version: $LATEST"
    assert rl.end_line(RID) == f"END RequestId: {RID}"
    assert rl.timeout_line(1605073617.874, RID, 3) == (
        f"2020-11-11T05:46:57.874Z {RID} Task timed out after 3.00 seconds"
    )


def test_init_lines_name_the_python_version() -> None:
    assert rl.init_start_line("3.11.7", "eu-west-1").startswith(
        "INIT_START Runtime Version: python:3.11.7"
    )
    assert rl.init_report_line(75.414, "Runtime.ImportModuleError") == (
        "INIT_REPORT Init Duration: 75.41 ms\tPhase: init\tStatus: error\t"
        "Error Type: Runtime.ImportModuleError"
    )


def test_json_report_record_types() -> None:
    figures = rl.ReportFigures(RID, 693.921, 694, 128, 84, 397.684)
    record = json.loads(rl.json_report(0.0, figures))
    assert record["type"] == "platform.report"
    assert record["record"]["status"] == "success"
    metrics = record["record"]["metrics"]
    assert metrics == {
        "durationMs": 693.92,
        "billedDurationMs": 694,
        "memorySizeMB": 128,
        "maxMemoryUsedMB": 84,
        "initDurationMs": 397.68,
    }
    assert isinstance(metrics["billedDurationMs"], int)


def test_json_report_carries_error_type() -> None:
    figures = rl.ReportFigures(RID, 1.0, 1, 128, 128, None, rl.STATUS_ERROR, "Runtime.OutOfMemory")
    record = json.loads(rl.json_report(0.0, figures))["record"]
    assert record["status"] == "error"
    assert record["errorType"] == "Runtime.OutOfMemory"
    assert "initDurationMs" not in record["metrics"]


def test_json_start_record() -> None:
    record = json.loads(rl.json_start(0.0, RID, "3"))
    assert record == {
        "time": "1970-01-01T00:00:00.000Z",
        "type": "platform.start",
        "record": {"requestId": RID, "version": "3"},
    }
