"""How an ended invocation becomes Lambda's answer: payloads, error types, log lines."""

from __future__ import annotations

import json
from pathlib import Path

from powertune.localcloud.engine.outcomes import InitOutcome, OutcomeKind, RunOutcome
from powertune.localcloud.engine.results import Context, init_failure_result, invocation_result
from powertune.localcloud.engine.spec import FunctionSpec

RID = "11111111-2222-3333-4444-555555555555"


def spec(log_format: str = "Text") -> FunctionSpec:
    return FunctionSpec(
        function_name="f",
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:f",
        version="$LATEST",
        runtime="python3.11",
        handler="app.handler",
        memory_mb=128,
        timeout_s=3,
        architecture="x86_64",
        environment={},
        code_dir=Path("/nonexistent"),
        code_sha256="x",
        log_format=log_format,
    )


def ctx(init_ms: float | None = None, log_format: str = "Text") -> Context:
    return Context(
        spec=spec(log_format),
        request_id=RID,
        epoch_s=0.0,
        python_version="3.11.7",
        region="us-east-1",
        cpu_control="cgroup-v1",
        log_stream="stream",
        init_duration_ms=init_ms,
        init_lines=("init output",) if init_ms else (),
    )


def test_success_cold_log_order_and_billing() -> None:
    outcome = RunOutcome(OutcomeKind.RESPONSE, b'{"ok":1}', None, 10.2, None)
    result = invocation_result(ctx(40.5), outcome, ["hello"], oom=False, peak_bytes=30 << 20)
    lines = result.log_text.splitlines()
    assert lines[0].startswith("INIT_START Runtime Version: python:3.11.7")
    assert lines[1:5] == [
        "init output",
        f"START RequestId: {RID} Version: $LATEST",
        "hello",
        f"END RequestId: {RID}",
    ]
    assert lines[5].startswith(
        f"REPORT RequestId: {RID}\tDuration: 10.20 ms\tBilled Duration: 51 ms"
    )
    assert (result.function_error, result.payload, result.max_memory_used_mb) == (
        None,
        b'{"ok":1}',
        30,
    )


def test_handler_exception_keeps_runtime_payload() -> None:
    body = (
        b'{"errorMessage": "kaboom", "errorType": "ValueError", "requestId": "r", "stackTrace": []}'
    )
    outcome = RunOutcome(OutcomeKind.ERROR, body, "Unhandled", 3.0, None)
    result = invocation_result(ctx(), outcome, [], oom=False, peak_bytes=None)
    assert (result.function_error, result.error_type, result.payload) == (
        "Unhandled",
        "ValueError",
        body,
    )
    assert "Status" not in result.log_text


def test_timeout_result() -> None:
    outcome = RunOutcome(OutcomeKind.TIMEOUT, b"", None, 3000.4, None)
    result = invocation_result(ctx(), outcome, ["working"], oom=False, peak_bytes=20 << 20)
    assert json.loads(result.payload)["errorType"] == "Sandbox.Timedout"
    assert result.billed_duration_ms == 3000
    lines = result.log_text.splitlines()
    assert lines[-3].endswith(f"{RID} Task timed out after 3.00 seconds")
    assert lines[-1].endswith("Status: timeout")


def test_oom_reports_limit_as_peak() -> None:
    outcome = RunOutcome(OutcomeKind.EXITED, b"", None, 800.0, -9)
    result = invocation_result(ctx(), outcome, [], oom=True, peak_bytes=100 << 20)
    assert result.error_type == "Runtime.OutOfMemory"
    assert result.max_memory_used_mb == 128
    assert result.log_text.splitlines()[-1].endswith(
        "Max Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory"
    )


def test_other_exit_is_exit_error() -> None:
    outcome = RunOutcome(OutcomeKind.EXITED, b"", None, 1.0, 3)
    result = invocation_result(ctx(), outcome, [], oom=False, peak_bytes=None)
    assert json.loads(result.payload) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {RID} Error: Runtime exited with error: exit status 3",
    }


def test_init_error_result() -> None:
    body = b'{"errorMessage": "Unable to import module", "errorType": "Runtime.ImportModuleError"}'
    init = InitOutcome(75.0, error_type="Runtime.ImportModuleError", error_body=body)
    result = init_failure_result(ctx(75.0), init, oom=False, peak_bytes=None)
    assert (result.function_error, result.error_type, result.payload) == (
        "Unhandled",
        "Runtime.ImportModuleError",
        body,
    )
    assert "INIT_REPORT Init Duration: 75.00 ms\tPhase: init\tStatus: error" in result.log_text
    assert result.billed_duration_ms == 75


def test_json_log_format_uses_platform_records() -> None:
    outcome = RunOutcome(OutcomeKind.RESPONSE, b"1", None, 1.0, None)
    result = invocation_result(ctx(5.0, "JSON"), outcome, ["hi"], oom=False, peak_bytes=None)
    lines = result.log_text.splitlines()
    types = [json.loads(line)["type"] for line in lines if line.startswith("{")]
    assert types == ["platform.initStart", "platform.start", "platform.report"]
    assert f"END RequestId: {RID}" not in lines[-1]
