"""How numbers read in every report: milliseconds, money per million invocations, sizes.

One place, so the HTML, the PNG, the Markdown and the index write a value the same way.
"""

from __future__ import annotations

from datetime import datetime

#: costs are shown per million invocations: $4.21 reads at a glance, $4.211e-06 does not
PER_MILLION = 1_000_000
DASH = "—"


def ms(value: float | None, digits: int = 1) -> str:
    """`1,925.0` (no unit; headers and axes carry it)."""
    return DASH if value is None else f"{value:,.{digits}f}"


def money(value: float | None, currency: str = "USD") -> str:
    """A currency amount with enough digits for small sums: `$4.21`, `$0.000943`."""
    if value is None:
        return DASH
    sign = "$" if currency == "USD" else f"{currency} "
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{sign}{value:,.0f}"
    if magnitude >= 1 or magnitude == 0:
        return f"{sign}{value:,.2f}"
    # three significant digits below one unit
    return f"{sign}{value:.3g}" if magnitude >= 1e-4 else f"{sign}{value:.3e}"


def band(low: float | None, high: float | None, fmt: str = "ms", currency: str = "USD") -> str:
    """`711.2–856.7`, or a dash when either end is unknown."""
    if low is None or high is None:
        return DASH
    if fmt == "money":
        return f"{money(low, currency)}–{money(high, currency)}"
    return f"{ms(low)}–{ms(high)}"


def when(value: datetime | None) -> str:
    """`2026-12-01 19:17:04 UTC`."""
    return DASH if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


def size(memory_mb: int, architecture: str, *, with_arch: bool = True) -> str:
    """`512 MB` or `512 MB arm64`."""
    return f"{memory_mb} MB {architecture}" if with_arch else f"{memory_mb} MB"
