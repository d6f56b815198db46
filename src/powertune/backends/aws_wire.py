"""Lambda's wire shapes and our types: pure translations used by the AWS adapter.

GetFunctionConfiguration dicts become `FunctionConfig` (including
`EphemeralStorage.Size`, which is billed above 512 MB), an Invoke response with
`LogType=Tail` becomes an `InvokeOutcome` (its REPORT line parsed by
`powertune.backends.reportline`), and a scratch copy's CreateFunction request is
built from the source's configuration. No I/O here.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from powertune.backends.reportline import ReportLineError, parse_report
from powertune.errors import BackendError
from powertune.tuning.models import SANDBOX_TIMEDOUT, Architecture
from powertune.tuning.ports import FunctionConfig, InvokeOutcome

#: Response header the local cloud adds to every Invoke (docs/local-cloud.md).
CPU_CONTROL_HEADER = "x-powertune-cpu-control"
_THROTTLED = {"TooManyRequestsException", "ThrottlingException"}
_CONFLICT = "ResourceConflictException"
#: Lambda's default and free /tmp size (EphemeralStorage absent on old functions)
_DEFAULT_EPHEMERAL_MB = 512


def is_retryable(code: str, message: str) -> bool:
    """Throttling, or a 409 because an update is still in progress.

    Other 409s ("Alias already exists", "version referenced by an alias") do not
    go away by waiting, so they fail at once. The in-progress message is
    "The operation cannot be performed at this time. An update is in progress for
    resource: <arn>" (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html).
    """
    if code in _THROTTLED:
        return True
    lowered = message.lower()
    return code == _CONFLICT and ("in progress" in lowered or "at this time" in lowered)


def config_from_wire(data: dict[str, Any]) -> FunctionConfig:
    """A GetFunctionConfiguration-shaped dict as our FunctionConfig."""
    archs = data.get("Architectures") or ["x86_64"]
    return FunctionConfig(
        function_name=data["FunctionName"],
        function_arn=data["FunctionArn"],
        version=data.get("Version", "$LATEST"),
        memory_mb=int(data["MemorySize"]),
        architecture=Architecture(archs[0]),
        timeout_s=int(data.get("Timeout", 3)),
        runtime=data.get("Runtime"),
        code_sha256=data.get("CodeSha256", ""),
        revision_id=data.get("RevisionId", ""),
        description=data.get("Description", ""),
        state=data.get("State", "Active"),
        last_update_status=data.get("LastUpdateStatus", "Successful"),
        package_type=data.get("PackageType", "Zip"),
        ephemeral_storage_mb=int(
            (data.get("EphemeralStorage") or {}).get("Size", _DEFAULT_EPHEMERAL_MB)
        ),
    )


def error_type_of(
    function_error: str | None, payload: bytes, report_error: str | None
) -> str | None:
    """Lambda's error type for a failed invocation (None on success)."""
    if not function_error and not report_error:
        return None
    try:
        body = json.loads(payload) if payload else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("errorType"), str):
        return str(body["errorType"])
    return report_error or function_error


def outcome_from_invoke(response: dict[str, Any]) -> tuple[InvokeOutcome, str | None]:
    """An Invoke response (LogType=Tail) as an outcome, and the local cloud's CPU-control header."""
    body = response["Payload"].read()
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    extra: dict[str, str] = {}
    cpu_control: str | None = None
    if CPU_CONTROL_HEADER in headers:
        cpu_control = extra["cpu_control"] = str(headers[CPU_CONTROL_HEADER])
    log_tail = base64.b64decode(response.get("LogResult", "") or "").decode("utf-8", "replace")
    try:
        report = parse_report(log_tail)
    except ReportLineError as exc:
        raise BackendError("Invoke", "NoReportLine", str(exc)) from exc
    function_error = response.get("FunctionError")
    report_error = report.error_type or (SANDBOX_TIMEDOUT if report.status == "timeout" else None)
    return InvokeOutcome(
        payload=body,
        duration_ms=report.duration_ms,
        billed_duration_ms=report.billed_duration_ms,
        init_duration_ms=report.init_duration_ms,
        restore_duration_ms=report.restore_duration_ms,
        billed_restore_duration_ms=report.billed_restore_duration_ms,
        max_memory_used_mb=report.max_memory_used_mb,
        function_error=function_error,
        error_type=error_type_of(function_error, body, report_error),
        executed_version=response.get("ExecutedVersion"),
        extra=extra,
    ), cpu_control


def scratch_copy_request(
    source: FunctionConfig, wire: dict[str, Any], code: bytes, copy_name: str
) -> dict[str, Any]:
    """CreateFunction arguments for a copy of `source` (its GetFunction configuration `wire`)."""
    kwargs: dict[str, Any] = {
        "FunctionName": copy_name,
        "Role": wire["Role"],
        "Code": {"ZipFile": code},
        "Timeout": wire.get("Timeout", 3),
        "MemorySize": wire["MemorySize"],
        "Architectures": wire.get("Architectures", ["x86_64"]),
        "Description": f"powertune scratch copy of {source.function_arn}",
        "PackageType": "Zip",
    }
    for key in ("Runtime", "Handler"):
        if wire.get(key):
            kwargs[key] = wire[key]
    if wire.get("Environment", {}).get("Variables"):
        kwargs["Environment"] = {"Variables": wire["Environment"]["Variables"]}
    if wire.get("Layers"):
        kwargs["Layers"] = [layer["Arn"] for layer in wire["Layers"]]
    if wire.get("EphemeralStorage"):
        kwargs["EphemeralStorage"] = wire["EphemeralStorage"]
    if wire.get("LoggingConfig"):
        kwargs["LoggingConfig"] = {
            k: v for k, v in wire["LoggingConfig"].items() if k in ("LogFormat", "LogGroup")
        }
    vpc = wire.get("VpcConfig") or {}
    if vpc.get("SubnetIds"):
        kwargs["VpcConfig"] = {
            "SubnetIds": vpc["SubnetIds"],
            "SecurityGroupIds": vpc.get("SecurityGroupIds", []),
        }
    return kwargs
