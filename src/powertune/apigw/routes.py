"""Match a request path and method against a REST API's resources (pure).

API Gateway picks the most specific resource: literal path parts beat `{param}` parts,
which beat a greedy `{proxy+}`; then the method (an exact one before `ANY`). A path with
no matching resource, or a resource without the method, gets 403 "Missing Authentication
Token".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

# The methods `ANY` stands for in API Gateway (put-method: "ANY" = any of these).
ANY_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})


@dataclass(frozen=True)
class Integration:
    """The part of a method's integration the data plane needs."""

    type: str  # AWS_PROXY, AWS, MOCK, HTTP, HTTP_PROXY
    uri: str
    timeout_ms: int = 29_000  # REST API default integration timeout


@dataclass(frozen=True)
class Resource:
    resource_id: str
    path: str  # e.g. /items/{id}
    methods: Mapping[str, Integration | None]  # HTTP method or ANY → integration


@dataclass(frozen=True)
class RouteMatch:
    resource: Resource
    method_key: str  # the method the resource defines (maybe ANY)
    integration: Integration | None
    path_parameters: Mapping[str, str] | None  # None when the resource has none


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _match_segments(
    template: list[str], actual: list[str]
) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """A specificity score (higher is more specific) and the captured parameters."""
    params: dict[str, str] = {}
    score: list[int] = []
    for index, part in enumerate(template):
        if part.startswith("{") and part.endswith("+}"):
            rest = actual[index:]
            if not rest or index != len(template) - 1:
                return None
            params[part[1:-2]] = "/".join(unquote(p) for p in rest)
            score.append(0)
            return tuple(score), params
        if index >= len(actual):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = unquote(actual[index])
            score.append(1)
        elif part == actual[index]:
            score.append(2)
        else:
            return None
    if len(template) != len(actual):
        return None
    return tuple(score), params


def match_route(resources: Sequence[Resource], method: str, path: str) -> RouteMatch | None:
    """The resource and method serving `method path`, or None (→ 403).

    The resource is chosen by path alone; a method it does not define (and no ANY) is a
    403 even if a less specific `{proxy+}` resource would accept it.
    """
    actual = _segments(path)
    best: tuple[tuple[int, ...], Resource, dict[str, str]] | None = None
    for resource in resources:
        matched = _match_segments(_segments(resource.path), actual)
        if matched is not None and (best is None or matched[0] > best[0]):
            best = (matched[0], resource, matched[1])
    if best is None:
        return None
    _, resource, params = best
    key = method if method in resource.methods else "ANY"
    if key not in resource.methods or (key == "ANY" and method not in ANY_METHODS):
        return None
    return RouteMatch(resource, key, resource.methods[key], params or None)
