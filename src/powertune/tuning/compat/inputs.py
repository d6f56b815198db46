"""Our validation of upstream's tuning inputs: reject what upstream clamps or crashes on.

Upstream clamps `balancedWeight` to [0, 1] and `discardTopBottom` to [0, 0.4] with
`Math.min(Math.max(x, lo), hi)`, so `7` silently means 1 and `null` means 0, and
an unknown strategy surfaces as a raw TypeError. Compatibility mode reproduces
upstream's numbers, not its input handling: a bad value is a ConfigError that names
the value and the fix. Numeric strings ("0.3") are accepted, as upstream coerces
them to the same number.
"""

from __future__ import annotations

import math
from typing import Final

from powertune.errors import ConfigError
from powertune.tuning.compat.jsvalues import UNDEFINED, js_to_number, js_truthy

STRATEGIES: Final = ("cost", "speed", "balanced")
DEFAULT_BALANCED_WEIGHT: Final = 0.5
DEFAULT_DISCARD_TOP_BOTTOM: Final = 0.2
MAX_DISCARD_TOP_BOTTOM: Final = 0.4


def parse_strategy(value: object) -> str:
    """`event.strategy || 'cost'`, but an unknown name is a ConfigError (upstream: TypeError)."""
    if not js_truthy(value):
        return "cost"
    if not isinstance(value, str) or value not in STRATEGIES:
        raise ConfigError(
            f"unknown strategy {value!r}: use one of {', '.join(STRATEGIES)} "
            "(names are case-sensitive, as in AWS Lambda Power Tuning)"
        )
    return value


def _parse_bounded(name: str, value: object, low: float, high: float, default: float) -> float:
    if value is UNDEFINED:
        return default
    number = js_to_number(value) if isinstance(value, int | float | str) else math.nan
    if isinstance(value, bool) or math.isnan(number):
        raise ConfigError(f"{name} {value!r} is not a number: pass a number in [{low}, {high}]")
    if not low <= number <= high:
        clamped = min(max(number, low), high)
        raise ConfigError(
            f"{name} {value!r} is outside [{low}, {high}]: AWS Lambda Power Tuning would "
            f"silently use {clamped}; pass a value in [{low}, {high}] instead"
        )
    return number


def parse_balanced_weight(value: object) -> float:
    """`balancedWeight` (default 0.5) in [0, 1]: 0 means speed, 1 means cost."""
    return _parse_bounded("balancedWeight", value, 0.0, 1.0, DEFAULT_BALANCED_WEIGHT)


def parse_discard_top_bottom(value: object) -> float:
    """`discardTopBottom` (default 0.2) in [0, 0.4]: the fraction trimmed at each end."""
    return _parse_bounded(
        "discardTopBottom", value, 0.0, MAX_DISCARD_TOP_BOTTOM, DEFAULT_DISCARD_TOP_BOTTOM
    )
