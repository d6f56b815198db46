"""Upstream's payload, alias and ARN helpers (utils.js), with its exact errors.

`generate_payloads` lays weighted payloads out in contiguous blocks in input order
(A…A B…B C…C), as upstream does; our own engine interleaves them instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

from powertune.tuning.compat.errors import UpstreamError
from powertune.tuning.compat.jsvalues import (
    UNDEFINED,
    js_is_json_string,
    js_json_stringify,
    js_to_number,
    js_to_string,
    js_truthy,
)

#: `allPowerValues`: 128..3008 in steps of 64 ("ALL"; it does not reach 10,240).
ALL_POWER_VALUES: Final = tuple(range(128, 3009, 64))


def all_power_values() -> list[int]:
    """`allPowerValues()`: the 46 sizes upstream tries for `powerValues: "ALL"`."""
    return list(ALL_POWER_VALUES)


def build_alias_string(base_alias: str, only_cold_starts: object, index: object) -> str:
    """`buildAliasString`: `RAM<v>`, or `RAM<v>-<i>` with onlyColdStarts."""
    return f"{base_alias}-{js_to_string(index)}" if js_truthy(only_cold_starts) else base_alias


def region_from_arn(arn: object) -> str:
    """`regionFromARN`: needs exactly 7 `:`-separated parts (qualified ARNs fail, #166)."""
    if not isinstance(arn, str) or len(arn.split(":")) != 7:
        raise UpstreamError("Invalid ARN: " + js_to_string(arn))
    return arn.split(":")[3]


def range_values(n: object) -> list[int]:
    """`range(n)`: [0, 1, …, n-1]; `RangeError: Invalid array length` otherwise."""
    length = -1.0 if n is None or n is UNDEFINED else js_to_number(n)
    if (
        math.isnan(length)
        or math.isinf(length)
        or length != int(length)
        or not (0 <= length < 2**32)
    ):
        raise UpstreamError("Invalid array length", js_type="RangeError")
    return list(range(int(length)))


def convert_payload(payload: object) -> object:
    """`convertPayload`: a JSON string is sent verbatim, anything else JSON-stringified.

    `'abc'` becomes `'"abc"'`, `'{"a":1}'` stays as is; undefined stays undefined.
    """
    if payload is UNDEFINED or js_is_json_string(payload):
        return payload
    return js_json_stringify(payload)


def is_weighted_payload(payload: object) -> bool:
    """`isWeightedPayload`: a non-empty array whose every item has truthy weight and payload."""
    if not isinstance(payload, list) or not payload:
        return False
    return all(
        isinstance(item, Mapping)
        and js_truthy(item.get("weight", UNDEFINED))
        and js_truthy(item.get("payload", UNDEFINED))
        for item in payload
    )


def generate_payloads(num: int, payload_input: object) -> list[object]:
    """`generatePayloads`: `num` converted payloads, weighted ones in contiguous blocks.

    Each weighted payload gets floor(w·num/Σw) invocations, the last one the rest.
    """
    if not is_weighted_payload(payload_input):
        converted = convert_payload(payload_input)
        return [converted for _ in range_values(num)]
    assert isinstance(payload_input, list)
    if num < len(payload_input):
        raise UpstreamError(
            f'You have {len(payload_input)} payloads and only "num"={js_to_string(num)}. '
            'Please increase "num".'
        )
    weights = [js_to_number(item["weight"]) for item in payload_input]
    total = 0.0
    for weight in weights:
        total += weight
    payloads: list[object] = list(range_values(num))
    done = 0
    for index, item in enumerate(payload_input):
        how_many = math.floor(weights[index] * num / total)
        if how_many < 1:
            raise UpstreamError("Invalid payload weight (num is too small)")
        if index == len(payload_input) - 1:
            how_many = num - done
        converted = convert_payload(item["payload"])
        payloads[done : done + how_many] = [converted] * how_many
        done += how_many
    return payloads
