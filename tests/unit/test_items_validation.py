"""Every validation rule of the items API, checked on the pure validation module."""

from __future__ import annotations

import base64
import json

import pytest

from items_api.validation import (
    MAX_BODY_BYTES,
    ItemFields,
    ValidationError,
    decode_next_token,
    encode_next_token,
    parse_json_object,
    parse_limit,
    validate_item_id,
    validate_new_item,
    validate_replacement,
)


def assert_rejected(message_part: str, fn: object, *args: object) -> None:
    with pytest.raises(ValidationError) as info:
        fn(*args)  # type: ignore[operator]
    assert message_part in info.value.message


@pytest.mark.parametrize("body", [None, ""])
def test_body_is_required(body: str | None) -> None:
    assert_rejected("request body is required", parse_json_object, body, False)


@pytest.mark.parametrize("body", ["{", "not json", "{'name': 'x'}", '{"name": }'])
def test_body_must_be_json(body: str) -> None:
    assert_rejected("not valid JSON", parse_json_object, body, False)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("[]", "an array"),
        ('"x"', "a string"),
        ("3", "a number"),
        ("null", "null"),
        ("true", "a boolean"),
    ],
)
def test_body_must_be_an_object(body: str, kind: str) -> None:
    assert_rejected(f"must be a JSON object, got {kind}", parse_json_object, body, False)


def test_body_limit_is_16_kb_and_inclusive() -> None:
    at_limit = json.dumps({"name": "x" * (MAX_BODY_BYTES - 12)})
    assert len(at_limit.encode()) == MAX_BODY_BYTES
    assert parse_json_object(at_limit, False)["name"]
    over = json.dumps({"name": "x" * (MAX_BODY_BYTES - 11)})
    assert_rejected(
        f"{MAX_BODY_BYTES + 1} bytes; the limit is {MAX_BODY_BYTES}", parse_json_object, over, False
    )


def test_body_limit_counts_utf8_bytes_not_characters() -> None:
    body = json.dumps({"name": "é" * 6000}, ensure_ascii=False)  # 12k+ bytes of 2-byte chars
    assert len(body) < MAX_BODY_BYTES < len(body.encode()) * 2
    assert parse_json_object(body, False)
    assert_rejected(
        "the limit is", parse_json_object, json.dumps({"n": "é" * 9000}, ensure_ascii=False), False
    )


def test_base64_bodies_are_decoded_and_bad_base64_rejected() -> None:
    encoded = base64.b64encode(b'{"name": "a"}').decode()
    assert parse_json_object(encoded, True) == {"name": "a"}
    assert_rejected("not valid base64", parse_json_object, "***", True)


def test_non_utf8_body_is_not_json() -> None:
    assert_rejected(
        "not valid JSON", parse_json_object, base64.b64encode(b"\xff\xfe{").decode(), True
    )


def test_new_item_accepts_name_description_and_optional_id() -> None:
    new = validate_new_item({"name": "pen", "description": "blue", "id": "pen-1"})
    assert new.item_id == "pen-1"
    assert new.fields == ItemFields(name="pen", description="blue")
    assert validate_new_item({"name": "pen"}).item_id is None


def test_name_is_required() -> None:
    assert_rejected("field 'name' is required", validate_new_item, {"description": "x"})


@pytest.mark.parametrize(("value", "kind"), [(3, "a number"), (None, "null"), (["a"], "an array")])
def test_name_must_be_a_string(value: object, kind: str) -> None:
    assert_rejected(f"'name' must be a string, got {kind}", validate_new_item, {"name": value})


@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_name_must_not_be_empty(value: str) -> None:
    assert_rejected("'name' must not be empty", validate_new_item, {"name": value})


def test_name_at_most_200_characters() -> None:
    assert validate_new_item({"name": "n" * 200}).fields.name == "n" * 200
    assert_rejected("is 201 characters; the limit is 200", validate_new_item, {"name": "n" * 201})


def test_description_rules() -> None:
    assert validate_new_item({"name": "a", "description": None}).fields.description is None
    assert_rejected(
        "'description' must be a string", validate_new_item, {"name": "a", "description": 1}
    )
    assert_rejected(
        "the limit is 2000", validate_new_item, {"name": "a", "description": "d" * 2001}
    )


def test_unknown_fields_are_rejected_and_named() -> None:
    assert_rejected(
        "unknown field(s) 'colour', 'price'",
        validate_new_item,
        {"name": "a", "price": 1, "colour": "r"},
    )


@pytest.mark.parametrize("bad", ["", "a b", "a/b", "-lead", "x" * 65, "é", "a.b", "abc\n", "\nabc"])
def test_ids_must_be_url_safe(bad: str) -> None:
    assert_rejected("is invalid", validate_item_id, bad)


@pytest.mark.parametrize("reserved", ["export", "EXPORT", "Export"])
def test_ids_that_collide_with_routes_are_rejected(reserved: str) -> None:
    assert_rejected("is reserved", validate_new_item, {"id": reserved, "name": "a"})


def test_id_must_be_a_string() -> None:
    assert_rejected(
        "'id' must be a string, got a number", validate_new_item, {"id": 7, "name": "a"}
    )
    assert_rejected("'id' must be a string, got null", validate_new_item, {"id": None, "name": "a"})


def test_put_body_takes_no_id_and_no_unknown_fields() -> None:
    assert validate_replacement({"name": "b"}) == ItemFields(name="b", description=None)
    assert_rejected(
        "'id' is not allowed in a PUT body", validate_replacement, {"id": "x", "name": "b"}
    )
    assert_rejected("unknown field(s) 'extra'", validate_replacement, {"name": "b", "extra": True})
    assert_rejected("'name' is required", validate_replacement, {})


@pytest.mark.parametrize(("raw", "expected"), [(None, 20), ("1", 1), ("100", 100)])
def test_limit_defaults_and_bounds(raw: str | None, expected: int) -> None:
    assert parse_limit(raw) == expected


@pytest.mark.parametrize("raw", ["0", "101", "-1", "ten", "", "1.5"])
def test_limit_out_of_range_is_rejected(raw: str) -> None:
    assert_rejected("'limit' must be an integer from 1 to 100", parse_limit, raw)


def test_next_token_round_trips_and_is_opaque() -> None:
    token = encode_next_token("item-42")
    assert "item-42" not in token
    assert decode_next_token(token) == "item-42"
    assert decode_next_token(None) is None


@pytest.mark.parametrize(
    "token",
    [
        "garbage!",
        base64.urlsafe_b64encode(b"[1]").decode(),
        base64.urlsafe_b64encode(b'{"v": 2, "id": "a"}').decode(),
        base64.urlsafe_b64encode(b'{"v": 1, "id": "a b"}').decode(),
        base64.urlsafe_b64encode(b"\xff\xff").decode(),
    ],
)
def test_foreign_next_tokens_are_rejected(token: str) -> None:
    assert_rejected("'next' is not a token this API issued", decode_next_token, token)


def test_unpaired_surrogate_escapes_are_rejected() -> None:
    assert_rejected("unpaired surrogate", parse_json_object, '{"name": "\\ud800x"}', False)
    assert parse_json_object('{"name": "\\ud83d\\ude00"}', False) == {"name": "\U0001f600"}
