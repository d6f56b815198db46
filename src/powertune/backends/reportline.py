"""Parse Lambda's REPORT line from an invocation log tail (text and JSON log formats).

Pure. Text format (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html):
``REPORT RequestId: <id>\\tDuration: 15.74 ms\\tBilled Duration: 16 ms\\tMemory Size: 128 MB
\\tMax Memory Used: 56 MB\\tInit Duration: 130.49 ms``, with optional
``Restore Duration``, ``Billed Restore Duration`` (SnapStart) and, on newer
runtimes, ``Status: timeout`` / ``Status: error\\tError Type: Runtime.OutOfMemory``.
Values are parsed as floats whatever their format (``Duration: 5 ms`` is 5.0,
unlike upstream's regex, which needs a decimal point). JSON format: the
``platform.report`` record of the Telemetry API schema, ``record.metrics``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from powertune.errors import PowertuneError

_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z ]*?):\s*(.*?)\s*$")
_NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)\s*(ms|MB)?$")


class ReportLineError(PowertuneError):
    """The log tail has no parsable REPORT line."""


@dataclass(frozen=True, slots=True)
class Report:
    """The metrics of one REPORT line."""

    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int | None = None
    max_memory_used_mb: int | None = None
    init_duration_ms: float | None = None
    restore_duration_ms: float | None = None
    billed_restore_duration_ms: int | None = None
    status: str | None = None
    error_type: str | None = None


def _text_fields(line: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for token in line.split("\t"):
        m = _FIELD.match(token)
        if m:
            fields.setdefault(m.group(1).strip(), m.group(2).strip())
    return fields


def _num(value: str | None) -> float | None:
    if value is None:
        return None
    m = _NUMBER.match(value)
    return float(m.group(1)) if m else None


def _parse_text(line: str) -> Report:
    fields = _text_fields(line[len("REPORT ") :] if line.startswith("REPORT ") else line)
    duration = _num(fields.get("Duration"))
    billed = _num(fields.get("Billed Duration"))
    if duration is None or billed is None:
        raise ReportLineError(f"REPORT line without Duration/Billed Duration: {line[:200]!r}")

    def opt_int(key: str) -> int | None:
        v = _num(fields.get(key))
        return None if v is None else int(v)

    return Report(
        duration_ms=duration,
        billed_duration_ms=int(billed),
        memory_size_mb=opt_int("Memory Size"),
        max_memory_used_mb=opt_int("Max Memory Used"),
        init_duration_ms=_num(fields.get("Init Duration")),
        restore_duration_ms=_num(fields.get("Restore Duration")),
        billed_restore_duration_ms=opt_int("Billed Restore Duration"),
        status=fields.get("Status"),
        error_type=fields.get("Error Type"),
    )


def _json_records(text: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{") or "platform.report" not in line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and obj.get("type") == "platform.report":
            records.append(obj)
    return records


def _parse_json(record: dict[str, Any]) -> Report:
    body = record.get("record") or {}
    metrics = body.get("metrics") or {}
    if "durationMs" not in metrics or "billedDurationMs" not in metrics:
        raise ReportLineError(f"platform.report without durationMs/billedDurationMs: {record}")

    def opt(key: str) -> float | None:
        v = metrics.get(key)
        return None if v is None else float(v)

    status = body.get("status")
    max_mem = metrics.get("maxMemoryUsedMB")
    mem = metrics.get("memorySizeMB")
    restore_billed = metrics.get("billedRestoreDurationMs")
    return Report(
        duration_ms=float(metrics["durationMs"]),
        billed_duration_ms=int(metrics["billedDurationMs"]),
        memory_size_mb=None if mem is None else int(mem),
        max_memory_used_mb=None if max_mem is None else int(max_mem),
        init_duration_ms=opt("initDurationMs"),
        restore_duration_ms=opt("restoreDurationMs"),
        billed_restore_duration_ms=None if restore_billed is None else int(restore_billed),
        status=None if status in (None, "success") else str(status),
        error_type=body.get("errorType"),
    )


def parse_report(log_tail: str) -> Report:
    """The last REPORT of a log tail, in either log format.

    Raises:
        ReportLineError: no REPORT line or platform.report record is present.
    """
    json_records = _json_records(log_tail)
    if json_records:
        return _parse_json(json_records[-1])
    lines = [ln for ln in log_tail.splitlines() if ln.lstrip().startswith("REPORT ")]
    if not lines:
        raise ReportLineError(
            "no REPORT line in the invocation's log tail; the function's logging may have "
            "pushed it out of the last 4 KB, or the backend does not return LogType=Tail logs"
        )
    return _parse_text(lines[-1].lstrip())
