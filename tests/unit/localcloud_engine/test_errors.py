"""Error payloads and AWS error shapes of the engine."""

from __future__ import annotations

import json

from powertune.localcloud.engine import errors


def test_timeout_payload_matches_lambda() -> None:
    body = json.loads(errors.timeout_payload("abc", 3))
    assert body == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": "RequestId: abc Error: Task timed out after 3.00 seconds",
    }


def test_oom_payload_matches_lambda() -> None:
    body = json.loads(errors.exit_error_payload("abc", -9, "Runtime.OutOfMemory"))
    assert body == {
        "errorType": "Runtime.OutOfMemory",
        "errorMessage": "RequestId: abc Error: Runtime exited with error: signal: killed",
    }


def test_exit_reasons_use_go_wording() -> None:
    assert errors.exit_reason(1) == "exit status 1"
    assert errors.exit_reason(-11) == "signal: segmentation fault"


def test_throttle_error_shape() -> None:
    error = errors.throttled(errors.RESERVED_LIMIT)
    assert (error.code, error.status, error.aws_message) == (
        "TooManyRequestsException",
        429,
        "Rate Exceeded.",
    )
    assert error.to_body() == {
        "Type": "User",
        "message": "Rate Exceeded.",
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
    }


def test_unsupported_runtime_names_value_and_fix() -> None:
    error = errors.unsupported_runtime("nodejs20.x", "3.11.7")
    assert error.code == "InvalidRuntimeException"
    assert "nodejs20.x" in error.aws_message
    assert "python3.x" in error.aws_message
