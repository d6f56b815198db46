"""Turning how an invocation ended into Lambda's answer: payload, error type and log.

Pure: the environment measures, this module words it as Lambda does (lambda-model.md §4):
handler exceptions keep awslambdaric's error JSON; timeouts, out-of-memory kills and runtime
exits get the platform's payloads, log lines and `Status:` suffixes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from powertune.localcloud.engine import errors, reportline
from powertune.localcloud.engine.outcomes import InitOutcome, OutcomeKind, RunOutcome
from powertune.localcloud.engine.quota import bytes_to_reported_mb
from powertune.localcloud.engine.spec import FunctionSpec, InvocationResult

UNHANDLED = "Unhandled"
INIT_LIMIT_S = 10.0  # Lambda's INIT phase limit for on-demand functions


@dataclass(frozen=True, slots=True)
class Context:
    """Facts about one invocation that are not part of how it ended."""

    spec: FunctionSpec
    request_id: str
    epoch_s: float  # wall time of START, for timestamps
    python_version: str
    region: str
    cpu_control: str
    log_stream: str
    init_duration_ms: float | None
    init_lines: tuple[str, ...]  # INIT output on a cold start (empty when warm)

    @property
    def json_logs(self) -> bool:
        return self.spec.log_format.upper() == "JSON"


def _error_type_of(body: bytes, fallback: str | None) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return fallback
    if isinstance(parsed, dict) and isinstance(parsed.get("errorType"), str):
        return str(parsed["errorType"])
    return fallback


def _head(ctx: Context) -> list[str]:
    if ctx.init_duration_ms is None:
        return []
    first = (
        reportline.json_init_start(ctx.epoch_s, ctx.python_version, ctx.region)
        if ctx.json_logs
        else reportline.init_start_line(ctx.python_version, ctx.region)
    )
    return [first, *ctx.init_lines]


def _start(ctx: Context) -> str:
    if ctx.json_logs:
        return reportline.json_start(ctx.epoch_s, ctx.request_id, ctx.spec.version)
    return reportline.start_line(ctx.request_id, ctx.spec.version)


def _finish(
    ctx: Context,
    lines: list[str],
    figures: reportline.ReportFigures,
    payload: bytes,
    error_type: str | None,
    function_error: str | None,
) -> InvocationResult:
    report = (
        reportline.json_report(ctx.epoch_s, figures)
        if ctx.json_logs
        else reportline.report_line(figures)
    )
    lines = [*lines, reportline.end_line(ctx.request_id), report]
    return InvocationResult(
        request_id=ctx.request_id,
        payload=payload,
        function_error=function_error,
        error_type=error_type,
        log_text="\n".join(lines) + "\n",
        duration_ms=figures.duration_ms,
        billed_duration_ms=figures.billed_duration_ms,
        init_duration_ms=ctx.init_duration_ms,
        max_memory_used_mb=figures.max_memory_used_mb,
        executed_version=ctx.spec.version,
        cpu_control=ctx.cpu_control,
        log_stream=ctx.log_stream,
    )


def invocation_result(
    ctx: Context, outcome: RunOutcome, lines: list[str], oom: bool, peak_bytes: int | None
) -> InvocationResult:
    spec, rid = ctx.spec, ctx.request_id
    used_mb = bytes_to_reported_mb(peak_bytes or 0, spec.memory_mb)
    timeout_ms: int | None = None
    status, error_type, function_error = reportline.STATUS_SUCCESS, None, None
    payload = outcome.body
    body_lines = list(lines)
    if outcome.kind is OutcomeKind.ERROR:
        # The handler raised: awslambdaric's error JSON goes back as is.
        status, function_error = reportline.STATUS_FAILURE, UNHANDLED
        error_type = _error_type_of(outcome.body, outcome.error_type)
    elif outcome.kind is OutcomeKind.TIMEOUT:
        status, function_error, error_type = (
            reportline.STATUS_TIMEOUT,
            UNHANDLED,
            "Sandbox.Timedout",
        )
        timeout_ms = spec.timeout_s * 1000
        payload = errors.timeout_payload(rid, spec.timeout_s)
        body_lines.append(
            reportline.timeout_line(ctx.epoch_s + spec.timeout_s, rid, spec.timeout_s)
        )
    elif outcome.kind is OutcomeKind.EXITED:
        returncode = outcome.returncode if outcome.returncode is not None else -9
        status, function_error = reportline.STATUS_ERROR, UNHANDLED
        error_type = "Runtime.OutOfMemory" if oom else "Runtime.ExitError"
        if oom:
            used_mb = spec.memory_mb  # Lambda reports the limit as the peak of an OOM kill
        payload = errors.exit_error_payload(rid, returncode, error_type)
        body_lines += [errors.exit_message(rid, returncode), error_type]
    figures = reportline.ReportFigures(
        request_id=rid,
        duration_ms=outcome.duration_ms,
        billed_duration_ms=reportline.billed_duration_ms(
            outcome.duration_ms, ctx.init_duration_ms, timeout_ms
        ),
        memory_size_mb=spec.memory_mb,
        max_memory_used_mb=used_mb,
        init_duration_ms=ctx.init_duration_ms,
        status=status,
        error_type=error_type,
    )
    all_lines = [*_head(ctx), _start(ctx), *body_lines]
    return _finish(ctx, all_lines, figures, payload, error_type, function_error)


def init_failure_result(
    ctx: Context, init: InitOutcome, oom: bool, peak_bytes: int | None
) -> InvocationResult:
    """INIT failed (import error, exit, or past the 10 s limit): the invoke fails with it."""
    spec, rid = ctx.spec, ctx.request_id
    used_mb = bytes_to_reported_mb(peak_bytes or 0, spec.memory_mb)
    extra: list[str] = []
    if init.error_type is not None:
        payload = init.error_body or b"{}"
        error_type = _error_type_of(payload, init.error_type) or init.error_type
    elif init.timed_out:
        payload, error_type = errors.timeout_payload(rid, INIT_LIMIT_S), "Sandbox.Timedout"
        extra.append(reportline.timeout_line(ctx.epoch_s, rid, INIT_LIMIT_S))
    else:
        returncode = init.returncode if init.returncode is not None else -9
        error_type = "Runtime.OutOfMemory" if oom else "Runtime.ExitError"
        used_mb = spec.memory_mb if oom else used_mb
        payload = errors.exit_error_payload(rid, returncode, error_type)
        extra += [errors.exit_message(rid, returncode), error_type]
    init_ms = init.duration_ms
    init_report = (
        reportline.json_init_report(ctx.epoch_s, init_ms, error_type)
        if ctx.json_logs
        else reportline.init_report_line(init_ms, error_type)
    )
    figures = reportline.ReportFigures(
        request_id=rid,
        duration_ms=0.0,
        billed_duration_ms=reportline.billed_duration_ms(0.0, init_ms),
        memory_size_mb=spec.memory_mb,
        max_memory_used_mb=used_mb,
        init_duration_ms=init_ms,
        status=reportline.STATUS_ERROR,
        error_type=error_type,
    )
    lines = [*_head(ctx), *extra, init_report, _start(ctx)]
    return _finish(ctx, lines, figures, payload, error_type, UNHANDLED)
