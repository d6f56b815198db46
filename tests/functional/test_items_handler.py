"""The items API handler, called with API Gateway proxy events, over a real moto DynamoDB.

moto's server runs in-process on a free 127.0.0.1 port; the handler reaches it
through AWS_ENDPOINT_URL exactly as it reaches the local cloud or AWS.
"""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from items_api import handler


@dataclass(frozen=True)
class FakeContext:
    """The LambdaContext attributes Powertools' logger reads."""

    function_name: str = "items-api"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:items-api"
    aws_request_id: str = "req-0001"
    function_version: str = "$LATEST"


def proxy_event(
    method: str,
    path: str,
    body: str | None = None,
    query: dict[str, str] | None = None,
    is_base64: bool = False,
) -> dict[str, Any]:
    """A REST API proxy event (payload 1.0), as API Gateway sends it."""
    resource = path
    path_params = None
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[1] != "export":
        resource, path_params = "/items/{id}", {"id": parts[1]}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params,
        "stageVariables": None,
        "requestContext": {
            "requestId": f"apigw-{uuid.uuid4()}",
            "httpMethod": method,
            "resourcePath": resource,
            "path": f"/test{path}",
            "stage": "test",
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    raw_body: str
    is_base64: bool

    def json(self) -> Any:
        return json.loads(self.raw_body)


def call(method: str, path: str, body: object = None, **kw: Any) -> Reply:
    text = body if isinstance(body, str) or body is None else json.dumps(body)
    out = handler.lambda_handler(proxy_event(method, path, text, **kw), FakeContext())  # type: ignore[arg-type]
    headers = {k: ", ".join(v) for k, v in out.get("multiValueHeaders", {}).items()}
    headers.update(out.get("headers") or {})
    return Reply(out["statusCode"], headers, out["body"], out["isBase64Encoded"])


def _json_logs(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The handler's log records as the JSON lines its Powertools formatter writes to stdout."""
    formatter = handler.logger.registered_formatter
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "items-api"]


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def table(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"items-{uuid.uuid4().hex[:8]}"
    for key, value in {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": name,
    }.items():
        monkeypatch.setenv(key, value)
    boto3.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def test_create_then_get_round_trip(table: str) -> None:
    created = call("POST", "/items", {"name": "pen", "description": "blue"})
    assert created.status == 201
    assert created.headers["Content-Type"] == "application/json"
    item = created.json()
    assert created.headers["Location"] == f"/items/{item['id']}"
    assert len(item["id"]) == 32
    assert item["createdAt"] == item["updatedAt"]
    fetched = call("GET", f"/items/{item['id']}")
    assert fetched.status == 200
    assert fetched.json() == item


def test_client_chosen_id_and_409_on_duplicate(table: str) -> None:
    assert call("POST", "/items", {"id": "pen-1", "name": "pen"}).status == 201
    dup = call("POST", "/items", {"id": "pen-1", "name": "other"})
    assert dup.status == 409
    assert dup.json()["code"] == "Conflict"
    assert "pen-1" in dup.json()["message"]
    assert call("GET", "/items/pen-1").json()["name"] == "pen"


def test_reserved_id_is_rejected_on_create(table: str) -> None:
    reply = call("POST", "/items", {"id": "export", "name": "x"})
    assert reply.status == 400
    assert "reserved" in reply.json()["message"]


def test_missing_item_is_404_json(table: str) -> None:
    reply = call("GET", "/items/nope")
    assert reply.status == 404
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == {"code": "NotFound", "message": "no item with id 'nope'"}


def test_put_replaces_and_keeps_created_at(table: str) -> None:
    item = call("POST", "/items", {"id": "p", "name": "a", "description": "d"}).json()
    replaced = call("PUT", "/items/p", {"name": "b"})
    assert replaced.status == 200
    body = replaced.json()
    assert body["name"] == "b"
    assert "description" not in body  # replace, not merge
    assert body["createdAt"] == item["createdAt"]
    assert call("GET", "/items/p").json() == body


def test_put_on_missing_item_is_404_and_creates_nothing(table: str) -> None:
    assert call("PUT", "/items/ghost", {"name": "b"}).status == 404
    assert call("GET", "/items/ghost").status == 404


def test_delete_is_204_and_idempotent(table: str) -> None:
    call("POST", "/items", {"id": "d", "name": "a"})
    first = call("DELETE", "/items/d")
    assert (first.status, first.raw_body) == (204, "")
    assert call("DELETE", "/items/d").status == 204
    assert call("GET", "/items/d").status == 404


def test_list_pages_through_everything_with_opaque_next(table: str) -> None:
    ids = {f"i{n:02d}" for n in range(7)}
    for item_id in ids:
        call("POST", "/items", {"id": item_id, "name": item_id})
    seen: list[str] = []
    query: dict[str, str] = {"limit": "3"}
    for _ in range(10):
        page = call("GET", "/items", query=query)
        assert page.status == 200
        body = page.json()
        assert len(body["items"]) <= 3
        seen += [i["id"] for i in body["items"]]
        if body["next"] is None:
            break
        query = {"limit": "3", "next": body["next"]}
    assert sorted(seen) == sorted(ids)


@pytest.mark.parametrize(
    ("query", "message"),
    [({"limit": "0"}, "'limit' must be"), ({"next": "bogus"}, "'next' is not a token")],
)
def test_bad_list_parameters_are_400(table: str, query: dict[str, str], message: str) -> None:
    reply = call("GET", "/items", query=query)
    assert reply.status == 400
    assert message in reply.json()["message"]


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("POST", "/items", "{not json", "not valid JSON"),
        ("POST", "/items", "[1, 2]", "must be a JSON object"),
        ("POST", "/items", None, "request body is required"),
        ("POST", "/items", {"name": ""}, "must not be empty"),
        ("POST", "/items", {"name": "x" * 201}, "the limit is 200"),
        ("POST", "/items", {"name": "a", "colour": "red"}, "unknown field(s) 'colour'"),
        ("POST", "/items", {"name": "x" * 17000}, "the limit is 16384 bytes"),
        ("POST", "/items", {"id": "a b", "name": "a"}, "is invalid"),
        ("PUT", "/items/p", {"id": "p", "name": "a"}, "not allowed in a PUT body"),
        ("PUT", "/items/p", "{", "not valid JSON"),
        ("GET", "/items/bad%20id", None, "is invalid"),
    ],
)
def test_validation_errors_are_400_with_clear_messages(
    table: str, method: str, path: str, body: object, message: str
) -> None:
    reply = call(method, path, body)
    assert reply.status == 400
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json()["code"] == "ValidationError"
    assert message in reply.json()["message"]


