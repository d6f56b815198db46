"""Sends each request to the plane that answers it (see `routing.route`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from powertune.localcloud.frontdoor import stepfunctions
from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse, json_response
from powertune.localcloud.frontdoor.routing import CODE_PREFIX, OWN_PREFIX, Plane, Route, route
from powertune.localcloud.github.server import GitHubStandIn
from powertune.localcloud.lambda_plane.code_store import CodeStore
from powertune.localcloud.lambda_plane.control import LambdaControlPlane
from powertune.localcloud.lambda_plane.invoke import InvokeService

ApiGatewayHandler = Callable[[HttpRequest, Route], HttpResponse]


def not_ready(_request: HttpRequest) -> HttpResponse:
    """The answer while the instance is still starting."""
    return json_response(503, {"message": "the local cloud is starting"})


@dataclass(frozen=True)
class Dispatcher:
    """The planes behind the front door."""

    forward: Callable[[HttpRequest], HttpResponse]  # to moto (with API Gateway hooks)
    control: LambdaControlPlane
    invoke: InvokeService
    api_gateway: ApiGatewayHandler
    code_store: CodeStore
    status: Callable[[], Mapping[str, object]]
    github: GitHubStandIn | None = None  # the GitHub REST stand-in, under /_powertune/github

    def __call__(self, request: HttpRequest) -> HttpResponse:
        target = route(request)
        if target.plane is Plane.LAMBDA_INVOKE:
            return self.invoke.handle(request, target.function_name)
        if target.plane is Plane.LAMBDA_CONTROL:
            return self.control.handle(request)
        if target.plane is Plane.APIGW_DATA:
            return self.api_gateway(request, target)
        if target.plane is Plane.OWN:
            return self._own(request)
        return stepfunctions.answer(request) or self.forward(request)

    def _own(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if self.github is not None and self.github.serves(path):
            return self.github.handle(request)
        if request.method in ("GET", "HEAD") and path.startswith(CODE_PREFIX):
            key = path.removeprefix(CODE_PREFIX).removesuffix(".zip")
            zip_path = self.code_store.zip_path(key)
            if zip_path is not None:
                return HttpResponse(
                    200, zip_path.read_bytes(), (("Content-Type", "application/zip"),)
                )
            # S3's answer for a missing object, since Code.Location stands in for S3.
            return HttpResponse(
                404,
                b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist."
                b"</Message></Error>",
                (("Content-Type", "application/xml"),),
            )
        if request.method == "GET" and path == OWN_PREFIX + "status":
            return json_response(200, dict(self.status()))
        return json_response(404, {"message": f"no such local cloud endpoint: {path}"})
