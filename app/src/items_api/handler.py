"""Lambda entry point of the items API (API Gateway REST API, Lambda proxy integration).

Routing and logging use Powertools for AWS Lambda (APIGatewayRestResolver and
Logger). API Gateway sends every method here (`ANY`), so this handler answers
405 with `Allow` itself. Client errors are JSON `{"code", "message"}`; anything
unexpected is logged with its stack trace and answered with a bare 500, so no
internals reach the client.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from items_api.export import DEFAULT_MAX_GZIP_BYTES, ExportTooLarge, export_gzip_csv
from items_api.store import DuplicateItem, Item, store_from_environment
from items_api.validation import (
    ValidationError,
    decode_next_token,
    encode_next_token,
    parse_json_object,
    parse_limit,
    validate_item_id,
    validate_new_item,
    validate_replacement,
)

JSON = "application/json"
logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "items-api"))
app = APIGatewayRestResolver()

# The API's routes and their methods: the source of truth for 405 + Allow, and
# what tests compare with openapi.yaml.
ROUTES: dict[str, tuple[str, ...]] = {
    "/items": ("GET", "POST"),
    "/items/export": ("GET",),
    "/items/{id}": ("GET", "PUT", "DELETE"),
}
# Fixed children of /items that a `/items/{id}` match must not swallow
# (PUT /items/export is a 405, not an attempt to replace an item called "export").
_FIXED_CHILDREN = frozenset({"export"})
_ROUTE_PATTERNS = [
    (re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "/?$"), methods)
    for path, methods in ROUTES.items()
]


def error(status: HTTPStatus, code: str, message: str, **headers: str) -> Response[Any]:
    """A JSON error response; `message` must be safe for clients."""
    return Response(
        status_code=status.value,
        content_type=JSON,
        body={"code": code, "message": message},
        headers=headers or None,
    )


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@app.get("/items")
def list_items() -> Response[Any]:
    query = app.current_event.query_string_parameters or {}
    limit = parse_limit(query.get("limit"))
    after_id = decode_next_token(query.get("next"))
    page = store_from_environment().list_page(limit, after_id)
    token = None if page.last_id is None else encode_next_token(page.last_id)
    return Response(200, JSON, {"items": page.items, "next": token})


@app.post("/items")
def create_item() -> Response[Any]:
    event = app.current_event
    new = validate_new_item(parse_json_object(event.body, bool(event.is_base64_encoded)))
    item_id = new.item_id or uuid.uuid4().hex
    try:
        item = store_from_environment().create(item_id, new.fields, _now_iso())
    except DuplicateItem:
        return error(HTTPStatus.CONFLICT, "Conflict", f"an item with id {item_id!r} already exists")
    return Response(201, JSON, item, headers={"Location": f"/items/{item_id}"})


@app.get("/items/export")
def export_items() -> Response[Any]:
    cap = int(os.environ.get("EXPORT_MAX_GZIP_BYTES", DEFAULT_MAX_GZIP_BYTES))
    try:
        body = export_gzip_csv(store_from_environment().scan_all(), cap)
    except ExportTooLarge as exc:
        return error(
            HTTPStatus.INSUFFICIENT_STORAGE,
            "ExportTooLarge",
            f"the compressed export exceeds {exc.limit_bytes} bytes, the most one response "
            "can carry; page through GET /items instead",
        )
    # bytes bodies are base64-encoded by Powertools (isBase64Encoded: true); API
    # Gateway decodes them because binary_media_types lists application/gzip.
    return Response(
        200,
        "application/gzip",
        body,
        headers={"Content-Disposition": 'attachment; filename="items.csv.gz"'},
    )


@app.get("/items/<item_id>")
def get_item(item_id: str) -> Response[Any]:
    if item_id in _FIXED_CHILDREN:
        return _method_not_allowed(app.current_event.path)
    item = store_from_environment().get(validate_item_id(item_id))
    return _found(item_id, item)


@app.put("/items/<item_id>")
def replace_item(item_id: str) -> Response[Any]:
    event = app.current_event
    if item_id in _FIXED_CHILDREN:
        return _method_not_allowed(event.path)
    validate_item_id(item_id)
    fields = validate_replacement(parse_json_object(event.body, bool(event.is_base64_encoded)))
    item = store_from_environment().replace(item_id, fields, _now_iso())
    return _found(item_id, item)


@app.delete("/items/<item_id>")
def delete_item(item_id: str) -> Response[Any]:
    if item_id in _FIXED_CHILDREN:
        return _method_not_allowed(app.current_event.path)
    store_from_environment().delete(validate_item_id(item_id))
    return Response(204, None, "")


def _found(item_id: str, item: Item | None) -> Response[Any]:
    if item is None:
        return error(HTTPStatus.NOT_FOUND, "NotFound", f"no item with id {item_id!r}")
    return Response(200, JSON, item)


def _method_not_allowed(path: str) -> Response[Any]:
    for pattern, methods in _ROUTE_PATTERNS:
        if pattern.match(path):
            allow = ", ".join(methods)
            return error(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                f"method {app.current_event.http_method} is not allowed on {path}; "
                f"allowed: {allow}",
                Allow=allow,
            )
    return error(HTTPStatus.NOT_FOUND, "NotFound", f"no route for {path}")


@app.not_found
def no_route(_: NotFoundError) -> Response[Any]:
    # Reached when no (path, method) pair matched: 405 if the path exists, else 404.
    return _method_not_allowed(app.current_event.path)


@app.exception_handler(ValidationError)  # type: ignore[untyped-decorator]
def invalid_request(exc: ValidationError) -> Response[Any]:
    return error(HTTPStatus.BAD_REQUEST, "ValidationError", exc.message)


@app.exception_handler(Exception)  # type: ignore[untyped-decorator]
def unexpected(exc: Exception) -> Response[Any]:
    # The stack trace goes to the log (with the request id), never to the client.
    logger.exception("unhandled error")
    return error(HTTPStatus.INTERNAL_SERVER_ERROR, "InternalError", "Internal server error")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = time.perf_counter()
    response = app.resolve(event, context)
    logger.info(
        "request",
        extra={
            "http_method": event.get("httpMethod"),
            "path": event.get("path"),
            "status": response.get("statusCode"),
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        },
    )
    return response
