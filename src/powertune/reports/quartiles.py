"""Quartiles and Tukey's whiskers of a sample, for the box plots of raw durations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BoxStats:
    """Quartiles of a sample and Tukey's whiskers (the furthest sample within 1.5 IQR)."""

    q1: float
    median: float
    q3: float
    whisker_low: float
    whisker_high: float


def quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, linearly interpolated (numpy's default)."""
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def box_stats(values: Iterable[float]) -> BoxStats | None:
    ordered = sorted(values)
    if not ordered:
        return None
    q1, median, q3 = (quantile(ordered, q) for q in (0.25, 0.5, 0.75))
    reach = 1.5 * (q3 - q1)
    return BoxStats(
        q1,
        median,
        q3,
        next(v for v in ordered if v >= q1 - reach),
        next(v for v in reversed(ordered) if v <= q3 + reach),
    )
