"""Parse Lambda's REPORT line from an invocation log tail (text and JSON log formats).

Pure. Text format (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html):
``REPORT RequestId: <id>\\tDuration: 15.74 ms\\tBilled Duration: 16 ms\\tMemory Size: 128 MB
\\tMax Memory Used: 56 MB\\tInit Duration: 130.49 ms``, with optional
``Restore Duration``, ``Billed Restore Duration`` (SnapStart) and, on newer
runtimes, ``Status: timeout`` / ``Status: error\\tError Type: Runtime.OutOfMemory``.
Values are parsed as floats whatever their format (``Duration: 5 ms`` is 5.0,
unlike upstream's regex, which needs a decimal point). JSON format: the
``platform.report`` record of the Telemetry API schema, ``record.metrics``.

Only the platform's report is trusted. Lambda writes it after the function has
returned, so it is the last line of the tail in both formats (a trailing
``XRAY TraceId`` line aside, which Python's text format prints after it). Any
earlier line, however much it looks like a REPORT or a ``platform.report``
record, may have been printed by the function and is never read: otherwise a
function could fake its own measurement. Durations must be finite and
non-negative; a fractional billed duration is rounded up, as Lambda bills.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from powertune.errors import PowertuneError

_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z ]*?):\s*(.*?)\s*$")
#: a number as the REPORT line prints it; nan/inf are matched so they can be refused by name
_NUMBER = re.compile(
    r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+|nan|inf|infinity)(?:e[-+]?\d+)?)\s*(ms|MB)?$", re.I
)


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


_XRAY_PREFIX = "XRAY TraceId:"


def _text_fields(line: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for token in line.split("\t"):
        m = _FIELD.match(token)
        if m:
            fields.setdefault(m.group(1).strip(), m.group(2).strip())
    return fields


def _checked(name: str, value: float | None, line: str) -> float | None:
    if value is not None and (not math.isfinite(value) or value < 0):
        raise ReportLineError(
            f"{name} is {value!r} in the platform report: durations must be finite and "
            f">= 0 ({line[:200]!r})"
        )
    return value


def _billed(name: str, value: float | None, line: str) -> int | None:
    """A billed figure as whole ms, rounded up (Lambda bills each started millisecond)."""
    checked = _checked(name, value, line)
    return None if checked is None else math.ceil(checked)


def _num(value: str | None) -> float | None:
    if value is None:
        return None
    m = _NUMBER.match(value)
    return float(m.group(1)) if m else None


def _parse_text(line: str) -> Report:
    fields = _text_fields(line[len("REPORT ") :] if line.startswith("REPORT ") else line)
    duration = _checked("Duration", _num(fields.get("Duration")), line)
    billed = _billed("Billed Duration", _num(fields.get("Billed Duration")), line)
    if duration is None or billed is None:
        raise ReportLineError(f"REPORT line without Duration/Billed Duration: {line[:200]!r}")

    def opt_int(key: str) -> int | None:
        v = _checked(key, _num(fields.get(key)), line)
        return None if v is None else int(v)

    return Report(
        duration_ms=duration,
        billed_duration_ms=billed,
        memory_size_mb=opt_int("Memory Size"),
        max_memory_used_mb=opt_int("Max Memory Used"),
        init_duration_ms=_checked("Init Duration", _num(fields.get("Init Duration")), line),
        restore_duration_ms=_checked(
            "Restore Duration", _num(fields.get("Restore Duration")), line
        ),
        billed_restore_duration_ms=_billed(
            "Billed Restore Duration", _num(fields.get("Billed Restore Duration")), line
        ),
        status=fields.get("Status"),
        error_type=fields.get("Error Type"),
    )


def _json_number(metrics: dict[str, Any], key: str, line: str) -> float | None:
    value = metrics.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReportLineError(f"platform.report {key} is not a number: {value!r}")
    return _checked(key, float(value), line)


def _parse_json(record: dict[str, Any], line: str) -> Report:
    body = record.get("record") or {}
    metrics = body.get("metrics") or {}
    if not isinstance(metrics, dict) or "durationMs" not in metrics:
        raise ReportLineError(f"platform.report without durationMs/billedDurationMs: {record}")
    duration = _json_number(metrics, "durationMs", line)
    billed = _billed("billedDurationMs", _json_number(metrics, "billedDurationMs", line), line)
    if duration is None or billed is None:
        raise ReportLineError(f"platform.report without durationMs/billedDurationMs: {record}")

    def opt_int(key: str) -> int | None:
        v = _json_number(metrics, key, line)
        return None if v is None else int(v)

    status = body.get("status")
    return Report(
        duration_ms=duration,
        billed_duration_ms=billed,
        memory_size_mb=opt_int("memorySizeMB"),
        max_memory_used_mb=opt_int("maxMemoryUsedMB"),
        init_duration_ms=_json_number(metrics, "initDurationMs", line),
        restore_duration_ms=_json_number(metrics, "restoreDurationMs", line),
        billed_restore_duration_ms=_billed(
            "billedRestoreDurationMs",
            _json_number(metrics, "billedRestoreDurationMs", line),
            line,
        ),
        status=None if status in (None, "success") else str(status),
        error_type=body.get("errorType"),
    )


def _platform_line(log_tail: str) -> str | None:
    """The last line of the tail, where Lambda writes its report (an XRAY line skipped)."""
    lines = [ln.strip() for ln in log_tail.splitlines() if ln.strip()]
    while lines and lines[-1].startswith(_XRAY_PREFIX):
        lines.pop()
    return lines[-1] if lines else None


def _as_platform_record(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) and obj.get("type") == "platform.report" else None


def parse_report(log_tail: str) -> Report:
    """The platform's report of one invocation: the last line of its log tail.

    Raises:
        ReportLineError: the last line is no REPORT line or platform.report record,
            or its durations are missing, negative, NaN or infinite.
    """
    line = _platform_line(log_tail)
    if line is not None:
        record = _as_platform_record(line)
        if record is not None:
            return _parse_json(record, line)
        if line.startswith("REPORT "):
            return _parse_text(line)
    raise ReportLineError(
        "the invocation's log tail does not end with the platform's REPORT line (text) or "
        "platform.report record (JSON), and lines before it are never trusted: the "
        "function's logging may have pushed it out of the last 4 KB, or the backend does "
        "not return LogType=Tail logs"
    )