def test_base64_request_bodies_are_accepted(table: str) -> None:
    encoded = base64.b64encode(json.dumps({"id": "b64", "name": "n"}).encode()).decode()
    assert call("POST", "/items", encoded, is_base64=True).status == 201


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/items", "GET, POST"),
        ("DELETE", "/items", "GET, POST"),
        ("POST", "/items/abc", "GET, PUT, DELETE"),
        ("PATCH", "/items/abc", "GET, PUT, DELETE"),
        ("POST", "/items/export", "GET"),
        ("PUT", "/items/export", "GET"),
        ("DELETE", "/items/export", "GET"),
    ],
)
def test_unsupported_methods_are_405_with_allow(
    table: str, method: str, path: str, allow: str
) -> None:
    reply = call(method, path, {"name": "x"})
    assert reply.status == 405
    assert reply.headers["Allow"] == allow
    assert reply.json()["code"] == "MethodNotAllowed"


def test_unknown_path_is_404_json(table: str) -> None:
    reply = call("GET", "/nothing/here")
    assert reply.status == 404
    assert reply.json()["code"] == "NotFound"


def test_export_returns_base64_gzip_csv_of_every_item(table: str) -> None:
    for n in range(30):
        call("POST", "/items", {"id": f"e{n}", "name": f"name {n}"})
    reply = call("GET", "/items/export")
    assert reply.status == 200
    assert reply.is_base64
    assert reply.headers["Content-Type"] == "application/gzip"
    rows = list(csv.reader(io.StringIO(gzip.decompress(base64.b64decode(reply.raw_body)).decode())))
    assert rows[0][:2] == ["id", "name"]
    assert sorted(r[0] for r in rows[1:]) == sorted(f"e{n}" for n in range(30))


def test_export_past_the_cap_is_507_json(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPORT_MAX_GZIP_BYTES", "100")
    for n in range(40):
        call("POST", "/items", {"id": f"big{n}", "name": uuid.uuid4().hex})
    reply = call("GET", "/items/export")
    assert reply.status == 507
    assert reply.json()["code"] == "ExportTooLarge"


def test_store_failures_are_500_without_internals(
    table: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    reply = call("GET", "/items/x")
    assert reply.status == 500
    assert reply.json() == {"code": "InternalError", "message": "Internal server error"}
    assert "ResourceNotFound" not in reply.raw_body
    logs = _json_logs(caplog)
    errors = [line for line in logs if line["level"] == "ERROR"]
    assert errors and "ResourceNotFoundException" in errors[0]["exception"]


def test_logs_are_json_with_the_request_id(table: str, caplog: pytest.LogCaptureFixture) -> None:
    call("GET", "/items/none")
    lines = _json_logs(caplog)
    access = [line for line in lines if line["message"] == "request"]
    assert access, lines
    assert access[-1]["function_request_id"] == "req-0001"
    assert access[-1]["correlation_id"].startswith("apigw-")
    assert (access[-1]["status"], access[-1]["http_method"]) == (404, "GET")
