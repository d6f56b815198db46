"""Outliers across sizes: which samples are outliers, their rate, and how their excess scales.

Detection is pooled (a noise scale that outliers cannot inflate), the
effect per size (`evidence.py`). A size's outlier rate is a Beta posterior
whose prior is the rate seen across all sizes, weighted by how well the
sizes' rates agree (empirical Bayes, beta-binomial method of moments): a
common cause (a slow downstream call) pools strongly, outliers at one size
only do not. The excess is *additive* (the same ms at every size) or
*multiplicative* (the same factor), whichever varies clearly less across
sizes; `unknown` until the data can tell.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats as scipy_stats

from powertune.tuning.curve import SizeMean, fit_curve
from powertune.tuning.models import Configuration

#: a sample this far above its size's typical duration (log scale, in noise sds) is an outlier
_OUTLIER_SIGMAS = 7.0
#: ... and at least this far (log scale: 1.16×)
_OUTLIER_MIN_LOG = 0.15
#: sizes (of one architecture) the duration curve needs before its misfit measures the noise
_CURVE_MIN_SIZES = 4
#: outliers found only with the curve's noise scale must be at this many sizes ...
_COMMON_CAUSE_SIZES = 3
#: ... and add the same ms, or the same factor, within this log-scale sd (about ±15%)
_COMMON_CAUSE_LOG_SD = 0.15
#: the curve's noise scale is taken at this upper confidence bound (few degrees of freedom)
_CURVE_NOISE_UPPER = 0.8
#: weight (in samples) of the pooled outlier rate in a size's own outlier rate
OUTLIER_PRIOR_SAMPLES = 2.0
MAX_OUTLIER_PRIOR_SAMPLES = 60.0


class ExcessModel(StrEnum):
    """How an outlier's extra time depends on the size."""

    ADDITIVE = "additive"
    MULTIPLICATIVE = "multiplicative"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class OutlierModel:
    """Outliers across all sizes: rate, and excess as ms (additive) or factor."""

    rate: float
    model: ExcessModel
    excess_ms: float
    excess_factor: float
    #: the largest excess seen, as ms and as a factor of its size's clean mean
    max_excess_ms: float
    max_excess_factor: float
    #: weight (in samples) of the pooled rate in each size's own rate: large when the sizes'
    #: rates agree (a common cause), small when they differ (outliers at one size)
    prior_samples: float = OUTLIER_PRIOR_SAMPLES
    #: warm samples the pooled rate rests on
    samples: int = 0

    def excess_at(self, clean_ms: float, model: ExcessModel | None = None) -> float:
        """Expected extra ms of an outlier at a size whose clean mean is `clean_ms`."""
        kind = model or self.model
        if kind is ExcessModel.ADDITIVE:
            return self.excess_ms
        if kind is ExcessModel.MULTIPLICATIVE:
            return (self.excess_factor - 1.0) * clean_ms
        return min(self.excess_ms, (self.excess_factor - 1.0) * clean_ms)


