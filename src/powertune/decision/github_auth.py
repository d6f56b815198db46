"""How the gate's client authenticates: `Authorization: Bearer <token>`, shown nowhere."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx
from githubkit.auth.base import BaseAuthStrategy


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>`, as GitHub documents and Actions' tokens expect.

    githubkit's TokenAuthStrategy sends the older `token <token>` scheme, and is a
    dataclass whose repr shows the token; this one shows nothing.
    """

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "BearerAuth(<token>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class BearerStrategy(BaseAuthStrategy):
    def __init__(self, token: str) -> None:
        self._auth = BearerAuth(token)

    def __repr__(self) -> str:
        return "BearerStrategy(<token>)"

    def get_auth_flow(self, github: Any) -> httpx.Auth:
        return self._auth
