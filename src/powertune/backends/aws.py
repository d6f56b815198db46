"""The AWS adapter: the Backend port over a boto3 Lambda client.

Works unchanged against real AWS or any endpoint that speaks Lambda's REST API
(the local cloud is just `endpoint_url=...`). It retries throttling (429
`TooManyRequestsException`; the control plane allows about 15 requests/s,
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) and
update conflicts (409 `ResourceConflictException`) with exponential backoff and
jitter, waits for `LastUpdateStatus` through GetFunction (its own 100 rps bucket,
which is why botocore's `function_updated_v2` waiter uses it), and wraps every
AWS error in `BackendError` with the AWS code and message.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from botocore.exceptions import BotoCoreError, ClientError

from powertune.backends.reportline import ReportLineError, parse_report
from powertune.clock import Clock, SystemClock
from powertune.errors import BackendError
from powertune.tuning.models import SANDBOX_TIMEDOUT, Architecture
from powertune.tuning.ports import FunctionConfig, InvokeOutcome

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_lambda.type_defs import ListVersionsByFunctionResponseTypeDef

T = TypeVar("T")

#: Response header the local cloud adds to every Invoke (docs/local-cloud.md).
CPU_CONTROL_HEADER = "x-powertune-cpu-control"
_THROTTLED = {"TooManyRequestsException", "ThrottlingException"}
_CONFLICT = "ResourceConflictException"


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


_NOT_FOUND = "ResourceNotFoundException"


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


class AwsBackend:
    """Backend over a boto3 Lambda client."""

    def __init__(
        self,
        client: LambdaClient,
        *,
        clock: Clock | None = None,
        max_attempts: int = 8,
        wait_timeout_s: float = 300.0,
        rng: random.Random | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self._client = client
        self._clock = clock or SystemClock()
        self._max_attempts = max_attempts
        self._wait_timeout_s = wait_timeout_s
        self._rng = rng or random.Random()
        self._http = http
        self._cpu_control: str | None = None

    # --- plumbing -------------------------------------------------------------------
    def _call(self, operation: str, fn: Callable[[], T], *, missing_ok: bool = False) -> T | None:
        delay = 0.2
        for attempt in range(1, self._max_attempts + 1):
            try:
                return fn()
            except ClientError as exc:
                err = exc.response.get("Error", {})
                code = str(err.get("Code", "Unknown"))
                if missing_ok and code == _NOT_FOUND:
                    return None
                message = str(err.get("Message", exc))
                if is_retryable(code, message) and attempt < self._max_attempts:
                    self._clock.sleep(delay * (0.5 + self._rng.random()))
                    delay = min(delay * 2, 10.0)
                    continue
                raise BackendError(operation, code, message) from exc
            except BotoCoreError as exc:
                raise BackendError(operation, type(exc).__name__, str(exc)) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _must(self, operation: str, fn: Callable[[], T]) -> T:
        result = self._call(operation, fn)
        assert result is not None
        return result

    def _wait_until_settled(
        self, function_name: str, qualifier: str | None = None
    ) -> FunctionConfig:
        """Poll until State is Active and LastUpdateStatus is Successful (or raise on Failed)."""
        deadline = self._clock.monotonic() + self._wait_timeout_s
        delay = 0.1
        while True:
            data = self._must(
                "GetFunction",
                lambda: self._client.get_function(
                    FunctionName=function_name, Qualifier=qualifier or "$LATEST"
                ),
            )
            cfg = config_from_wire(dict(data["Configuration"]))
            if cfg.state == "Failed" or cfg.last_update_status == "Failed":
                reason = data["Configuration"].get("LastUpdateStatusReason") or data[
                    "Configuration"
                ].get("StateReason", "")
                raise BackendError("WaitForUpdate", "UpdateFailed", f"{function_name}: {reason}")
            if cfg.state == "Active" and cfg.last_update_status == "Successful":
                return cfg
            if self._clock.monotonic() > deadline:
                raise BackendError(
                    "WaitForUpdate",
                    "Timeout",
                    f"{function_name} still {cfg.state}/{cfg.last_update_status} after "
                    f"{self._wait_timeout_s:.0f} s",
                )
            self._clock.sleep(delay)
            delay = min(delay * 1.5, 1.0)

    def _download_code(
        self, function_name: str, qualifier: str | None
    ) -> tuple[bytes, dict[str, Any]]:
        kwargs: dict[str, str] = {"FunctionName": function_name}
        if qualifier:
            kwargs["Qualifier"] = qualifier
        data = self._must("GetFunction", lambda: self._client.get_function(**kwargs))
        location = data.get("Code", {}).get("Location")
        if not location:
            raise BackendError(
                "GetFunction", "NoCodeLocation", f"{function_name} has no code location"
            )
        http = self._http or httpx.Client(timeout=60.0)
        try:
            response = http.get(location)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise BackendError("GetFunction", "CodeDownloadFailed", str(exc)) from exc
        finally:
            if self._http is None:
                http.close()
        return response.content, dict(data["Configuration"])

    # --- Backend ----------------------------------------------------------------------
    @property
    def region(self) -> str:
        return str(self._client.meta.region_name)

    def describe(self) -> dict[str, str]:
        info = {"kind": "aws", "endpoint_url": str(self._client.meta.endpoint_url)}
        if self._cpu_control:
            info["cpu_control"] = self._cpu_control
        return info

    def supported_architectures(self) -> frozenset[Architecture]:
        return frozenset(Architecture)

    def get_configuration(self, function_name: str, qualifier: str | None = None) -> FunctionConfig:
        kwargs: dict[str, str] = {"FunctionName": function_name}
        if qualifier:
            kwargs["Qualifier"] = qualifier
        data = self._must(
            "GetFunctionConfiguration",
            lambda: self._client.get_function_configuration(**kwargs),
        )
        return config_from_wire(dict(data))

    def update_configuration(
        self,
        function_name: str,
        *,
        memory_mb: int,
        architecture: Architecture,
        revision_id: str | None,
    ) -> FunctionConfig:
        current = self._wait_until_settled(function_name)
        revision = revision_id
        if current.architecture is not architecture:
            # Architectures is a parameter of UpdateFunctionCode, not of
            # UpdateFunctionConfiguration, so switching needs the code itself
            # (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html).
            code, _ = self._download_code(function_name, None)
            code_kwargs: dict[str, Any] = {
                "FunctionName": function_name,
                "ZipFile": code,
                "Architectures": [architecture.value],
            }
            if revision:
                code_kwargs["RevisionId"] = revision
            self._must(
                "UpdateFunctionCode", lambda: self._client.update_function_code(**code_kwargs)
            )
            revision = self._wait_until_settled(function_name).revision_id
        kwargs: dict[str, Any] = {"FunctionName": function_name, "MemorySize": memory_mb}
        if revision:
            kwargs["RevisionId"] = revision
        self._must(
            "UpdateFunctionConfiguration",
            lambda: self._client.update_function_configuration(**kwargs),
        )
        return self._wait_until_settled(function_name)

    def publish_version(
        self,
        function_name: str,
        *,
        description: str,
        code_sha256: str,
        revision_id: str | None = None,
    ) -> FunctionConfig:
        kwargs: dict[str, Any] = {
            "FunctionName": function_name,
            "Description": description,
            "CodeSha256": code_sha256,
        }
        if revision_id:
            kwargs["RevisionId"] = revision_id
        data = self._must("PublishVersion", lambda: self._client.publish_version(**kwargs))
        version = str(data["Version"])
        settled = self._wait_until_settled(function_name, version)
        return settled

    def create_alias(self, function_name: str, alias: str, version: str) -> None:
        self._must(
            "CreateAlias",
            lambda: self._client.create_alias(
                FunctionName=function_name,
                Name=alias,
                FunctionVersion=version,
                Description="temporary alias of a powertune run",
            ),
        )

    def delete_alias(self, function_name: str, alias: str) -> None:
        self._call(
            "DeleteAlias",
            lambda: self._client.delete_alias(FunctionName=function_name, Name=alias),
            missing_ok=True,
        )

    def delete_version(self, function_name: str, version: str) -> None:
        self._call(
            "DeleteFunction",
            lambda: self._client.delete_function(FunctionName=function_name, Qualifier=version),
            missing_ok=True,
        )

    def list_versions(self, function_name: str) -> list[FunctionConfig]:
        versions: list[FunctionConfig] = []
        marker: str | None = None
        while True:
            page = self._must("ListVersionsByFunction", self._versions_page(function_name, marker))
            versions += [
                config_from_wire(dict(v)) for v in page["Versions"] if v["Version"] != "$LATEST"
            ]
            marker = page.get("NextMarker")
            if not marker:
                return versions

    def _versions_page(
        self, function_name: str, marker: str | None
    ) -> Callable[[], ListVersionsByFunctionResponseTypeDef]:
        kwargs: dict[str, Any] = {"FunctionName": function_name}
        if marker:
            kwargs["Marker"] = marker
        return lambda: self._client.list_versions_by_function(**kwargs)

    def invoke(self, function_name: str, qualifier: str, payload: bytes) -> InvokeOutcome:
        response = self._must(
            "Invoke",
            lambda: self._client.invoke(
                FunctionName=function_name,
                Qualifier=qualifier,
                Payload=payload,
                LogType="Tail",
                InvocationType="RequestResponse",
            ),
        )
        body = response["Payload"].read()
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        extra: dict[str, str] = {}
        if CPU_CONTROL_HEADER in headers:
            self._cpu_control = extra["cpu_control"] = str(headers[CPU_CONTROL_HEADER])
        log_tail = base64.b64decode(response.get("LogResult", "") or "").decode("utf-8", "replace")
        try:
            report = parse_report(log_tail)
        except ReportLineError as exc:
            raise BackendError("Invoke", "NoReportLine", str(exc)) from exc
        function_error = response.get("FunctionError")
        report_error = report.error_type or (
            SANDBOX_TIMEDOUT if report.status == "timeout" else None
        )
        return InvokeOutcome(
            payload=body,
            duration_ms=report.duration_ms,
            billed_duration_ms=report.billed_duration_ms,
            init_duration_ms=report.init_duration_ms,
            restore_duration_ms=report.restore_duration_ms,
            max_memory_used_mb=report.max_memory_used_mb,
            function_error=function_error,
            error_type=error_type_of(function_error, body, report_error),
            executed_version=response.get("ExecutedVersion"),
            extra=extra,
        )

    def create_scratch_copy(self, source: FunctionConfig, copy_name: str) -> FunctionConfig:
        qualifier = None if source.version == "$LATEST" else source.version
        code, wire = self._download_code(source.function_name, qualifier)
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
        self._must("CreateFunction", lambda: self._client.create_function(**kwargs))
        return self._wait_until_settled(copy_name)

    def delete_function(self, function_name: str) -> None:
        self._call(
            "DeleteFunction",
            lambda: self._client.delete_function(FunctionName=function_name),
            missing_ok=True,
        )
