"""Lambda `Invoke`, served by the execution engine instead of moto.

POST /2015-03-31/functions/{FunctionName}/invocations, with `Qualifier`, the
`X-Amz-Invocation-Type` (RequestResponse → 200, Event → 202, DryRun → 204) and
`X-Amz-Log-Type: Tail` (→ `X-Amz-Log-Result`, base64 of the last 4 KB of the log), as in
the Invoke API reference (lambda-model.md §4.2). Every response also carries
`X-Powertune-Cpu-Control`, saying how this local cloud limited the function's CPU.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from powertune.localcloud.aws_errors import AwsError, lambda_error_response
from powertune.localcloud.engine import EngineError, FunctionSpec, InvocationResult
from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse
from powertune.localcloud.frontdoor.routing import signed_service
from powertune.localcloud.lambda_plane.functions import FunctionDirectory
from powertune.localcloud.lambda_plane.logs import LogBatch, LogShipper
from powertune.localcloud.lambda_plane.names import FunctionRef, parse_function_ref
from powertune.localcloud.realism import ControlPlaneRealism

CPU_CONTROL_HEADER = "X-Powertune-Cpu-Control"
LOG_TAIL_BYTES = 4096  # "The last 4 KB of the execution log" (API_Invoke)
# Lambda quotas: invocation payload 6 MB synchronous, 1 MB asynchronous.
MAX_PAYLOAD_BYTES = {"RequestResponse": 6 * 1024 * 1024, "DryRun": 6 * 1024 * 1024}
MAX_EVENT_PAYLOAD_BYTES = 1024 * 1024
_LOG = logging.getLogger(__name__)


def log_tail(log_text: str) -> str:
    """Base64 of the last 4 KB of the execution log, as `X-Amz-Log-Result` carries it."""
    return base64.b64encode(log_text.encode()[-LOG_TAIL_BYTES:]).decode()


def check_payload(payload: bytes) -> bytes:
    """Lambda refuses a payload that is not JSON (400 InvalidRequestContentException)."""
    if not payload.strip():
        return b"{}"  # an empty payload reaches a Python handler as {}
    try:
        json.loads(payload)
    except ValueError as exc:
        raise AwsError(
            "InvalidRequestContentException",
            f"Could not parse request body into json: Could not parse payload into json: {exc}",
            400,
        ) from exc
    return payload


class InvokeService:
    """Runs invocations on the engine and answers as Lambda's Invoke API does."""

    def __init__(
        self,
        *,
        engine: Any,
        directory: FunctionDirectory,
        logs: LogShipper,
        realism: ControlPlaneRealism,
        default_region: str,
        async_workers: int = 8,
    ) -> None:
        self.engine = engine
        self._directory = directory
        self._logs = logs
        self._realism = realism
        self._default_region = default_region
        self._async = ThreadPoolExecutor(async_workers, thread_name_prefix="invoke-event")

    def close(self) -> None:
        self._async.shutdown(wait=False, cancel_futures=True)

    def resolve(self, reference: str, qualifier: str | None, region: str) -> FunctionSpec:
        """The spec to run for a FunctionName (+ Qualifier), aliases resolved by moto."""
        ref = parse_function_ref(reference)
        if qualifier and ref.qualifier and qualifier != ref.qualifier:
            raise AwsError(
                "InvalidParameterValueException",
                "The derived qualifier from the function name does not match the specified "
                "qualifier.",
                400,
            )
        ref = FunctionRef(ref.name, qualifier or ref.qualifier, ref.region)
        spec = self._directory.spec_for(ref, region)
        self._realism.check_invocable(spec.function_name)
        return spec

    def _validate(self, spec: FunctionSpec) -> None:
        try:
            self.engine.validate(spec)
        except EngineError as exc:
            raise AwsError(exc.code, exc.aws_message, exc.status, exc.reason) from exc

    def run(
        self, spec: FunctionSpec, payload: bytes, client_context: str | None, region: str
    ) -> InvocationResult:
        """Invoke on the engine; engine errors become the AWS errors they name."""
        try:
            result: InvocationResult = self.engine.invoke(
                spec, payload, client_context=client_context
            )
        except EngineError as exc:
            raise AwsError(exc.code, exc.aws_message, exc.status, exc.reason) from exc
        self._logs.ship(
            LogBatch(
                region=region,
                log_group=spec.log_group or f"/aws/lambda/{spec.function_name}",
                function_name=spec.function_name,
                version=spec.version,
                new_environment=result.init_duration_ms is not None,
                log_stream=result.log_stream,
                text=result.log_text,
                timestamp_ms=int(time.time() * 1000),
            )
        )
        return result

    def handle(self, request: HttpRequest, reference: str) -> HttpResponse:
        try:
            return self._handle(request, reference)
        except AwsError as error:
            response = lambda_error_response(error)
            return HttpResponse(
                response.status,
                response.body,
                (*response.headers, (CPU_CONTROL_HEADER, self.engine.cpu_control)),
            )

    def _handle(self, request: HttpRequest, reference: str) -> HttpResponse:
        scope = signed_service(request)
        region = scope[1] if scope else self._default_region
        invocation_type = request.header("X-Amz-Invocation-Type") or "RequestResponse"
        if invocation_type not in ("RequestResponse", "Event", "DryRun"):
            # Lambda's request validation text for an enum member.
            raise AwsError(
                "ValidationException",
                f"1 validation error detected: Value '{invocation_type}' at 'invocationType' "
                "failed to satisfy constraint: Member must satisfy enum value set: "
                "[Event, RequestResponse, DryRun]",
                400,
            )
        limit = MAX_PAYLOAD_BYTES.get(invocation_type, MAX_EVENT_PAYLOAD_BYTES)
        if len(request.body) > limit:
            raise AwsError(
                "RequestTooLargeException",
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
                413,
            )
        payload = check_payload(request.body)
        spec = self.resolve(reference, request.query("Qualifier"), region)
        common = (
            (CPU_CONTROL_HEADER, str(self.engine.cpu_control)),
            ("X-Amz-Executed-Version", spec.version),
        )
        if invocation_type == "DryRun":
            self._validate(spec)
            return HttpResponse(204, b"", (("x-amzn-RequestId", str(uuid.uuid4())), *common))
        client_context = request.header("X-Amz-Client-Context")
        if invocation_type == "Event":
            self._validate(spec)
            self._async.submit(self._run_event, spec, payload, client_context, region)
            return HttpResponse(202, b"", (("x-amzn-RequestId", str(uuid.uuid4())), *common))
        result = self.run(spec, payload, client_context, region)
        headers: list[tuple[str, str]] = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", result.request_id),
            (CPU_CONTROL_HEADER, str(result.cpu_control)),
            ("X-Amz-Executed-Version", result.executed_version),
        ]
        if result.function_error:
            headers.append(("X-Amz-Function-Error", result.function_error))
        if (request.header("X-Amz-Log-Type") or "None") == "Tail":
            headers.append(("X-Amz-Log-Result", log_tail(result.log_text)))
        return HttpResponse(200, result.payload, tuple(headers))

    def _run_event(
        self, spec: FunctionSpec, payload: bytes, client_context: str | None, region: str
    ) -> None:
        try:
            self.run(spec, payload, client_context, region)
        except AwsError as exc:
            # Lambda would retry an event twice; this local cloud logs it once instead.
            _LOG.warning("asynchronous invocation of %s failed: %s", spec.function_arn, exc)
