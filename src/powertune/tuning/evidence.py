"""Per-size evidence for the adaptive policy: warm samples, payload-mix correction, pooled noise.

Cold starts and failed invocations are set apart (they are not warm
behaviour). With weighted payloads a size's few samples rarely hold the
payloads in their exact proportions, so each sample is rescaled by its
payload's work factor (estimated across all sizes on a log scale, assuming
a payload's work scales durations by the same factor at every size) to the
weighted mix; the mean of the rescaled samples estimates the mix's mean.
Noise is pooled across sizes as a relative variance (durations vary
multiplicatively), so two samples per size already give a usable error bar.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from powertune.tuning.models import Configuration, InvocationRecord

#: Floor on the relative noise: timers and scheduling jitter never vanish.
MIN_REL_VAR = 0.005**2
#: prior on the relative noise (CV 5%) and how many samples it is worth
PRIOR_REL_VAR = 0.05**2
PRIOR_DOF = 2


@dataclass(frozen=True, slots=True)
class SizeEvidence:
    """What one configuration's records say."""

    configuration: Configuration
    warm: int
    cold: int
    #: payload-mix-corrected mean of warm durations (NaN without warm samples)
    mean_ms: float
    #: mean of (billed - duration) over warm samples: what 1 ms rounding adds
    billed_offset_ms: float
    #: mean without the outliers (NaN without warm samples)
    typical_ms: float
    durations_ms: tuple[float, ...]
    payload_counts: tuple[int, ...]
    failure: str | None


@dataclass(frozen=True, slots=True)
class Evidence:
    sizes: dict[Configuration, SizeEvidence]
    rel_var: float
    dof: int
    #: largest warm duration relative to its size's typical one (outliers), pooled
    max_ratio: float = 1.0


#: a sample this far above its size's typical duration (log scale, in IQRs) is an outlier
_OUTLIER_IQRS = 3.0


def _clean_means(
    adjusted: dict[Configuration, list[float]],
) -> tuple[dict[Configuration, float], set[tuple[Configuration, int]], float]:
    """Per-size means without outliers, the outliers, and the pooled outlier inflation.

    Outliers (a slow host, a GC pause, a retried call) hit every size alike, so
    they are detected on the pooled log-ratios to each size's median and their
    effect on the mean is estimated once for all sizes: ranking sizes on their
    clean means times that common factor is as right as ranking on raw means,
    and far less noisy.
    """
    medians = {c: float(np.median(xs)) for c, xs in adjusted.items() if xs}
    logs = [math.log(x / medians[c]) for c, xs in adjusted.items() for x in xs]
    if len(logs) < 8:
        return {c: sum(xs) / len(xs) for c, xs in adjusted.items() if xs}, set(), 1.0
    q1, q3 = np.percentile(logs, [25, 75])
    limit = q3 + _OUTLIER_IQRS * max(q3 - q1, 0.02)
    outliers = {
        (c, i)
        for c, xs in adjusted.items()
        for i, x in enumerate(xs)
        if math.log(x / medians[c]) > limit
    }
    clean: dict[Configuration, float] = {}
    for c, xs in adjusted.items():
        kept = [x for i, x in enumerate(xs) if (c, i) not in outliers] or xs
        if xs:
            clean[c] = sum(kept) / len(kept)
    ratios = [x / clean[c] for c, xs in adjusted.items() for x in xs]
    return clean, outliers, float(np.mean(ratios)) if ratios else 1.0


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
            by_size[(m, a)].append(v - log_h[p])
        g = {k: sum(v) / len(v) for k, v in by_size.items()}
        by_payload: dict[int, list[float]] = defaultdict(list)
        for m, a, p, v in logs:
            by_payload[p].append(v - g[(m, a)])
        log_h = [
            sum(by_payload[p]) / len(by_payload[p]) if by_payload[p] else 0.0
            for p in range(n_payloads)
        ]
    total = sum(weights)
    mix = sum(w / total * math.exp(h) for w, h in zip(weights, log_h, strict=True))
    return [math.exp(h) / mix for h in log_h]


def gather(
    records: Sequence[InvocationRecord],
    configurations: Sequence[Configuration],
    payload_weights: Sequence[float],
) -> Evidence:
    """Evidence per configuration plus the pooled relative noise variance."""
    by_config: dict[Configuration, list[InvocationRecord]] = defaultdict(list)
    for r in records:
        by_config[Configuration(r.memory_mb, r.architecture)].append(r)
    warm_all = [r for r in records if not r.cold_start and not r.failed and r.duration_ms > 0]
    factors = _payload_factors(warm_all, payload_weights)
    sizes: dict[Configuration, SizeEvidence] = {}
    ss, dof = 0.0, 0
    warm_of: dict[Configuration, list[InvocationRecord]] = {}
    adjusted_of: dict[Configuration, list[float]] = {}
    for c in configurations:
        warm = [
            r
            for r in by_config.get(c, [])
            if not r.cold_start and not r.failed and r.duration_ms > 0
        ]
        warm_of[c] = warm
        adjusted_of[c] = [
            r.duration_ms / factors[min(r.payload_index, len(factors) - 1)] for r in warm
        ]
    clean, outliers, inflation = _clean_means(adjusted_of)
    max_ratio = 1.0
    for c in configurations:
        recs = by_config.get(c, [])
        warm = warm_of[c]
        errors = sorted({r.error_type for r in recs if r.error_type is not None})
        counts = [0] * len(payload_weights)
        for r in recs:
            if 0 <= r.payload_index < len(counts):
                counts[r.payload_index] += 1
        adjusted = adjusted_of[c]
        mean = clean[c] * inflation if adjusted else math.nan
        kept = [x for i, x in enumerate(adjusted) if (c, i) not in outliers]
        if adjusted:
            max_ratio = max(max_ratio, max(adjusted) / clean[c])
        if len(kept) > 1:
            ss += sum((x / clean[c] - 1.0) ** 2 for x in kept)
            dof += len(kept) - 1
        offset = (
            sum(r.billed_duration_ms - r.duration_ms for r in warm) / len(warm) if warm else 0.5
        )
        sizes[c] = SizeEvidence(
            configuration=c,
            warm=len(warm),
            cold=sum(1 for r in recs if r.cold_start),
            mean_ms=mean,
            billed_offset_ms=max(0.0, offset),
            typical_ms=clean.get(c, math.nan),
            durations_ms=tuple(r.duration_ms for r in warm),
            payload_counts=tuple(counts),
            failure=", ".join(e for e in errors) or None,
        )
    # a weak prior (CV 5%, worth PRIOR_DOF samples) keeps a variance pooled from very
    # few samples from claiming near-zero noise; it fades as real samples accumulate
    rel_var = max(MIN_REL_VAR, (ss + PRIOR_DOF * PRIOR_REL_VAR) / (dof + PRIOR_DOF))
    dof += PRIOR_DOF
    if outliers:  # the outlier share adds its own uncertainty to every mean
        rel_var += (inflation - 1.0) ** 2
    return Evidence(sizes, rel_var, dof, max_ratio)
