"""Errors of the execution engine, and the error payloads Lambda returns for failed invokes.

`EngineError` is raised for invokes Lambda itself refuses (throttling, unsupported runtime);
it carries the AWS error code, message and HTTP status so the front door can serialise it
the way Lambda does. The payload builders produce the JSON bodies Lambda returns, with
`X-Amz-Function-Error: Unhandled`, when the platform (not the handler) ends an invocation.
"""

from __future__ import annotations

import json
import signal

from powertune.errors import PowertuneError


class EngineError(PowertuneError):
    """An invoke Lambda would refuse; `code`/`status`/`aws_message` are what AWS sends."""

    def __init__(self, code: str, message: str, status: int, reason: str | None = None) -> None:
        self.code = code
        self.aws_message = message
        self.status = status
        self.reason = reason
        suffix = f" (Reason: {reason})" if reason else ""
        super().__init__(f"{code} ({status}): {message}{suffix}")

    def to_body(self) -> dict[str, str]:
        """Lambda's JSON error body; a throttle adds `Reason` (API_Invoke, TooManyRequests)."""
        body = {"Type": "User" if self.status < 500 else "Service", "message": self.aws_message}
        if self.reason:
            body["Reason"] = self.reason
        return body


# Reasons Lambda puts in a TooManyRequestsException body (API_Invoke "Reason" enum).
RESERVED_LIMIT = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_LIMIT = "ConcurrentInvocationLimitExceeded"


def throttled(reason: str) -> EngineError:
    """Invoke beyond reserved or account concurrency: 429 "Rate Exceeded." as Lambda says it."""
    return EngineError("TooManyRequestsException", "Rate Exceeded.", 429, reason)


def service_error(detail: str) -> EngineError:
    """The local cloud itself failed (Lambda's ServiceException, 500)."""
    return EngineError(
        "ServiceException", f"The local cloud could not run the function: {detail}", 500
    )


def unsupported_runtime(runtime: str, host_python: str) -> EngineError:
    # Lambda answers an invoke of a runtime it cannot run with InvalidRuntimeException (502).
    return EngineError(
        "InvalidRuntimeException",
        f"The runtime parameter of {runtime or '(none)'} is not supported by the local cloud: "
        f"it runs python3.x functions only, on the host's Python {host_python}. "
        "Use a python3.x runtime, or tune this function on AWS.",
        502,
    )


def unsupported_architecture(architecture: str, host_architecture: str) -> EngineError:
    return EngineError(
        "InvalidParameterValueException",
        f"Architecture {architecture!r} cannot run at its real speed on this "
        f"{host_architecture} host, so the local cloud refuses it rather than report "
        f"{host_architecture} timings under another label. Use {host_architecture!r} or AWS.",
        400,
    )


def unsupported_image() -> EngineError:
    return EngineError(
        "InvalidParameterValueException",
        "Container image functions are not supported by the local cloud; "
        "package the function as a .zip with a python3.x runtime, or tune it on AWS.",
        400,
    )


def _dumps(body: dict[str, str]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def format_seconds(timeout_s: float) -> str:
    """Lambda prints timeouts with two decimals: "Task timed out after 3.00 seconds"."""
    return f"{timeout_s:.2f}"


def timeout_payload(request_id: str, timeout_s: float) -> bytes:
    # Current Lambda runtimes (2025-26 captures, lambda-model.md §4.4).
    return _dumps(
        {
            "errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
            f"{format_seconds(timeout_s)} seconds",
        }
    )


def exit_reason(returncode: int) -> str:
    """How Lambda's Go-based platform words a runtime's end: "signal: killed", "exit status 1"."""
    if returncode < 0:
        try:
            name = signal.strsignal(-returncode) or f"signal {-returncode}"
        except ValueError:
            name = f"signal {-returncode}"
        return f"signal: {name.lower()}"
    return f"exit status {returncode}"


def exit_message(request_id: str, returncode: int) -> str:
    return f"RequestId: {request_id} Error: Runtime exited with error: {exit_reason(returncode)}"


def exit_error_payload(request_id: str, returncode: int, error_type: str) -> bytes:
    """`Runtime.OutOfMemory` (cgroup OOM kill) or `Runtime.ExitError` (any other exit)."""
    return _dumps({"errorType": error_type, "errorMessage": exit_message(request_id, returncode)})
