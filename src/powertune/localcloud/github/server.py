"""The GitHub stand-in as one handler, to mount on the front door or to serve alone.

`GitHubStandIn.handle` answers both the REST subset (API_PREFIX) and the control
endpoints (ADMIN_PREFIX). `serve_github(port)` runs it on its own 127.0.0.1 port, for
tests that need GitHub and nothing else of the local cloud; the URLs are the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse, json_response
from powertune.localcloud.frontdoor.server import HttpFrontDoor
from powertune.localcloud.github import ADMIN_PREFIX, API_PREFIX
from powertune.localcloud.github.admin import GitHubAdmin
from powertune.localcloud.github.api import GitHubApi
from powertune.localcloud.github.store import GitHubStore


class GitHubStandIn:
    """The stand-in's state and its two faces."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.store = GitHubStore(clock)
        self._api = GitHubApi(self.store)
        self._admin = GitHubAdmin(self.store)

    @staticmethod
    def serves(path: str) -> bool:
        return path.startswith((API_PREFIX + "/", ADMIN_PREFIX + "/"))

    def handle(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(ADMIN_PREFIX + "/"):
            return self._admin.handle(request)
        if request.path.startswith(API_PREFIX + "/"):
            return self._api.handle(request)
        return json_response(404, {"message": f"not a GitHub stand-in path: {request.path}"})


def api_url(endpoint_url: str) -> str:
    """The GITHUB_API_URL of a stand-in behind `endpoint_url`."""
    return endpoint_url.rstrip("/") + API_PREFIX


class GitHubServer:
    """The stand-in alone on 127.0.0.1:`port` (0 picks a free one)."""

    def __init__(self, port: int = 0) -> None:
        self.stand_in = GitHubStandIn()
        self._front = HttpFrontDoor(port, self.stand_in.handle)
        self.endpoint_url = f"http://127.0.0.1:{self._front.port}"
        self.api_url = api_url(self.endpoint_url)
        self._front.start()

    def stop(self) -> None:
        self._front.stop()

    def __enter__(self) -> GitHubServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
