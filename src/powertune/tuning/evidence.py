"""Per-size evidence: warm samples, payload-mix correction, outliers and noise, each per size.

Cold starts and failed invocations are set apart (they are not warm
behaviour). With weighted payloads each sample is rescaled by its payload's
work factor (estimated across all sizes on a log scale) to the weighted mix.

Outliers (a stall, a GC pause, a retried call) are found on the pooled
log-ratios to each size's (lower) median, more than 7 noise sds above (the
noise scale from the lower quartile, which outliers cannot inflate), but their
effect is estimated **per size**: a size's mean is its clean mean plus its
own outlier rate (a Beta posterior whose prior is the rate seen across all
sizes, weighted by how well the sizes' rates agree: empirical Bayes) times its own mean excess (or, without outliers of its own, the
excess the pooled outlier model predicts there). The pooled model tells
*additive* excesses (a slow downstream call: the same ms at every size) from
*multiplicative* ones (the same factor) by which one varies less across sizes.

Noise: a size's relative variance is the pooled clean relative variance, or
its own when that is larger (no prior shrinks real noise); degrees of freedom
are the real ones.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from powertune.tuning.models import Configuration, InvocationRecord

#: Floor on the relative noise: timers and scheduling jitter never vanish.
MIN_REL_VAR = 0.005**2
#: relative noise assumed while no size has two clean samples (CV 10%, 1 dof)
FALLBACK_REL_VAR = 0.10**2
#: a sample this far above its size's typical duration (log scale, in noise sds) is an outlier
_OUTLIER_SIGMAS = 7.0
#: ... and at least this far (log scale: 1.16×)
_OUTLIER_MIN_LOG = 0.15
#: weight (in samples) of the pooled outlier rate in a size's own outlier rate
OUTLIER_PRIOR_SAMPLES = 2.0
MAX_OUTLIER_PRIOR_SAMPLES = 30.0


class ExcessModel(StrEnum):
    """How an outlier's extra time depends on the size."""

    ADDITIVE = "additive"
    MULTIPLICATIVE = "multiplicative"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SizeEvidence:
    """What one configuration's records say."""

    configuration: Configuration
    warm: int
    cold: int
    #: estimated mean warm duration: clean mean + outlier rate × excess (NaN without samples)
    mean_ms: float
    clean_mean_ms: float
    clean_samples: int
    #: median of the clean samples (the size's typical duration)
    median_ms: float
    #: relative variance of one clean sample here, and its degrees of freedom
    rel_var: float
    dof: int
    outliers: int
    outlier_rate: float
    #: expected extra ms of an outlier here (own, or the pooled model's prediction)
    outlier_excess_ms: float
    #: variance of the mean's outlier part from this size's own samples (rate × excess)
    outlier_var_ms2: float
    #: sd of the outlier part shared with every size: the pooled rate's uncertainty
    #: (two sizes' outlier parts move together through it, and cancel in a difference)
    outlier_shared_sd_ms: float
    #: mean of (billed - duration) over warm samples: what 1 ms rounding adds
    billed_offset_ms: float
    durations_ms: tuple[float, ...]
    payload_counts: tuple[int, ...]
    failure: str | None

    @property
    def outlier_total_var_ms2(self) -> float:
        return self.outlier_var_ms2 + self.outlier_shared_sd_ms**2

    @property
    def clean_var_ms2(self) -> float:
        """Variance of the clean mean."""
        return self.rel_var * self.clean_mean_ms**2 / max(1, self.clean_samples)


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


@dataclass(frozen=True, slots=True)
class Evidence:
    sizes: dict[Configuration, SizeEvidence]
    #: pooled relative variance of clean samples and its degrees of freedom
    rel_var: float
    dof: int
    #: pooled sd of log(clean duration / size median): the noise tail's width
    log_sigma: float
    outliers: OutlierModel


