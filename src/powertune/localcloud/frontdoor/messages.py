"""HTTP request and response values passed between the front door and the planes behind it.

Plain frozen values, so the routing, Lambda and API Gateway code can be tested without
sockets. Header names keep the case the client sent; lookups are case-insensitive.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class HttpRequest:
    """One request as received by the front door."""

    method: str
    target: str  # path plus query string, as on the request line
    headers: tuple[tuple[str, str], ...]
    body: bytes
    client_ip: str = "127.0.0.1"

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query_string(self) -> str:
        return urlsplit(self.target).query

    def query_pairs(self) -> list[tuple[str, str]]:
        """Query parameters in order, repeated names kept (API Gateway's multi-value view)."""
        return parse_qsl(self.query_string, keep_blank_values=True)

    def query(self, name: str) -> str | None:
        for key, value in self.query_pairs():
            if key == name:
                return value
        return None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


@dataclass(frozen=True)
class HttpResponse:
    """One response to write back to the client."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def with_body(self, body: bytes) -> HttpResponse:
        """The same response with a new body (Content-Length is recomputed when written)."""
        return HttpResponse(self.status, body, self.headers)


def json_response(
    status: int, document: object, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """A JSON response with the given extra headers."""
    extra = tuple((headers or {}).items())
    return HttpResponse(
        status,
        json.dumps(document).encode(),
        (("Content-Type", "application/json"), *extra),
    )
