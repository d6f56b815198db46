"""Per-size evidence: warm samples, payload-mix correction, outliers and noise, each per size.

Cold starts and failed invocations are set apart (they are not warm
behaviour). With weighted payloads each sample is rescaled by its payload's
work factor (estimated across all sizes on a log scale) to the weighted mix.

Outliers (a stall, a GC pause, a retried call) are found on the pooled
log-ratios to each size's (lower) median, more than 7 noise sds above (the
noise scale from the lower quartile, which outliers cannot inflate), but their
effect is estimated **per size**: a size's mean is its clean mean plus its
own outlier rate times its own mean excess (or, without outliers of its own,
the excess the pooled outlier model predicts there; `outliers.py`). The pooled model tells
*additive* excesses (a slow downstream call: the same ms at every size) from
*multiplicative* ones (the same factor) by which one varies less across sizes.

Noise: a size's relative variance is the pooled clean relative variance, or
its own when that is larger (no prior shrinks real noise); degrees of freedom
are the real ones.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from powertune.tuning.models import Configuration, InvocationRecord
from powertune.tuning.outliers import ExcessModel, OutlierModel, find_outliers, outlier_model

__all__ = ["Evidence", "ExcessModel", "OutlierModel", "SizeEvidence", "gather"]

#: Floor on the relative noise: timers and scheduling jitter never vanish.
MIN_REL_VAR = 0.005**2
#: relative noise assumed while no size has two clean samples (CV 10%, 1 dof)
FALLBACK_REL_VAR = 0.10**2


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
    #: mean of log(clean duration): the location of the size's log-normal noise
    clean_log_mean: float = math.nan

    @property
    def outlier_total_var_ms2(self) -> float:
        return self.outlier_var_ms2 + self.outlier_shared_sd_ms**2

    @property
    def clean_var_ms2(self) -> float:
        """Variance of the clean mean."""
        return self.rel_var * self.clean_mean_ms**2 / max(1, self.clean_samples)


@dataclass(frozen=True, slots=True)
class Evidence:
    sizes: dict[Configuration, SizeEvidence]
    #: pooled relative variance of clean samples and its degrees of freedom
    rel_var: float
    dof: int
    #: pooled sd of log(clean duration / size median): the noise tail's width
    log_sigma: float
    outliers: OutlierModel
    #: the heaviest payload's work relative to the weighted mix (1 with one payload)
    max_payload_factor: float = 1.0


def _payload_factors(warm: Sequence[InvocationRecord], weights: Sequence[float]) -> list[float]:
    """Multiplicative work factor per payload, normalised so the weighted mix is 1."""
    n_payloads = len(weights)
    if n_payloads < 2:
        return [1.0]
    logs = [(r.memory_mb, r.architecture, r.payload_index, math.log(_ms(r))) for r in warm]
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


#: a 0 ms duration (below the timer's resolution) counts as this much, so logs stay finite
_MIN_DURATION_MS = 0.01


def _is_warm(r: InvocationRecord) -> bool:
    return not r.cold_start and not r.failed


def _ms(r: InvocationRecord) -> float:
    return max(r.duration_ms, _MIN_DURATION_MS)


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
        clean_log_mean=sum(math.log(x) for x in clean_xs) / nc if nc else math.nan,
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
            _ms(r) / factors[min(r.payload_index, len(factors) - 1)]
            for r in by_config.get(c, [])
            if _is_warm(r)
        ]
        for c in configurations
    }
    outliers = find_outliers(adjusted)
    kept, rel_var, dof, log_sigma = _noise(adjusted, outliers)
    clean = {c: sum(xs) / len(xs) for c, xs in kept.items() if xs}
    model = outlier_model(adjusted, outliers, clean)
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
    return Evidence(sizes, rel_var, dof, log_sigma, model, max(factors))
