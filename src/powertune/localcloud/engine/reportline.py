"""Lambda's platform log lines (INIT_START, START, END, REPORT) in text and JSON formats.

Pure formatting and billing arithmetic. The text layout follows lambda-model.md §4.1:
tab-separated tokens, durations with two decimals, Billed Duration an integer, Init
Duration only on the first request of an environment, `Status:` suffixes on failures.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from powertune.localcloud.engine.errors import format_seconds

STATUS_SUCCESS = "success"
STATUS_TIMEOUT = "timeout"
STATUS_ERROR = "error"  # the platform ended it (out of memory, runtime exit, init error)
STATUS_FAILURE = "failure"  # the handler raised; text REPORT lines carry no suffix for it


@dataclass(frozen=True, slots=True)
class ReportFigures:
    """What one REPORT line says about one invocation."""

    request_id: str
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None
    status: str = STATUS_SUCCESS  # success | failure | timeout | error
    error_type: str | None = None


def billed_duration_ms(
    duration_ms: float, init_duration_ms: float | None, timeout_ms: int | None = None
) -> int:
    """Billed Duration: rounded up to 1 ms; includes INIT on a cold start.

    INIT is billed for ZIP managed runtimes since 1 Aug 2025 (lambda-model.md §2.5). A
    timed-out invocation is billed the timeout, not the overrun (`Duration: 3071.27 ms
    Billed Duration: 3000 ms`, §4.4), so pass `timeout_ms` only when the invocation timed out.
    """
    run_ms = duration_ms if timeout_ms is None else min(duration_ms, float(timeout_ms))
    total_ms = run_ms + (init_duration_ms or 0.0)
    # Round away float noise first: 12.000000001 ms is billed 12 ms, not 13.
    return max(1, math.ceil(round(total_ms, 6)))


def iso_timestamp(epoch_s: float) -> str:
    """`2020-11-10T05:46:57.874Z`, the timestamp Lambda prints in its own log lines."""
    moment = datetime.fromtimestamp(epoch_s, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def runtime_version_arn(region: str, python_version: str) -> str:
    return f"arn:aws:lambda:{region}::runtime:powertune-local-python{python_version}"


def init_start_line(python_version: str, region: str) -> str:
    return (
        f"INIT_START Runtime Version: python:{python_version}.local\t"
        f"Runtime Version ARN: {runtime_version_arn(region, python_version)}"
    )


def init_report_line(init_duration_ms: float, error_type: str) -> str:
    """Written when INIT fails: `INIT_REPORT Init Duration: … Phase: init Status: error …`."""
    return (
        f"INIT_REPORT Init Duration: {init_duration_ms:.2f} ms\tPhase: init\t"
        f"Status: error\tError Type: {error_type}"
    )


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def timeout_line(epoch_s: float, request_id: str, timeout_s: float) -> str:
    return (
        f"{iso_timestamp(epoch_s)} {request_id} Task timed out after "
        f"{format_seconds(timeout_s)} seconds"
    )


def report_line(figures: ReportFigures) -> str:
    line = (
        f"REPORT RequestId: {figures.request_id}\t"
        f"Duration: {figures.duration_ms:.2f} ms\t"
        f"Billed Duration: {figures.billed_duration_ms} ms\t"
        f"Memory Size: {figures.memory_size_mb} MB\t"
        f"Max Memory Used: {figures.max_memory_used_mb} MB\t"
    )
    if figures.init_duration_ms is not None:
        line += f"Init Duration: {figures.init_duration_ms:.2f} ms\t"
    if figures.status == STATUS_TIMEOUT:
        line += "Status: timeout"
    elif figures.status == STATUS_ERROR and figures.error_type:
        line += f"Status: error\tError Type: {figures.error_type}"
    return line


def _record(epoch_s: float, kind: str, record: dict[str, object]) -> str:
    return json.dumps(
        {"time": iso_timestamp(epoch_s), "type": kind, "record": record}, separators=(",", ":")
    )


def json_init_start(epoch_s: float, python_version: str, region: str) -> str:
    return _record(
        epoch_s,
        "platform.initStart",
        {
            "initializationType": "on-demand",
            "phase": "init",
            "runtimeVersion": f"python:{python_version}.local",
            "runtimeVersionArn": runtime_version_arn(region, python_version),
        },
    )


def json_init_report(epoch_s: float, init_duration_ms: float, error_type: str) -> str:
    return _record(
        epoch_s,
        "platform.initReport",
        {
            "initializationType": "on-demand",
            "phase": "init",
            "status": STATUS_ERROR,
            "errorType": error_type,
            "metrics": {"durationMs": round(init_duration_ms, 2)},
        },
    )


def json_start(epoch_s: float, request_id: str, version: str) -> str:
    return _record(epoch_s, "platform.start", {"requestId": request_id, "version": version})


def json_report(epoch_s: float, figures: ReportFigures) -> str:
    """`platform.report`: integers for billed/memory, doubles for durations (§4.1)."""
    metrics: dict[str, object] = {
        "durationMs": round(figures.duration_ms, 2),
        "billedDurationMs": figures.billed_duration_ms,
        "memorySizeMB": figures.memory_size_mb,
        "maxMemoryUsedMB": figures.max_memory_used_mb,
    }
    if figures.init_duration_ms is not None:
        metrics["initDurationMs"] = round(figures.init_duration_ms, 2)
    record: dict[str, object] = {
        "requestId": figures.request_id,
        "metrics": metrics,
        "status": figures.status,
    }
    if figures.error_type:
        record["errorType"] = figures.error_type
    return _record(epoch_s, "platform.report", record)
