"""JavaScript value semantics that upstream's numbers depend on, reproduced in Python.

AWS Lambda Power Tuning runs on Node.js; its results depend on a few language rules
that Python does not share: `parseInt` on the *string form* of a number, `toFixed`
rounding the exact binary value, `Int16Array` wrapping, `Float32Array` rounding,
`JSON.stringify` formatting and key order, and truthiness. Each helper here follows
the ECMAScript specification for the cases upstream's code can reach.
"""

from __future__ import annotations

import json
import math
import re
import struct
from decimal import ROUND_HALF_UP, Decimal
from typing import Final


class _Undefined:
    """JavaScript `undefined`, distinct from `null` (which is Python's None)."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final = _Undefined()

# ECMAScript WhiteSpace + LineTerminator code points (trimmed by parseInt and Number()).
_JS_SPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DECIMAL_LITERAL: Final = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\Z")
_RADIX_LITERAL: Final = re.compile(r"0([xXoObB])([0-9a-fA-F]+)\Z")
_LEADING_INT: Final = re.compile(r"[+-]?\d+")


def js_truthy(value: object) -> bool:
    """`!!value`: false for undefined, null, false, 0, NaN and ""; true for {} and []."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if isinstance(value, int | float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def js_divide(numerator: float, denominator: float) -> float:
    """`a / b` with IEEE results where Python raises: x/0 is ±Infinity, 0/0 is NaN."""
    if denominator == 0:
        if numerator == 0 or math.isnan(numerator):
            return math.nan
        return math.copysign(math.inf, numerator) * math.copysign(1.0, denominator)
    return numerator / denominator


def js_number_to_string(number: float) -> str:
    """`Number.prototype.toString()` (ECMA-262 Number::toString, radix 10).

    Python's `repr` yields the same shortest round-trip digits; only the layout
    differs (JS writes 1e+21 and 1e-7 in exponent form, 100 without ".0").
    """
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(float(number)))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    k = len(digits)
    # n is the position of the decimal point relative to the first digit.
    n = exponent + len(digit_tuple)
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        body = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + body


def js_to_string(value: object) -> str:
    """`String(value)` for the primitive values and arrays upstream concatenates."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return js_number_to_string(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else js_to_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def js_to_number(value: object) -> float:
    """`Number(value)`: the implicit coercion of `Math.max`, `-`, `/` and `isNaN`."""
    if value is UNDEFINED:
        return math.nan
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip(_JS_SPACE)
        if text == "":
            return 0.0
        if _DECIMAL_LITERAL.match(text):
            return float(text.replace("Infinity", "inf"))
        radix = _RADIX_LITERAL.match(text)
        if radix:
            base = {"x": 16, "o": 8, "b": 2}[radix.group(1).lower()]
            try:
                return float(int(radix.group(2), base))
            except ValueError:
                return math.nan
        return math.nan
    if isinstance(value, list):
        return js_to_number(js_to_string(value))
    return math.nan


def js_parse_int(value: object) -> float:
    """`parseInt(value, 10)`: NaN when no leading digits, else the truncated integer.

    The argument is converted with ToString first, which is why upstream's
    `parseInt(n * d)` truncates: 10 * 0.3 = 3.0000000000000004 gives 3. A tiny product
    prints in exponent form and parses as its mantissa (5e-7 gives 5), as in JS.
    """
    text = js_to_string(value).lstrip(_JS_SPACE)
    match = _LEADING_INT.match(text)
    if match is None:
        return math.nan
    return float(int(match.group(0)))


def js_to_fixed(number: float, digits: int) -> str:
    """`Number.prototype.toFixed(digits)`: half-up rounding of the exact binary value.

    `round()` differs on exact binary ties; `Decimal(float)` is the exact value.
    """
    if math.isnan(number):
        return "NaN"
    if abs(number) >= 1e21 or math.isinf(number):
        return js_number_to_string(number)
    quantum = Decimal(1).scaleb(-digits)
    # -0 prints without a sign in JS (-0 < 0 is false); Decimal(0.0) has none either.
    fixed = Decimal(number if number != 0 else 0.0).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{fixed:f}"


def js_to_int16(value: object) -> int:
    """ToInt16 as done by `new Int16Array([...])`: truncate, wrap modulo 2^16."""
    number = js_to_number(value)
    if math.isnan(number) or math.isinf(number):
        return 0
    wrapped = int(number) % 65536  # int() truncates toward zero, as ToIntegerOrInfinity
    return wrapped - 65536 if wrapped >= 32768 else wrapped


def js_float32_bytes(value: object) -> bytes:
    """Little-endian bytes of `new Float32Array([value])`: round to nearest, overflow to ∞.

    `struct.pack('<f')` rounds the same way but raises where JS yields Infinity.
    """
    number = js_to_number(value)
    try:
        return struct.pack("<f", number)
    except OverflowError:
        return struct.pack("<f", math.copysign(math.inf, number))


def _is_array_index(key: str) -> bool:
    return key.isdigit() and str(int(key)) == key and int(key) < 2**32 - 1


def js_json_stringify(value: object) -> str | _Undefined:
    """`JSON.stringify(value)` without indentation, for JSON-shaped Python values.

    Numbers print as JS does (1.0 as `1`, NaN as `null`); object keys that are array
    indices come first in ascending order, then the others in insertion order.
    """
    if value is UNDEFINED:
        return UNDEFINED
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return "null"
        return str(value) if isinstance(value, int) else js_number_to_string(number)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        parts = [js_json_stringify(v) for v in value]
        return "[" + ",".join("null" if p is UNDEFINED else str(p) for p in parts) + "]"
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        ordered = sorted((k for k in keys if _is_array_index(k)), key=int)
        ordered += [k for k in keys if not _is_array_index(k)]
        items = {str(k): v for k, v in value.items()}
        members = []
        for key in ordered:
            encoded = js_json_stringify(items[key])
            if encoded is not UNDEFINED:
                members.append(json.dumps(key, ensure_ascii=False) + ":" + str(encoded))
        return "{" + ",".join(members) + "}"
    raise TypeError(f"JSON.stringify of {type(value).__name__} is not modelled")


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def js_json_parse(text: str) -> object:
    """`JSON.parse(text)`: like json.loads but rejecting NaN/Infinity, as JS does."""
    return json.loads(text, parse_constant=_reject_constant)


def js_is_json_string(value: object) -> bool:
    """True when `value` is a string that `JSON.parse` accepts."""
    if not isinstance(value, str):
        return False
    try:
        js_json_parse(value)
    except ValueError:
        return False
    return True
