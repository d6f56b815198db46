"""The billed durations of a load test, read from the function's REPORT lines in CloudWatch Logs.

`LogEventSource` is the port (its boto3 adapter is `powertune.backends.logs`).
Lambda writes one REPORT line per invocation to `/aws/lambda/<function>`; the
local cloud ships the same lines to its CloudWatch Logs, so one code path
serves both. Lines are kept when their `Memory Size` is the size under test
and their timestamp falls in the size's window. Logs arrive late (seconds on
AWS, a background thread locally), so reading repeats until the count stops
growing or reaches the requests the function served.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from powertune.backends.reportline import ReportLineError, parse_report
from powertune.clock import Clock

#: CloudWatch Logs filter pattern of the platform's text REPORT lines (a quoted term).
REPORT_PATTERN = '"REPORT RequestId"'


class LogEventSource(Protocol):
    """Read a log group's messages (FilterLogEvents, every page)."""

    def messages(self, log_group: str, *, start_ms: int, end_ms: int, pattern: str) -> list[str]:
        """Messages of `log_group` with a timestamp in [start_ms, end_ms] matching `pattern`."""
        ...


@dataclass(frozen=True, slots=True)
class BilledDurations:
    """The REPORT lines of one size's window."""

    memory_mb: int
    billed_ms: tuple[int, ...]
    duration_ms: tuple[float, ...]
    cold_starts: int
    #: how long reading waited for late logs
    waited_s: float


def log_group_of(function_name: str) -> str:
    """Lambda's default log group (a function's LoggingConfig may name another)."""
    return f"/aws/lambda/{function_name}"


def read_billed(
    source: LogEventSource,
    log_group: str,
    memory_mb: int,
    window_ms: tuple[int, int],
    *,
    expected: int,
    clock: Clock,
    max_wait_s: float = 30.0,
    poll_s: float = 1.0,
) -> BilledDurations:
    """REPORT lines at `memory_mb` in `window_ms`, waiting up to `max_wait_s` for late ones."""
    started = clock.monotonic()
    lines = _report_lines(source, log_group, memory_mb, window_ms)
    stable = 0
    while len(lines) < expected and clock.monotonic() - started < max_wait_s and stable < 3:
        clock.sleep(poll_s)
        again = _report_lines(source, log_group, memory_mb, window_ms)
        stable = stable + 1 if len(again) == len(lines) else 0
        lines = again
    return BilledDurations(
        memory_mb=memory_mb,
        billed_ms=tuple(r[0] for r in lines),
        duration_ms=tuple(r[1] for r in lines),
        cold_starts=sum(1 for r in lines if r[2]),
        waited_s=clock.monotonic() - started,
    )


def _report_lines(
    source: LogEventSource, log_group: str, memory_mb: int, window_ms: tuple[int, int]
) -> list[tuple[int, float, bool]]:
    found = []
    start_ms, end_ms = window_ms
    for message in source.messages(
        log_group, start_ms=start_ms, end_ms=end_ms, pattern=REPORT_PATTERN
    ):
        text = message.strip()
        if not text.startswith("REPORT "):
            continue  # the pattern matches anywhere in a line: a function's own print
        try:
            report = parse_report(text)
        except ReportLineError:
            continue
        if report.memory_size_mb == memory_mb:
            found.append(
                (report.billed_duration_ms, report.duration_ms, report.init_duration_ms is not None)
            )
    return found
