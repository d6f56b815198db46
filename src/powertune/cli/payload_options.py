"""Turn the user's payload options into `Payload`s: JSON, files, weighted sets, HTTP requests.

`--payload-http 'GET /items/export?limit=5'` builds an API Gateway REST proxy
event (payload format 1.0) with `powertune.apigw`, the event model the local
cloud's data plane uses too, so a function behind API Gateway is tuned with the
event it really receives (upstream users build those by hand:
aws-lambda-power-tuning #146, #161). It lives in the CLI layer because it reads
the `@file` arguments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from powertune.apigw.events import DataPlaneRequest, build_event
from powertune.apigw.routes import Integration, Resource, match_route
from powertune.errors import ConfigError
from powertune.tuning.models import Payload

_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def _read_text(ref: str, what: str) -> str:
    path = Path(ref)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read {what} file {ref!r}: {exc.strerror}; check the path after '@'"
        ) from exc


def parse_json_payload(value: str) -> Payload:
    """`--payload`: inline JSON, or `@file.json`."""
    text = _read_text(value[1:], "payload") if value.startswith("@") else value
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"payload is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}): "
            f"{text[:80]!r}; quote it for your shell, e.g. --payload '{{\"key\": 1}}'"
        ) from exc
    return Payload(text.encode("utf-8"))


def parse_weighted_payloads(ref: str) -> list[Payload]:
    """`--payloads FILE`: a JSON array of `{"payload": ..., "weight": N}` objects."""
    text = _read_text(ref.removeprefix("@"), "payloads")
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"payloads file {ref!r} is not valid JSON: {exc.msg}") from exc
    if not isinstance(items, list) or not items:
        raise ConfigError(
            f"payloads file {ref!r} must hold a non-empty JSON array of "
            '{"payload": ..., "weight": N} objects'
        )
    out: list[Payload] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "payload" not in item:
            raise ConfigError(f"payloads file {ref!r}, item {i}: needs a 'payload' key")
        weight = item.get("weight", 1)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise ConfigError(
                f"payloads file {ref!r}, item {i}: weight {weight!r} must be a positive number"
            )
        out.append(Payload(json.dumps(item["payload"]).encode("utf-8"), float(weight)))
    return out


def build_http_payload(
    request_line: str,
    *,
    headers: Sequence[str] = (),
    body: str | None = None,
    resource: str | None = None,
    stage: str = "prod",
    binary_media_types: Sequence[str] = (),
) -> Payload:
    """`--payload-http 'METHOD /path?query'` as an API Gateway REST proxy event."""
    parts = request_line.split()
    if len(parts) != 2 or parts[0].upper() not in _METHODS or not parts[1].startswith("/"):
        raise ConfigError(
            f"--payload-http {request_line!r} must be 'METHOD /path[?query]', "
            "e.g. 'GET /items/export' or 'POST /items'"
        )
    method, target = parts[0].upper(), urlsplit(parts[1])
    header_pairs: list[tuple[str, str]] = []
    for h in headers:
        name, sep, value = h.partition(":")
        if not sep or not name.strip():
            raise ConfigError(f"--http-header {h!r} must be 'Name: value'")
        header_pairs.append((name.strip(), value.strip()))
    if body is not None and not any(n.lower() == "content-type" for n, _ in header_pairs):
        header_pairs.append(("Content-Type", "application/json"))
    template = resource or target.path
    route = Resource("tuning", template, {"ANY": Integration("AWS_PROXY", "")})
    match = match_route([route], method, target.path)
    if match is None:
        raise ConfigError(
            f"--http-resource {template!r} does not match the path {target.path!r}; "
            "use the API Gateway resource path, e.g. /items/{id}"
        )
    request = DataPlaneRequest(
        method=method,
        path=target.path,
        headers=tuple(header_pairs),
        query=tuple(parse_qsl(target.query, keep_blank_values=True)),
        body=(body or "").encode("utf-8"),
        source_ip="127.0.0.1",
        api_id="powertune",
        stage=stage,
        request_id="powertune-tuning",
        extended_request_id="powertune-tuning",
        received_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    event = build_event(request, match, None, binary_media_types)
    return Payload(json.dumps(event).encode("utf-8"))
