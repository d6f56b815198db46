"""API Gateway's own responses (gateway responses) for requests it cannot pass through.

Each is the status and body API Gateway returns, with its source:
- 403 `{"message":"Missing Authentication Token"}`: no resource/method matches the request
  (MISSING_AUTHENTICATION_TOKEN gateway response; the same answer chalice local mirrors).
- 403 `{"message":"Forbidden"}`: the API or stage does not exist on this endpoint.
- 500 `{"message": "Internal server error"}`: Lambda rejected the invocation (throttled,
  missing function or permission), "Handling Lambda errors with an API Gateway API"
  (lambda-model.md §6.3).
- 502 `{"message": "Internal server error"}`: the function errored, timed out before the
  integration did, or returned a malformed proxy response (same page; re:Post
  "malformed-502-api-gateway").
- 504 `{"message": "Endpoint request timed out"}`: the integration timeout (29 s default,
  or the integration's timeoutInMillis) passed first (INTEGRATION_TIMEOUT gateway
  response; re:Post "api-gateway-504-errors").
"""

from __future__ import annotations

import json

from powertune.localcloud.frontdoor.messages import HttpResponse


def gateway_response(
    status: int, message: str, request_id: str, apigw_id: str, error_type: str | None = None
) -> HttpResponse:
    headers: list[tuple[str, str]] = [
        ("Content-Type", "application/json"),
        ("x-amzn-RequestId", request_id),
        ("x-amz-apigw-id", apigw_id),
    ]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return HttpResponse(status, json.dumps({"message": message}).encode(), tuple(headers))


def missing_authentication_token(request_id: str, apigw_id: str) -> HttpResponse:
    return gateway_response(
        403,
        "Missing Authentication Token",
        request_id,
        apigw_id,
        "MissingAuthenticationTokenException",
    )


def forbidden(request_id: str, apigw_id: str) -> HttpResponse:
    return gateway_response(403, "Forbidden", request_id, apigw_id, "ForbiddenException")


def invocation_rejected(request_id: str, apigw_id: str) -> HttpResponse:
    return gateway_response(500, "Internal server error", request_id, apigw_id)


def bad_gateway(request_id: str, apigw_id: str) -> HttpResponse:
    return gateway_response(502, "Internal server error", request_id, apigw_id)


def integration_timeout(request_id: str, apigw_id: str) -> HttpResponse:
    return gateway_response(504, "Endpoint request timed out", request_id, apigw_id)
