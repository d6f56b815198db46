"""The difference between two sizes' objectives, and its standard deviation, counted once.

Two independent pieces of evidence about the difference of the clean
durations are pooled by precision: the two sizes' own clean means (their
samples are independent) and the duration curve fitted **without either
size** (leave-two-out, so it shares no sample with the first piece),
averaged over the parallelism caps that fit (`curve.predict_averaged`),
with the curve's measured misfit on top. A fit that contains both sizes
would be pooled with their own means as if independent: that double count
made the claimed sd up to 10× too small. Each size's outlier part is added
with its own variance; the part both share (the pooled outlier rate) enters
once, as the difference of the two sizes' shares of it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from powertune.tuning.curve import SizeMean, predict_averaged
from powertune.tuning.estimates import MIN_CURVE_MISFIT, Estimate
from powertune.tuning.models import Architecture, Configuration

#: the curve's prediction of a difference needs at least this many other sizes
_MIN_OTHER_SIZES = 3


@dataclass(frozen=True, slots=True)
class Difference:
    """Objective of one size minus the other's: value, sd and degrees of freedom."""

    value: float
    sd: float
    dof: int
    #: the first size's outlier part (slope × rate × excess) and the sd without its
    #: variance: that part is never below 0, so the difference is never below
    #: `value - outlier - t·sd_without_outlier`, whatever the normal approximation says
    outlier: float = 0.0
    sd_without_outlier: float = 0.0

    def lower_bound(self, t: float) -> float:
        """The one-sided lower confidence bound of the difference at quantile t."""
        return max(
            self.value - t * self.sd, self.value - self.outlier - t * self.sd_without_outlier
        )


@dataclass(slots=True)
class Comparator:
    """Differences between sizes, from the estimates and the clean means the curve uses."""

    estimates: Mapping[Configuration, Estimate]
    #: clean means per architecture, for architectures whose curve fits (else absent)
    points: Mapping[Architecture, Sequence[SizeMean]]
    rel_var: Mapping[Architecture, float]
    _cache: dict[tuple[Configuration, Configuration], Difference] = field(default_factory=dict)

    def difference(self, e: Estimate, b: Estimate) -> Difference:
        key = (e.configuration, b.configuration)
        if key not in self._cache:
            self._cache[key] = self._compute(e, b)
        return self._cache[key]

    def _compute(self, e: Estimate, b: Estimate) -> Difference:
        own = e.slope * e.own_clean_ms - b.slope * b.own_clean_ms
        own_var = e.slope**2 * e.own_clean_var + b.slope**2 * b.own_clean_var
        clean, clean_var = own, own_var
        pred = self._curve(e, b)
        if pred is not None and own_var > 0 and pred[1] > 0:
            precision = 1 / own_var + 1 / pred[1]
            clean, clean_var = (own / own_var + pred[0] / pred[1]) / precision, 1 / precision
        value = clean + e.slope * e.outlier_ms - b.slope * b.outlier_ms + (e.offset - b.offset)
        shared = (e.slope * e.outlier_shared_sd - b.slope * b.outlier_shared_sd) ** 2
        rest = clean_var + b.slope**2 * (b.outlier_var + b.outlier_shared_sd**2)
        var = clean_var + b.slope**2 * b.outlier_var + e.slope**2 * e.outlier_var + shared
        return Difference(
            value,
            math.sqrt(max(var, 0.0)),
            max(1, min(e.dof, b.dof)),
            e.slope * e.outlier_ms,
            math.sqrt(max(rest, 0.0)),
        )

    def _curve(self, e: Estimate, b: Estimate) -> tuple[float, float] | None:
        arch = e.configuration.architecture
        if arch is not b.configuration.architecture or arch not in self.points:
            return None
        pair = {e.configuration.memory_mb, b.configuration.memory_mb}
        rest = [p for p in self.points[arch] if p.memory_mb not in pair]
        if len(rest) < _MIN_OTHER_SIZES:
            return None
        targets = [e.configuration.memory_mb, b.configuration.memory_mb]
        result = predict_averaged(rest, targets, self.rel_var[arch])
        if result is None:
            return None
        mean, cov = result
        g = [e.slope, -b.slope]
        var = sum(g[i] * g[j] * float(cov[i, j]) for i in range(2) for j in range(2))
        misfit = max(e.misfit_rel_var, MIN_CURVE_MISFIT**2)
        var += misfit * ((e.slope * mean[0]) ** 2 + (b.slope * mean[1]) ** 2)
        return e.slope * float(mean[0]) - b.slope * float(mean[1]), var