def _lower_quartile(xs: Sequence[float]) -> float:
    """A sample at the lower quartile: a center that slow outliers in up to 3 of 4 samples
    cannot move (the minimum for up to 4 samples)."""
    s = sorted(xs)
    return s[(len(s) - 1) // 4]


def _find_outliers(adjusted: dict[Configuration, list[float]]) -> set[tuple[Configuration, int]]:
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
    if len(ratios) < 6:
        return set()
    # measured by simulation: the lower quartile of these |log-ratios| is about 0.45 σ
    sigma = float(np.percentile(ratios, 25)) / 0.45
    limit = max(_OUTLIER_MIN_LOG, _OUTLIER_SIGMAS * sigma)
    return {
        (c, i)
        for c, xs in adjusted.items()
        for i, x in enumerate(xs)
        if math.log(x / centers[c]) > limit
    }


def _outlier_model(
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
    return min(MAX_OUTLIER_PRIOR_SAMPLES, max(OUTLIER_PRIOR_SAMPLES, rate * (1 - rate) / between - 1))


def _payload_factors(warm: Sequence[InvocationRecord], weights: Sequence[float]) -> list[float]:
    """Multiplicative work factor per payload, normalised so the weighted mix is 1."""
    n_payloads = len(weights)
    if n_payloads < 2:
        return [1.0]
    logs = [(r.memory_mb, r.architecture, r.payload_index, math.log(r.duration_ms)) for r in warm]
    log_h = [0.0] * n_payloads
    for _ in range(4):  # backfitting: size effects given payload effects, then the reverse
        by_size: dict[tuple[int, object], list[float]] = defaultdict(list)
        for m, a, p, v in logs:
            by_size[(m, a)].append(v - log_h[min(p, n_payloads - 1)])
        g = {k: sum(v) / len(v) for k, v in by_size.items()}
        by_payload: dict[int, list[float]] = defaultdict(list)
        for m, a, p, v in logs:
            by_payload[min(p, n_payloads - 1)].append(v - g[(m, a)])
        log_h = [
            sum(by_payload[p]) / len(by_payload[p]) if by_payload[p] else 0.0
            for p in range(n_payloads)
        ]
    total = sum(weights)
    mix = sum(w / total * math.exp(h) for w, h in zip(weights, log_h, strict=True))
    return [math.exp(h) / mix for h in log_h]


def _is_warm(r: InvocationRecord) -> bool:
    return not r.cold_start and not r.failed and r.duration_ms > 0


def _noise(
    adjusted: dict[Configuration, list[float]], outliers: set[tuple[Configuration, int]]
) -> tuple[dict[Configuration, list[float]], float, int, float]:
    """Clean samples per size, pooled relative variance, its dof, and the log-scale sd."""
    kept = {
        c: [x for i, x in enumerate(xs) if (c, i) not in outliers] or list(xs)
        for c, xs in adjusted.items()
    }
    ss, dof, log_ss = 0.0, 0, 0.0
    for xs in kept.values():
        if len(xs) > 1:
            m = sum(xs) / len(xs)
            ss += sum((x / m - 1.0) ** 2 for x in xs)
            logs = [math.log(x) for x in xs]
            lm = sum(logs) / len(logs)
            log_ss += sum((v - lm) ** 2 for v in logs)
            dof += len(xs) - 1
    if dof == 0:
        return kept, FALLBACK_REL_VAR, 1, math.sqrt(FALLBACK_REL_VAR)
    return kept, max(MIN_REL_VAR, ss / dof), dof, math.sqrt(max(MIN_REL_VAR, log_ss / dof))


def _size(
    c: Configuration,
    recs: Sequence[InvocationRecord],
    xs: list[float],
    clean_xs: list[float],
    pooled: tuple[float, int],
    model: OutlierModel,
    n_payloads: int,
) -> SizeEvidence:
    warm = [r for r in recs if _is_warm(r)]
    errors = sorted({r.error_type for r in recs if r.error_type is not None})
    counts = [0] * n_payloads
    for r in recs:
        if 0 <= r.payload_index < n_payloads:
            counts[r.payload_index] += 1
    offset = sum(r.billed_duration_ms - r.duration_ms for r in warm) / len(warm) if warm else 0.5
    n, nc = len(xs), len(clean_xs)
    clean = sum(clean_xs) / nc if nc else math.nan
    rel_var, dof = pooled
    if nc >= 3:
        own = sum((x / clean - 1.0) ** 2 for x in clean_xs) / (nc - 1)
        if own > rel_var:
            rel_var, dof = own, nc - 1
    o = n - nc
    a = model.prior_samples
    rate = (o + a * model.rate) / (n + a) if n else 0.0
    own_excess = (sum(xs) - sum(clean_xs)) / o - clean if o else math.nan
    excess = own_excess if o else (model.excess_at(clean) if nc else 0.0)
    # Beta posterior variance of the rate, times the excess it multiplies
    own_w = n / (n + a) if n else 0.0
    own_var = own_w**2 * rate * (1 - rate) / max(n, 1)
    shared_sd = (1 - own_w) * math.sqrt(model.rate * (1 - model.rate) / max(model.samples, 1))
    return SizeEvidence(
        configuration=c,
        warm=len(warm),
        cold=sum(1 for r in recs if r.cold_start),
        mean_ms=clean + rate * excess if nc else math.nan,
        clean_mean_ms=clean,
        clean_samples=nc,
        median_ms=float(np.median(clean_xs)) if nc else math.nan,
        rel_var=rel_var,
        dof=dof,
        outliers=o,
        outlier_rate=rate,
        outlier_excess_ms=excess,
        outlier_var_ms2=own_var * excess * excess,
        outlier_shared_sd_ms=shared_sd * excess,
        billed_offset_ms=max(0.0, offset),
        durations_ms=tuple(r.duration_ms for r in warm),
        payload_counts=tuple(counts),
        failure=", ".join(errors) or None,
    )


def gather(
    records: Sequence[InvocationRecord],
    configurations: Sequence[Configuration],
    payload_weights: Sequence[float],
) -> Evidence:
    """Evidence per configuration, the pooled noise and the pooled outlier model."""
    by_config: dict[Configuration, list[InvocationRecord]] = defaultdict(list)
    for r in records:
        by_config[Configuration(r.memory_mb, r.architecture)].append(r)
    factors = _payload_factors([r for r in records if _is_warm(r)], payload_weights)
    adjusted = {
        c: [
            r.duration_ms / factors[min(r.payload_index, len(factors) - 1)]
            for r in by_config.get(c, [])
            if _is_warm(r)
        ]
        for c in configurations
    }
    outliers = _find_outliers(adjusted)
    kept, rel_var, dof, log_sigma = _noise(adjusted, outliers)
    clean = {c: sum(xs) / len(xs) for c, xs in kept.items() if xs}
    model = _outlier_model(adjusted, outliers, clean)
    sizes = {
        c: _size(
            c,
            by_config.get(c, []),
            adjusted[c],
            kept[c] if adjusted[c] else [],
            (rel_var, dof),
            model,
            len(payload_weights),
        )
        for c in configurations
    }
    return Evidence(sizes, rel_var, dof, log_sigma, model)
