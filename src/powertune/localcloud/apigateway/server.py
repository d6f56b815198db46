"""The API Gateway data plane: `/restapis/{api_id}/{stage}/_user_request_/{path}`.

Matches the request against the REST API deployed in moto, builds the proxy event,
invokes the integration's Lambda function in the execution engine (waiting at most the
integration timeout) and answers from its proxy response or with API Gateway's own error.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime

from powertune.apigw.events import (
    DataPlaneRequest,
    MalformedProxyResponse,
    build_event,
    parse_proxy_response,
)
from powertune.apigw.routes import RouteMatch, match_route
from powertune.localcloud.apigateway import responses
from powertune.localcloud.apigateway.catalog import ApiCatalog, DeployedStage
from powertune.localcloud.aws_errors import AwsError
from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse
from powertune.localcloud.frontdoor.routing import Route
from powertune.localcloud.lambda_plane.invoke import InvokeService

_FUNCTION_IN_URI = re.compile(r"/functions/(arn:[^/]+)/invocations")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_LOG = logging.getLogger(__name__)


def function_arn_from_uri(uri: str, stage_variables: dict[str, str]) -> str | None:
    """The Lambda ARN in an AWS_PROXY integration URI, stage variables substituted."""
    uri = _STAGE_VARIABLE.sub(lambda m: stage_variables.get(m.group(1), ""), uri)
    match = _FUNCTION_IN_URI.search(uri)
    return match.group(1) if match else None


def _proxy_event(
    request: HttpRequest,
    route: Route,
    match: RouteMatch,
    deployed: DeployedStage,
    ids: tuple[str, str],
) -> dict[str, object]:
    """The payload 1.0 event for `request`; `ids` are its request id and API Gateway id."""
    request_id, apigw_id = ids
    data_plane_request = DataPlaneRequest(
        method=request.method,
        path=route.resource_path,
        headers=request.headers,
        query=request.query_pairs(),
        body=request.body,
        source_ip=request.client_ip,
        api_id=route.api_id,
        stage=route.stage,
        request_id=request_id,
        extended_request_id=apigw_id,
        received_at=datetime.now(UTC),
    )
    return build_event(data_plane_request, match, deployed.variables, deployed.binary_media_types)


class ApiGatewayDataPlane:
    """Serves deployed REST APIs with Lambda proxy integrations."""

    def __init__(
        self, *, catalog: ApiCatalog, invoke: InvokeService, region: str, workers: int = 64
    ) -> None:
        self._catalog = catalog
        self._invoke = invoke
        self._region = region
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="apigw-integration")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def handle(self, request: HttpRequest, route: Route) -> HttpResponse:
        request_id = str(uuid.uuid4())
        apigw_id = base64.b32encode(os.urandom(10)).decode().rstrip("=")[:16]
        deployed = self._catalog.stage(route.api_id, route.stage)
        if deployed is None:
            return responses.forbidden(request_id, apigw_id)
        match = match_route(deployed.resources, request.method, route.resource_path)
        if match is None:
            return responses.missing_authentication_token(request_id, apigw_id)
        integration = match.integration
        if integration is None or integration.type != "AWS_PROXY":
            _LOG.warning(
                "integration %s of %s %s is not supported by the local cloud (AWS_PROXY only)",
                integration.type if integration else None,
                match.method_key,
                match.resource.path,
            )
            return responses.invocation_rejected(request_id, apigw_id)
        arn = function_arn_from_uri(integration.uri, deployed.variables)
        if arn is None:
            return responses.invocation_rejected(request_id, apigw_id)
        event = _proxy_event(request, route, match, deployed, (request_id, apigw_id))
        try:
            spec = self._invoke.resolve(arn, None, self._region)
        except AwsError:
            return responses.invocation_rejected(request_id, apigw_id)
        future = self._pool.submit(
            self._invoke.run, spec, json.dumps(event).encode(), None, self._region
        )
        try:
            # The function keeps running (and billing) past a 504 until its own timeout.
            result = future.result(timeout=integration.timeout_ms / 1000)
        except FutureTimeout:
            return responses.integration_timeout(request_id, apigw_id)
        except AwsError:
            return responses.invocation_rejected(request_id, apigw_id)  # e.g. throttled
        if result.function_error:
            return responses.bad_gateway(request_id, apigw_id)
        try:
            proxy = parse_proxy_response(
                result.payload, request.header("Accept"), deployed.binary_media_types
            )
        except MalformedProxyResponse:
            return responses.bad_gateway(request_id, apigw_id)
        return HttpResponse(
            proxy.status,
            proxy.body,
            (*proxy.headers, ("x-amzn-RequestId", request_id), ("x-amz-apigw-id", apigw_id)),
        )
