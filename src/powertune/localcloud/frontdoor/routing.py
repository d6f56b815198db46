"""Decide which plane serves a request (pure).

Like moto, the AWS service is read from the SigV4 credential scope in the Authorization
header (`Credential=AKID/20261128/us-east-1/lambda/aws4_request`). Requests without a
signature are API Gateway data-plane calls or downloads of code the front door serves.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import unquote

from powertune.localcloud.frontdoor.messages import HttpRequest

OWN_PREFIX = "/_powertune/"
CODE_PREFIX = OWN_PREFIX + "code/"

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations/?$")
_APIGW_DATA_PATH = re.compile(r"^/restapis/([^/]+)/([^/]+)/_user_request_(/.*)?$")
# `{api_id}.execute-api.localhost[:port]/{stage}/{path}`: the API Gateway URL shape, for
# clients that resolve *.localhost to 127.0.0.1 (or send the Host header themselves).
_EXECUTE_API_HOST = re.compile(r"^([a-z0-9]+)\.execute-api\.localhost(:\d+)?$", re.IGNORECASE)
_LAMBDA_API_PATH = re.compile(r"^/(2015-03-31|2016-08-19|2017-03-31|2017-10-31|2018-10-31)/")


class Plane(enum.Enum):
    """Who answers a request."""

    LAMBDA_INVOKE = "lambda-invoke"
    LAMBDA_CONTROL = "lambda-control"  # forwarded to moto, with our hooks around it
    APIGW_DATA = "apigateway-data"
    OWN = "own"  # code downloads and health, served by the front door
    MOTO = "moto"  # everything else, forwarded unchanged


@dataclass(frozen=True)
class Route:
    plane: Plane
    function_name: str = ""  # LAMBDA_INVOKE: name, ARN or partial ARN (maybe `:qualifier`)
    api_id: str = ""
    stage: str = ""
    resource_path: str = "/"  # APIGW_DATA: the path after `_user_request_`


def signed_service(request: HttpRequest) -> tuple[str, str] | None:
    """(service, region) from the SigV4 credential scope, or None for unsigned requests."""
    authorization = request.header("Authorization") or ""
    match = _CREDENTIAL_SCOPE.search(authorization)
    if match is None:
        return None
    return match.group(2), match.group(1)


def route(request: HttpRequest) -> Route:
    """The plane for this request."""
    path = request.path
    if path.startswith(OWN_PREFIX):
        return Route(Plane.OWN)
    host = _EXECUTE_API_HOST.match(request.header("Host") or "")
    if host is not None:
        stage, _, rest = path.lstrip("/").partition("/")
        return Route(
            Plane.APIGW_DATA, api_id=host.group(1).lower(), stage=stage, resource_path="/" + rest
        )
    apigw = _APIGW_DATA_PATH.match(path)
    if apigw is not None:
        return Route(
            Plane.APIGW_DATA,
            api_id=apigw.group(1),
            stage=apigw.group(2),
            resource_path=apigw.group(3) or "/",
        )
    scope = signed_service(request)
    service = scope[0] if scope else None
    if service in (None, "lambda") and _LAMBDA_API_PATH.match(path):
        invoke = _INVOKE_PATH.match(path)
        if invoke is not None and request.method == "POST":
            return Route(Plane.LAMBDA_INVOKE, function_name=unquote(invoke.group(1)))
        return Route(Plane.LAMBDA_CONTROL)
    return Route(Plane.MOTO)
