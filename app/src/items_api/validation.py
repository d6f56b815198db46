"""Request validation for the items API: pure functions, no I/O.

Every rule a client can break lives here, with the message the client sees, so
the unit tests can cover each rule without a server.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

MAX_BODY_BYTES = 16 * 1024
MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 2000
DEFAULT_PAGE_LIMIT = 20
MAX_PAGE_LIMIT = 100
# Ids are used in URLs and as DynamoDB keys: keep them URL-safe and short.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# Ids that would collide with a fixed route under /items (GET /items/export).
RESERVED_IDS = frozenset({"export"})
CREATE_FIELDS = frozenset({"id", "name", "description"})
REPLACE_FIELDS = frozenset({"name", "description"})


class ValidationError(Exception):
    """The request is invalid; `message` is safe to show to the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ItemFields:
    """The client-controlled fields of an item."""

    name: str
    description: str | None


@dataclass(frozen=True)
class NewItem:
    """A validated POST /items body; `item_id` is None when the server should pick one."""

    item_id: str | None
    fields: ItemFields


def parse_json_object(body: str | None, is_base64_encoded: bool) -> dict[str, object]:
    """Decode a request body into a JSON object, enforcing the size limit first."""
    if body is None or body == "":
        raise ValidationError('request body is required: a JSON object such as {"name": "..."}')
    raw = _body_bytes(body, is_base64_encoded)
    if len(raw) > MAX_BODY_BYTES:
        raise ValidationError(
            f"request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES} bytes (16 KB)"
        )
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"request body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ValidationError(f"request body must be a JSON object, got {_json_type(doc)}")
    try:
        # JSON may escape a lone UTF-16 surrogate ("\ud800"); that is not Unicode text and
        # could not be stored, so reject it here rather than fail later with a 500.
        json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "request body contains an unpaired surrogate escape (\\ud800-\\udfff); "
            "strings must be valid Unicode"
        ) from None
    return doc


def validate_new_item(doc: dict[str, object]) -> NewItem:
    """Validate a POST /items body: known fields only, optional client-chosen id."""
    _reject_unknown(doc, CREATE_FIELDS)
    # An explicit "id": null is a type error, not "pick one for me": omit the field for that.
    item_id = validate_item_id(doc["id"]) if "id" in doc else None
    return NewItem(item_id=item_id, fields=_validate_fields(doc))


def validate_replacement(doc: dict[str, object]) -> ItemFields:
    """Validate a PUT /items/{id} body; the id comes from the path, never the body."""
    if "id" in doc:
        raise ValidationError(
            "field 'id' is not allowed in a PUT body: the id is taken from the path"
        )
    _reject_unknown(doc, REPLACE_FIELDS)
    return _validate_fields(doc)


def validate_item_id(raw: object) -> str:
    """Check an item id (from a path or a POST body)."""
    if not isinstance(raw, str):
        raise ValidationError(f"field 'id' must be a string, got {_json_type(raw)}")
    if raw.lower() in RESERVED_IDS:
        raise ValidationError(f"id {raw!r} is reserved (it names a route under /items)")
    if not ID_PATTERN.fullmatch(raw):
        raise ValidationError(
            f"id {raw!r} is invalid: use 1-64 characters from A-Z a-z 0-9 _ -, "
            "starting with a letter or digit"
        )
    return raw


def parse_limit(raw: str | None) -> int:
    """Parse the `limit` query parameter (default 20, 1..100)."""
    if raw is None:
        return DEFAULT_PAGE_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_LIMIT:
        raise ValidationError(
            f"query parameter 'limit' must be an integer from 1 to {MAX_PAGE_LIMIT}, got {raw!r}"
        )
    return int(raw)


def encode_next_token(last_id: str) -> str:
    """Turn the last evaluated key into an opaque, URL-safe `next` token."""
    doc = json.dumps({"v": 1, "id": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(doc).decode().rstrip("=")


def decode_next_token(token: str | None) -> str | None:
    """Recover the last evaluated id from a `next` token, rejecting anything we did not issue."""
    if token is None:
        return None
    bad = ValidationError("query parameter 'next' is not a token this API issued")
    try:
        padded = token + "=" * (-len(token) % 4)
        doc = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (UnicodeError, binascii.Error, ValueError):
        raise bad from None
    if not isinstance(doc, dict) or doc.get("v") != 1 or not isinstance(doc.get("id"), str):
        raise bad
    last_id = doc["id"]
    if not ID_PATTERN.fullmatch(last_id):
        raise bad
    return str(last_id)


def _validate_fields(doc: dict[str, object]) -> ItemFields:
    name = doc.get("name")
    if "name" not in doc:
        raise ValidationError("field 'name' is required")
    if not isinstance(name, str):
        raise ValidationError(f"field 'name' must be a string, got {_json_type(name)}")
    if not name.strip():
        raise ValidationError("field 'name' must not be empty")
    if len(name) > MAX_NAME_CHARS:
        raise ValidationError(
            f"field 'name' is {len(name)} characters; the limit is {MAX_NAME_CHARS}"
        )
    description = doc.get("description")
    if description is not None:
        if not isinstance(description, str):
            raise ValidationError(
                f"field 'description' must be a string, got {_json_type(description)}"
            )
        if len(description) > MAX_DESCRIPTION_CHARS:
            raise ValidationError(
                f"field 'description' is {len(description)} characters; "
                f"the limit is {MAX_DESCRIPTION_CHARS}"
            )
    return ItemFields(name=name, description=description)


def _reject_unknown(doc: dict[str, object], allowed: frozenset[str]) -> None:
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise ValidationError(
            f"unknown field(s) {', '.join(repr(k) for k in unknown)}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )


def _body_bytes(body: str, is_base64_encoded: bool) -> bytes:
    if not is_base64_encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("request body is marked base64 but is not valid base64") from None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
