"""Lambda proxy integration, payload 1.0: the event sent and the response expected (pure).

Shapes from "Lambda proxy integrations in API Gateway" (lambda-model.md §6.1, §6.2):
absent maps are null, not {}; `headers` keeps the last value of each header and
`multiValueHeaders` all of them; bodies whose Content-Type matches the API's
binaryMediaTypes are base64-encoded with `isBase64Encoded: true`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from powertune.apigw.routes import RouteMatch

ACCOUNT_ID = "123456789012"


@dataclass(frozen=True)
class DataPlaneRequest:
    """What the event is built from."""

    method: str
    path: str  # after `_user_request_`, e.g. /items/1
    headers: Sequence[tuple[str, str]]
    query: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str
    api_id: str
    stage: str
    request_id: str
    extended_request_id: str
    received_at: datetime


@dataclass(frozen=True)
class ProxyResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class MalformedProxyResponse(ValueError):
    """The function's answer is not a valid proxy response (API Gateway answers 502)."""


def media_type_matches(content_type: str | None, binary_media_types: Sequence[str]) -> bool:
    """Whether `content_type` matches one of the API's binaryMediaTypes (`*/*`, `image/*`)."""
    if not content_type:
        return False
    # For an Accept list API Gateway looks at the first type.
    mime = content_type.split(",")[0].split(";")[0].strip().lower()
    kind = mime.split("/")[0]
    for pattern in binary_media_types:
        pattern = pattern.strip().lower()
        if pattern in ("*/*", mime) or pattern == f"{kind}/*":
            return True
    return False


def _single_and_multi(
    pairs: Sequence[tuple[str, str]],
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return (single or None), (multi or None)


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name.lower():
            return value
    return None


def _event_body(
    request: DataPlaneRequest, binary_media_types: Sequence[str]
) -> tuple[str | None, bool]:
    """The event's `body` and `isBase64Encoded`: binary media types travel base64-encoded."""
    if not request.body:
        return None, False
    if media_type_matches(_header(request.headers, "Content-Type"), binary_media_types):
        return base64.b64encode(request.body).decode(), True
    return request.body.decode("utf-8", errors="replace"), False


def _identity(request: DataPlaneRequest) -> dict[str, object]:
    """`requestContext.identity` of an unauthenticated call: only source IP and user agent."""
    return {
        "accessKey": None,
        "accountId": None,
        "caller": None,
        "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "principalOrgId": None,
        "sourceIp": request.source_ip,
        "user": None,
        "userAgent": _header(request.headers, "User-Agent"),
        "userArn": None,
    }


def _request_context(request: DataPlaneRequest, match: RouteMatch) -> dict[str, object]:
    """`requestContext`: the `$context` variables API Gateway maps into the event."""
    host = _header(request.headers, "Host") or f"{request.api_id}.execute-api.localhost"
    return {
        "accountId": ACCOUNT_ID,
        "apiId": request.api_id,
        "domainName": host,
        "domainPrefix": host.split(".")[0],
        "extendedRequestId": request.extended_request_id,
        "httpMethod": request.method,
        "identity": _identity(request),
        # $context.path is the full path including the stage (e.g. /prod/items/1).
        "path": f"/{request.stage}{request.path}",
        "protocol": "HTTP/1.1",
        "requestId": request.request_id,
        "requestTime": request.received_at.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(request.received_at.timestamp() * 1000),
        "resourceId": match.resource.resource_id,
        "resourcePath": match.resource.path,
        "stage": request.stage,
    }


def build_event(
    request: DataPlaneRequest,
    match: RouteMatch,
    stage_variables: Mapping[str, str] | None,
    binary_media_types: Sequence[str],
) -> dict[str, object]:
    """The payload 1.0 event for this request."""
    headers, multi_headers = _single_and_multi(request.headers)
    query, multi_query = _single_and_multi(request.query)
    body, is_base64 = _event_body(request, binary_media_types)
    return {
        "resource": match.resource.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(match.path_parameters) if match.path_parameters else None,
        "stageVariables": dict(stage_variables) if stage_variables else None,
        "requestContext": _request_context(request, match),
        "body": body,
        "isBase64Encoded": is_base64,
    }


def _string_map(value: object, what: str) -> dict[str, object]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedProxyResponse(f"{what} must be an object")
    return value


def parse_proxy_response(
    payload: bytes, accept: str | None, binary_media_types: Sequence[str]
) -> ProxyResponse:
    """Map the function's proxy response to the HTTP response, or raise (→ 502).

    `isBase64Encoded` bodies are decoded to bytes when the API's binaryMediaTypes match the
    client's Accept or the response's Content-Type, as API Gateway converts them.
    """
    try:
        document = json.loads(payload)
    except ValueError as exc:
        raise MalformedProxyResponse("not JSON") from exc
    if not isinstance(document, dict):
        raise MalformedProxyResponse("not an object")
    status = document.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedProxyResponse("statusCode missing or not an HTTP status")
    headers: dict[str, list[str]] = {}
    for name, value in _string_map(document.get("headers"), "headers").items():
        headers[name] = [str(value)]
    for name, values in _string_map(document.get("multiValueHeaders"), "multiValueHeaders").items():
        if not isinstance(values, list):
            raise MalformedProxyResponse("multiValueHeaders values must be lists")
        headers[name] = [str(v) for v in values]  # multiValueHeaders win on duplicates
    body = document.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedProxyResponse("body must be a string")
    flat = tuple((name, value) for name, values in headers.items() for value in values)
    content_type = next((v for k, v in flat if k.lower() == "content-type"), None)
    raw = (body or "").encode()
    if document.get("isBase64Encoded") is True and (
        media_type_matches(accept, binary_media_types)
        or media_type_matches(content_type, binary_media_types)
    ):
        try:
            raw = base64.b64decode(body or "", validate=True)
        except ValueError as exc:
            raise MalformedProxyResponse("isBase64Encoded body is not base64") from exc
    if content_type is None:
        flat = (*flat, ("Content-Type", "application/json"))  # API Gateway's default
    return ProxyResponse(status, flat, raw)
