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

from powertune.tuning.models import Configuration, InvocationRecord

#: Floor on the relative noise: timers and scheduling jitter never vanish.
MIN_REL_VAR = 0.005**2


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
    durations_ms: tuple[float, ...]
    payload_counts: tuple[int, ...]
    failure: str | None


@dataclass(frozen=True, slots=True)
class Evidence:
    sizes: dict[Configuration, SizeEvidence]
    rel_var: float
    dof: int


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
    for c in configurations:
        recs = by_config.get(c, [])
        warm = [r for r in recs if not r.cold_start and not r.failed and r.duration_ms > 0]
        errors = sorted({r.error_type for r in recs if r.error_type is not None})
        counts = [0] * len(payload_weights)
        for r in recs:
            if 0 <= r.payload_index < len(counts):
                counts[r.payload_index] += 1
        adjusted = [r.duration_ms / factors[min(r.payload_index, len(factors) - 1)] for r in warm]
        mean = sum(adjusted) / len(adjusted) if adjusted else math.nan
        if len(adjusted) > 1:
            ss += sum((x / mean - 1.0) ** 2 for x in adjusted)
            dof += len(adjusted) - 1
        offset = (
            sum(r.billed_duration_ms - r.duration_ms for r in warm) / len(warm) if warm else 0.5
        )
        sizes[c] = SizeEvidence(
            configuration=c,
            warm=len(warm),
            cold=sum(1 for r in recs if r.cold_start),
            mean_ms=mean,
            billed_offset_ms=max(0.0, offset),
            durations_ms=tuple(r.duration_ms for r in warm),
            payload_counts=tuple(counts),
            failure=", ".join(e for e in errors) or None,
        )
    rel_var = max(MIN_REL_VAR, ss / dof) if dof else 0.1**2
    return Evidence(sizes, rel_var, dof)
