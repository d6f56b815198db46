"""openapi.yaml and the handler describe the same API: routes, methods, limits, error codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from items_api import handler, validation

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def test_spec_is_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")


def test_every_handler_route_and_method_is_in_the_spec_and_vice_versa(spec: dict[str, Any]) -> None:
    in_spec = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    in_handler = {(path, method) for path, methods in handler.ROUTES.items() for method in methods}
    assert in_spec == in_handler


def test_handler_registers_exactly_the_documented_routes() -> None:
    # Powertools' own route table, with <param> written as {param}.
    registered = {
        (re.sub(r"<(\w+)>", "{id}", route.path), route.method)
        for route in handler.app._static_routes + handler.app._dynamic_routes
    }
    documented = {(path, method) for path, methods in handler.ROUTES.items() for method in methods}
    assert registered == documented


def test_limits_match_the_validation_module(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["Name"]["maxLength"] == validation.MAX_NAME_CHARS
    assert schemas["Description"]["maxLength"] == validation.MAX_DESCRIPTION_CHARS
    limit = spec["paths"]["/items"]["get"]["parameters"][0]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (
        1,
        validation.MAX_PAGE_LIMIT,
        validation.DEFAULT_PAGE_LIMIT,
    )
    assert set(schemas["NewItem"]["properties"]) == validation.CREATE_FIELDS
    assert set(schemas["ItemFields"]["properties"]) == validation.REPLACE_FIELDS


@pytest.mark.parametrize(
    "candidate",
    [
        "a",
        "A-1_b",
        "x" * 64,
        "x" * 65,
        "",
        "-a",
        "a b",
        "export",
        "EXPORT",
        "exports",
        "é",
        "a.b",
        "ab\n",
    ],
)
def test_id_pattern_agrees_with_the_validator(spec: dict[str, Any], candidate: str) -> None:
    source = spec["components"]["schemas"]["ItemId"]["pattern"]
    # JSON Schema (ECMA) `$` is the end of the string; Python's also matches before a final "\n".
    pattern = re.compile(source.removesuffix("$") + r"\Z")
    try:
        validation.validate_item_id(candidate)
        accepted = True
    except validation.ValidationError:
        accepted = False
    assert bool(pattern.search(candidate)) == accepted


def test_error_codes_in_the_handler_are_documented(spec: dict[str, Any]) -> None:
    source = Path(handler.__file__).read_text()
    used = set(re.findall(r'HTTPStatus\.\w+,\s*"(\w+)"', source))
    assert used
    assert used <= set(spec["components"]["schemas"]["Error"]["properties"]["code"]["enum"])


def test_name_pattern_means_not_blank_as_the_validator_does(spec: dict[str, Any]) -> None:
    source = spec["components"]["schemas"]["Name"]["pattern"]
    # Both readings: Python's and the ASCII one schemathesis uses for ECMA patterns.
    for flags in (0, re.ASCII):
        pattern = re.compile(source, flags)
        for code in [*range(0x3001), 0xFEFF, 0x1F600]:
            char = chr(code)
            assert bool(pattern.search(char)) == (not char.isspace()), hex(code)
