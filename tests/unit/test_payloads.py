"""Payload options: inline JSON, @files, weighted sets, HTTP requests as proxy events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powertune.cli.payload_options import (
    build_http_payload,
    parse_json_payload,
    parse_weighted_payloads,
)
from powertune.errors import ConfigError
from powertune.tuning.models import Payload


def test_inline_json_payload() -> None:
    assert parse_json_payload('{"a": 1}') == Payload(b'{"a": 1}')


def test_payload_from_file(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"id": 7}\n', encoding="utf-8")
    assert json.loads(parse_json_payload(f"@{path}").body) == {"id": 7}


def test_unreadable_payload_file_names_the_path_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(ConfigError) as err:
        parse_json_payload(f"@{missing}")
    message = str(err.value)
    assert f"cannot read payload file {str(missing)!r}" in message
    assert "check the path after '@'" in message


def test_invalid_json_payload_says_where_and_how_to_quote() -> None:
    with pytest.raises(ConfigError) as err:
        parse_json_payload("{key: 1}")
    message = str(err.value)
    assert "payload is not valid JSON" in message
    assert "line 1 column 2" in message
    assert "'{key: 1}'" in message
    assert "quote it for your shell" in message


def test_invalid_json_in_payload_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="payload is not valid JSON"):
        parse_json_payload(f"@{path}")


def test_weighted_payloads(tmp_path: Path) -> None:
    path = tmp_path / "set.json"
    path.write_text(
        json.dumps([{"payload": {"size": "small"}, "weight": 3}, {"payload": {"size": "big"}}])
    )
    small, big = parse_weighted_payloads(str(path))
    assert json.loads(small.body) == {"size": "small"}
    assert small.weight == 3.0
    assert big.weight == 1.0
    assert parse_weighted_payloads(f"@{path}") == [small, big]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{}", "must hold a non-empty JSON array"),
        ("[]", "must hold a non-empty JSON array"),
        ('[{"weight": 1}]', "item 0: needs a 'payload' key"),
        ('[{"payload": 1, "weight": 0}]', "item 0: weight 0 must be a positive number"),
        ('[{"payload": 1}, {"payload": 2, "weight": true}]', "item 1: weight True"),
        ("[", "is not valid JSON"),
    ],
)
def test_bad_weighted_payload_files(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "set.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=needle):
        parse_weighted_payloads(str(path))


def test_http_payload_is_an_api_gateway_proxy_event() -> None:
    payload = build_http_payload(
        "get /items/export?limit=5&format=csv",
        headers=["Accept: text/csv"],
        resource="/items/{proxy+}",
    )
    event = json.loads(payload.body)
    assert event["httpMethod"] == "GET"
    assert event["path"] == "/items/export"
    assert event["resource"] == "/items/{proxy+}"
    assert event["queryStringParameters"] == {"limit": "5", "format": "csv"}
    assert event["headers"]["Accept"] == "text/csv"
    assert event["requestContext"]["stage"] == "prod"


def test_http_payload_with_body_gets_a_json_content_type() -> None:
    event = json.loads(build_http_payload("POST /items", body='{"name": "x"}').body)
    assert event["httpMethod"] == "POST"
    assert event["body"] == '{"name": "x"}'
    assert event["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("line", "kwargs", "needle"),
    [
        ("/items", {}, "must be 'METHOD /path"),
        ("FETCH /items", {}, "must be 'METHOD /path"),
        ("GET items", {}, "must be 'METHOD /path"),
        ("GET /items", {"headers": ["NoColon"]}, "--http-header 'NoColon' must be 'Name: value'"),
        ("GET /items/1", {"resource": "/orders/{id}"}, "does not match the path '/items/1'"),
    ],
)
def test_bad_http_payloads(line: str, kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        build_http_payload(line, **kwargs)  # type: ignore[arg-type]
