"""The JavaScript rules compatibility mode depends on, checked against known JS results."""

from __future__ import annotations

import math
import struct

import pytest

from powertune.tuning.compat.jsvalues import (
    UNDEFINED,
    js_divide,
    js_float32_bytes,
    js_json_stringify,
    js_number_to_string,
    js_parse_int,
    js_to_fixed,
    js_to_int16,
    js_to_number,
    js_truthy,
)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1.0, "1"),
        (0.1, "0.1"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (123456789012345680000.0, "123456789012345680000"),
        (-2.5, "-2.5"),
        (math.nan, "NaN"),
        (-math.inf, "-Infinity"),
        (-0.0, "0"),
        (3.0000000000000004, "3.0000000000000004"),
    ],
)
def test_number_to_string(number: float, text: str) -> None:
    assert js_number_to_string(number) == text


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("10abc", 10.0),
        ("4.9", 4.0),
        ("1e3", 1.0),
        ("  -12", -12.0),
        (10 * 0.3, 3.0),
        (5e-7, 5.0),
        (0.6000000000000001, 0.0),
    ],
)
def test_parse_int_reads_the_printed_number(value: object, parsed: float) -> None:
    assert js_parse_int(value) == parsed


@pytest.mark.parametrize("value", ["abc", None, UNDEFINED, "", True])
def test_parse_int_without_digits_is_nan(value: object) -> None:
    assert math.isnan(js_parse_int(value))


def test_to_fixed_rounds_exact_binary_ties_up_where_round_does_not() -> None:
    assert round(0.015625, 5) == 0.01562  # Python: half to even on the exact tie
    assert js_to_fixed(0.015625, 5) == "0.01563"  # JS: the larger n
    assert js_to_fixed(1.005, 2) == "1.00"  # 1.005 is really 1.00499999...
    assert js_to_fixed(0.00045, 5) == "0.00045"
    assert js_to_fixed(-0.0, 5) == "0.00000"


@pytest.mark.parametrize(
    ("value", "int16"),
    [
        (128, 128),
        (10240, 10240),
        (40000, -25536),
        ("256", 256),
        (-1.9, -1),
        (math.nan, 0),
        (65536 + 3, 3),
    ],
)
def test_to_int16_truncates_and_wraps(value: object, int16: int) -> None:
    assert js_to_int16(value) == int16


def test_float32_overflows_to_infinity_instead_of_raising() -> None:
    assert js_float32_bytes(1e39) == struct.pack("<f", math.inf)
    assert js_float32_bytes(-1e39) == struct.pack("<f", -math.inf)
    assert js_float32_bytes(1.4125) == bytes.fromhex("cdccb43f")


def test_coercions_and_truthiness() -> None:
    assert js_to_number("0.3") == 0.3 and js_to_number(" 0x10 ") == 16.0
    assert js_to_number(None) == 0.0 and math.isnan(js_to_number(UNDEFINED))
    assert math.isnan(js_to_number("1,5"))
    values: tuple[object, ...] = (0, "", None, UNDEFINED, math.nan, {}, [], "0")
    assert [js_truthy(v) for v in values] == [
        False,
        False,
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    assert js_divide(1.0, 0.0) == math.inf and math.isnan(js_divide(0.0, 0.0))


def test_json_stringify_matches_node() -> None:
    assert js_json_stringify({"b": 1, "1": 2.0, "a": [1.5, None, "é\n"]}) == (
        '{"1":2,"b":1,"a":[1.5,null,"é\\n"]}'
    )
    assert js_json_stringify("just a string") == '"just a string"'
    assert js_json_stringify({"x": UNDEFINED, "y": math.nan}) == '{"y":null}'
    assert js_json_stringify(UNDEFINED) is UNDEFINED
