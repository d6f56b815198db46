"""The AWS adapter: the Backend port over a boto3 Lambda client.

Works unchanged against real AWS or any endpoint that speaks Lambda's REST API
(the local cloud is just `endpoint_url=...`). It retries throttling (429
`TooManyRequestsException`; the control plane allows about 15 requests/s,
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) and
update conflicts (409 `ResourceConflictException`) with exponential backoff and
jitter, waits for `LastUpdateStatus` through GetFunction (its own 100 rps bucket,
which is why botocore's `function_updated_v2` waiter uses it), and wraps every
AWS error in `BackendError` with the AWS code and message. Wire shapes are
translated in `powertune.backends.aws_wire`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from botocore.exceptions import BotoCoreError, ClientError

from powertune.backends.aws_aliases import AliasOperations
from powertune.backends.aws_wire import (
    config_from_wire,
    is_retryable,
    outcome_from_invoke,
    scratch_copy_request,
)
from powertune.clock import Clock, SystemClock
from powertune.errors import BackendError
from powertune.tuning.models import Architecture
from powertune.tuning.ports import FunctionConfig, InvokeOutcome

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_lambda.type_defs import ListVersionsByFunctionResponseTypeDef

T = TypeVar("T")

_NOT_FOUND = "ResourceNotFoundException"
__all__ = ["AwsBackend", "is_retryable"]  # is_retryable (aws_wire) is re-exported for callers


class AwsBackend(AliasOperations):
    """Backend over a boto3 Lambda client (alias calls in `aws_aliases`)."""

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
        outcome, cpu_control = outcome_from_invoke(dict(response))
        if cpu_control is not None:
            self._cpu_control = cpu_control
        return outcome

    def create_scratch_copy(self, source: FunctionConfig, copy_name: str) -> FunctionConfig:
        qualifier = None if source.version == "$LATEST" else source.version
        code, wire = self._download_code(source.function_name, qualifier)
        kwargs = scratch_copy_request(source, wire, code, copy_name)
        self._must("CreateFunction", lambda: self._client.create_function(**kwargs))
        return self._wait_until_settled(copy_name)

    def delete_function(self, function_name: str) -> None:
        self._call(
            "DeleteFunction",
            lambda: self._client.delete_function(FunctionName=function_name),
            missing_ok=True,
        )
