"""Route matching and proxy-response mapping of the API Gateway data plane (pure)."""

from __future__ import annotations

import base64
import json

import pytest

from powertune.apigw.events import (
    MalformedProxyResponse,
    media_type_matches,
    parse_proxy_response,
)
from powertune.apigw.routes import Integration, Resource, match_route

LAMBDA = Integration("AWS_PROXY", "uri")
RESOURCES = [
    Resource("r0", "/", {}),
    Resource("r1", "/items", {"GET": LAMBDA}),
    Resource("r2", "/items/{id}", {"ANY": LAMBDA, "GET": LAMBDA}),
    Resource("r3", "/items/special", {"GET": LAMBDA}),
    Resource("r4", "/{proxy+}", {"ANY": LAMBDA}),
]


@pytest.mark.parametrize(
    ("method", "path", "resource", "key", "params"),
    [
        ("GET", "/items", "/items", "GET", None),
        ("GET", "/items/", "/items", "GET", None),
        ("GET", "/items/7", "/items/{id}", "GET", {"id": "7"}),
        ("PUT", "/items/7", "/items/{id}", "ANY", {"id": "7"}),
        ("GET", "/items/special", "/items/special", "GET", None),
        ("GET", "/items/a%20b", "/items/{id}", "GET", {"id": "a b"}),
        ("POST", "/a/b/c", "/{proxy+}", "ANY", {"proxy": "a/b/c"}),
    ],
)
def test_most_specific_resource_wins(
    method: str, path: str, resource: str, key: str, params: dict[str, str] | None
) -> None:
    match = match_route(RESOURCES, method, path)
    assert match is not None
    assert (match.resource.path, match.method_key, match.path_parameters) == (
        resource,
        key,
        params,
    )


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/items"), ("GET", "/"), ("PROPFIND", "/items/7")]
)
def test_missing_method_or_resource_is_no_match(method: str, path: str) -> None:
    assert match_route(RESOURCES, method, path) is None


def test_media_type_patterns() -> None:
    assert media_type_matches("image/png; charset=x", ["image/png"])
    assert media_type_matches("image/gif", ["image/*"])
    assert media_type_matches("application/pdf", ["*/*"])
    assert media_type_matches("image/png, */*", ["image/png"])
    assert not media_type_matches("text/plain", ["image/png"])
    assert not media_type_matches(None, ["*/*"])


def test_proxy_response_merges_headers_multi_value_winning() -> None:
    payload = json.dumps(
        {
            "statusCode": 200,
            "headers": {"A": "1", "B": "x"},
            "multiValueHeaders": {"B": ["y", "z"]},
            "body": "ok",
        }
    ).encode()
    response = parse_proxy_response(payload, None, [])
    assert response.status == 200 and response.body == b"ok"
    assert ("A", "1") in response.headers
    assert [v for k, v in response.headers if k == "B"] == ["y", "z"]
    assert ("Content-Type", "application/json") in response.headers


def test_base64_body_stays_text_without_a_matching_binary_media_type() -> None:
    encoded = base64.b64encode(b"\x00\x01").decode()
    payload = json.dumps({"statusCode": 200, "body": encoded, "isBase64Encoded": True}).encode()
    assert parse_proxy_response(payload, None, []).body == encoded.encode()
    assert parse_proxy_response(payload, "application/octet-stream", ["*/*"]).body == b"\x00\x01"


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1]",
        b'{"body": "no status"}',
        b'{"statusCode": 200, "body": {"an": "object"}}',
        b'{"statusCode": 200, "headers": ["x"]}',
        b'{"statusCode": 99}',
    ],
)
def test_malformed_proxy_responses_are_rejected(payload: bytes) -> None:
    with pytest.raises(MalformedProxyResponse):
        parse_proxy_response(payload, None, [])
