"""Upstream's log parsing: durations from the base64 `LogResult` of an Invoke call.

Mirrors `extractDuration`, `extractDurationFromJSON` and
`parseLogAndExtract[Billed]Durations` of AWS Lambda Power Tuning (utils.js), for
both Lambda log formats: the text `REPORT` line and the JSON `platform.report`
record (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html).

Upstream bug #305: a JSON log that lacks the requested key makes `extractDuration`
throw, so every non-SnapStart JSON log aborts the Executor. `extract_duration`
reproduces that by default (it is upstream's contract for the function, and its
vectors assert it); the two `parse_log_*` functions, which produce the samples,
pass `absent_json_key_is_zero=True` and treat an absent key as 0, exactly as the
text format does.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from typing import Final

from powertune.tuning.compat.errors import UpstreamError
from powertune.tuning.compat.jsvalues import UNDEFINED, js_json_parse, js_truthy

DURATION_TYPES: Final = (
    "durationMs",
    "initDurationMs",
    "restoreDurationMs",
    "billedDurationMs",
    "billedRestoreDurationMs",
)

# The REPORT-line fields upstream reads; multiline, first match wins. Duration and
# the init/restore durations require a decimal point ("Duration: 5 ms" yields 0).
_TEXT_PATTERNS: Final = {
    "durationMs": re.compile(r"\tDuration: (\d+\.\d+) ms", re.MULTILINE),
    "initDurationMs": re.compile(r"\tInit Duration: (\d+\.\d+) ms", re.MULTILINE),
    "restoreDurationMs": re.compile(r"\tRestore Duration: (\d+\.\d+) ms", re.MULTILINE),
    "billedDurationMs": re.compile(r"\tBilled Duration: (\d+) ms", re.MULTILINE),
    "billedRestoreDurationMs": re.compile(r"\tBilled Restore Duration: (\d+) ms", re.MULTILINE),
}
_BASE64_ALPHABET: Final = re.compile(r"[^A-Za-z0-9+/]")


def base64decode(text: str) -> str:
    """`Buffer.from(text, 'base64').toString()`: lenient decode, then UTF-8 with U+FFFD."""
    cleaned = _BASE64_ALPHABET.sub("", text.replace("-", "+").replace("_", "/").split("=")[0])
    if len(cleaned) % 4 == 1:  # a lone trailing sextet carries no whole byte
        cleaned = cleaned[:-1]
    try:
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except binascii.Error:  # pragma: no cover - cleaned input is always decodable
        raw = b""
    return raw.decode("utf-8", errors="replace")


def extract_duration(
    log: str, duration_type: str | None = None, *, absent_json_key_is_zero: bool = False
) -> float:
    """Upstream's `extractDuration(log, durationType = 'durationMs')`.

    A log whose first character is `{` is read as JSON, anything else as text (so
    a JSON log with leading whitespace silently yields 0, as upstream).
    """
    key = duration_type or "durationMs"
    if key not in DURATION_TYPES:
        raise UpstreamError(f"Unknown duration type: {key}")
    if log[:1] == "{":
        return extract_duration_from_json(log, key, absent_json_key_is_zero=absent_json_key_is_zero)
    match = _TEXT_PATTERNS[key].search(log)
    return float(match.group(1)) if match else 0.0


def _report_records(log: str) -> list[object]:
    try:
        parsed = js_json_parse(log)
    except ValueError:
        parsed = UNDEFINED
    if isinstance(parsed, list):
        return list(parsed)
    if parsed is not UNDEFINED:
        return [parsed]
    records: list[object] = []
    for line in log.split("\n"):
        if "platform.report" in line:
            try:
                records.append(js_json_parse(line))
            except ValueError:
                continue
    return records


def extract_duration_from_json(
    log: str, duration_type: str = "durationMs", *, absent_json_key_is_zero: bool = False
) -> float:
    """Upstream's `extractDurationFromJSON`: the first `platform.report` record's metric."""
    if "platform.report" not in log:
        raise UpstreamError("Invalid JSON log does not contain platform.report")
    if duration_type not in log:
        if not absent_json_key_is_zero:
            # Upstream bug #305: throws for a key that is simply absent (warm start).
            raise UpstreamError(f"Invalid JSON log does not contain {duration_type}")
        return 0.0
    for record in _report_records(log):
        if isinstance(record, Mapping) and record.get("type") == "platform.report":
            body = record.get("record")
            metrics = body.get("metrics") if isinstance(body, Mapping) else None
            value = metrics.get(duration_type) if isinstance(metrics, Mapping) else None
            # `record.metrics[key] || 0`
            return float(value) if js_truthy(value) and isinstance(value, int | float) else 0.0
    raise UpstreamError("Invalid JSON log does not contain platform.report")


def _log_of(result: Mapping[str, object]) -> str:
    log_result = result.get("LogResult")
    return base64decode(log_result if isinstance(log_result, str) and log_result else "")


def parse_log_and_extract_durations(results: Sequence[Mapping[str, object]]) -> list[float]:
    """Per invocation `Duration + Init Duration + Restore Duration`, summed in that order."""
    durations = []
    for result in results:
        log = _log_of(result)
        duration = extract_duration(log, "durationMs", absent_json_key_is_zero=True)
        init = extract_duration(log, "initDurationMs", absent_json_key_is_zero=True)
        restore = extract_duration(log, "restoreDurationMs", absent_json_key_is_zero=True)
        durations.append(duration + init + restore)
    return durations


def parse_log_and_extract_billed_durations(
    results: Sequence[Mapping[str, object]],
) -> list[float]:
    """Per invocation `Billed Duration + Billed Restore Duration`."""
    billed = []
    for result in results:
        log = _log_of(result)
        duration = extract_duration(log, "billedDurationMs", absent_json_key_is_zero=True)
        restore = extract_duration(log, "billedRestoreDurationMs", absent_json_key_is_zero=True)
        billed.append(duration + restore)
    return billed