def _lower_quartile(xs: Sequence[float]) -> float:
    """A sample at the lower quartile: a center that slow outliers in up to 3 of 4 samples
    cannot move (the minimum for up to 4 samples)."""
    s = sorted(xs)
    return s[(len(s) - 1) // 4]


def find_outliers(adjusted: dict[Configuration, list[float]]) -> set[tuple[Configuration, int]]:
    """Samples far above their size's (lower) median, against a noise scale that outliers
    cannot inflate: the lower quartile of the |log-ratios| (a quarter of the samples being
    normal is enough), not their IQR, which a stall in one call of seven already blows up.
    """
    centers = {c: _lower_quartile(xs) for c, xs in adjusted.items() if xs}
    ratios: list[float] = []
    for c, xs in adjusted.items():
        skipped = False
        for x in xs:
            if x == centers[c] and not skipped:
                skipped = True  # the center itself says nothing about the spread
                continue
            ratios.append(abs(math.log(x / centers[c])))
    if len(ratios) < 3:
        return set()
    # measured by simulation: the lower quartile of these |log-ratios| is about 0.45 σ
    sigma = float(np.percentile(ratios, 25, method="lower")) / 0.45
    found = _above(adjusted, centers, sigma)
    curve_sigma = _curve_noise(centers)
    if curve_sigma is not None and curve_sigma < sigma:
        # A stall in the same call of every size (a counter in the handler, or few samples
        # per size) leaves no clean pair to measure the noise on: every non-center sample
        # is an outlier, and their spread looks like noise. How well one smooth curve
        # explains the sizes' centers then measures the noise; the samples it adds count
        # only if they share a cause (the same extra ms, or the same factor, at 3+ sizes),
        # so a heavy tail's scattered slow calls are not set apart as outliers.
        extra = _above(adjusted, centers, curve_sigma) - found
        if _common_cause(adjusted, centers, extra):
            found |= extra
    return found


def _above(
    adjusted: dict[Configuration, list[float]], centers: dict[Configuration, float], sigma: float
) -> set[tuple[Configuration, int]]:
    limit = max(_OUTLIER_MIN_LOG, _OUTLIER_SIGMAS * sigma)
    return {
        (c, i)
        for c, xs in adjusted.items()
        for i, x in enumerate(xs)
        if math.log(x / centers[c]) > limit
    }


def _common_cause(
    adjusted: dict[Configuration, list[float]],
    centers: dict[Configuration, float],
    candidates: set[tuple[Configuration, int]],
) -> bool:
    """Whether these slow samples, at 3 or more sizes, add the same ms or the same factor."""
    if len({c for c, _ in candidates}) < _COMMON_CAUSE_SIZES:
        return False
    excess = [math.log(adjusted[c][i] - centers[c]) for c, i in candidates]
    factor = [math.log(adjusted[c][i] / centers[c]) for c, i in candidates]
    return min(float(np.std(excess)), float(np.std(factor))) < _COMMON_CAUSE_LOG_SD


def _curve_noise(centers: dict[Configuration, float]) -> float | None:
    """Log-scale noise implied by the duration curve's misfit to the sizes' centers.

    An upper confidence bound (80%) of the residual sd (chi-square on n - 2 degrees
    of freedom: the curve's two coefficients), so that a curve that fits a few points
    by luck does not claim small noise; a misfit (steps, plateaus) only makes it larger,
    so a curve that does not describe the sizes detects fewer outliers, never more.
    None with too few sizes, more than one architecture, or no fit.
    """
    archs = {c.architecture for c in centers}
    if len(archs) != 1 or len(centers) < _CURVE_MIN_SIZES:
        return None
    points = [SizeMean(c.memory_mb, x, 1) for c, x in centers.items()]
    fit = fit_curve(points, rel_var=0.01)
    if fit is None:
        return None
    residuals = []
    for p in points:
        predicted = fit.predict_ms(p.memory_mb)
        if predicted <= 0:
            return None
        residuals.append(math.log(p.mean_ms / predicted))
    dof = len(points) - 2
    ss = sum(r * r for r in residuals)
    low = float(scipy_stats.chi2.ppf(1 - _CURVE_NOISE_UPPER, dof))
    return math.sqrt(ss / low) if low > 0 else None


def outlier_model(
    adjusted: dict[Configuration, list[float]],
    outliers: set[tuple[Configuration, int]],
    clean: dict[Configuration, float],
) -> OutlierModel:
    total = sum(len(xs) for xs in adjusted.values())
    found = [(c, adjusted[c][i]) for c, i in outliers]
    if not found or total == 0:
        return OutlierModel(0.0, ExcessModel.UNKNOWN, 0.0, 1.0, 0.0, 1.0)
    excess = [max(x - clean[c], 1e-6) for c, x in found]
    factor = [x / clean[c] for c, x in found]
    model = ExcessModel.UNKNOWN
    if len({c for c, _ in found}) >= 2:
        # the same ms everywhere (additive) varies less in log(excess) than in log(factor-1);
        # decided only when one varies clearly (4×) less than the other
        add = float(np.var(np.log(excess)))
        mul = float(np.var(np.log([max(f - 1.0, 1e-6) for f in factor])))
        if add * 4 < mul:
            model = ExcessModel.ADDITIVE
        elif mul * 4 < add:
            model = ExcessModel.MULTIPLICATIVE
    rate = len(found) / total
    return OutlierModel(
        rate=rate,
        model=model,
        excess_ms=float(np.mean(excess)),
        excess_factor=float(np.mean(factor)),
        max_excess_ms=max(excess),
        max_excess_factor=max(factor),
        prior_samples=_prior_samples(adjusted, outliers, rate),
        samples=total,
    )


def _prior_samples(
    adjusted: dict[Configuration, list[float]],
    outliers: set[tuple[Configuration, int]],
    rate: float,
) -> float:
    """Empirical Bayes (beta-binomial, method of moments): how much the sizes' outlier
    rates vary beyond what their sample counts explain decides how far each is pooled."""
    counts = Counter(c for c, _ in outliers)
    sizes = [(counts[c], len(xs)) for c, xs in adjusted.items() if xs]
    if len(sizes) < 2 or rate <= 0 or rate >= 1:
        return OUTLIER_PRIOR_SAMPLES
    total = sum(n for _, n in sizes)
    spread = sum(n * (o / n - rate) ** 2 for o, n in sizes) / total
    binomial = rate * (1 - rate) * len(sizes) / total
    between = spread - binomial
    if between <= 0:
        return MAX_OUTLIER_PRIOR_SAMPLES
    return min(
        MAX_OUTLIER_PRIOR_SAMPLES, max(OUTLIER_PRIOR_SAMPLES, rate * (1 - rate) / between - 1)
    )
