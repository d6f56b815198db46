"""Where the adaptive policy's next invocations go, and with which payloads.

`allocate` spends a batch one invocation at a time on the configuration whose
next sample cuts the variance of the open comparisons most per dollar (sizes
still short of the samples a percentile needs come first). `with_payload_mix`
turns per-configuration counts into requests that keep each configuration's
payload mix at the weights (a payload not yet seen at that size first, then the
largest deficit), shuffled so that sizes and
payloads interleave.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Mapping, Sequence

from powertune.errors import ConfigError
from powertune.tuning.estimates import Estimate
from powertune.tuning.models import Configuration, InvocationRecord
from powertune.tuning.pricing import PriceRate, cold_invocation_cost_usd, invocation_cost_usd
from powertune.tuning.sampling import InvocationRequest

#: warm samples a leader only possibly at risk of timing out gets first: enough to
#: narrow the upper bound of its 0.1% quantile (the tolerance factor falls from about
#: 4.7 σ at 3 samples to 4 σ at 12) before it is given up
RISK_SAMPLES = 12


def risk_priority(
    best: Configuration | None,
    open_sizes: Collection[Configuration],
    unsure: Collection[Configuration],
    estimates: Mapping[Configuration, Estimate],
) -> dict[Configuration, int]:
    """The samples the would-be winner needs when only its timeout risk keeps it out.

    A size whose risk is uncertain is sampled rather than recommended (or given
    up): the open size with the best objective, when it is one of those.
    """
    pool = [c for c in open_sizes if c in unsure and c in estimates]
    if best is not None and best in estimates:
        pool.append(best)
    if not pool:
        return {}
    lead = min(pool, key=lambda c: (estimates[c].objective, c.memory_mb))
    return {lead: RISK_SAMPLES} if lead in unsure else {}


def allocate(
    sampling_weights: Mapping[Configuration, float],
    estimates: Mapping[Configuration, Estimate],
    *,
    size: int,
    usd_left: float,
    min_samples: int,
    priority: Mapping[Configuration, int] | None = None,
) -> dict[Configuration, int]:
    """Greedy allocation of up to `size` invocations within `usd_left` dollars.

    `priority`: sizes that need this many samples first (fewest samples first).
    """
    extra: dict[Configuration, int] = {}
    first = dict(priority or {})
    for _ in range(size):
        best_c, best_gain = None, 0.0
        for c, weight in {**dict.fromkeys(first, 0.0), **sampling_weights}.items():
            e = estimates[c]
            n = e.samples + extra.get(c, 0)
            # the variance of the mean falls from sd² to sd²·n/(n+1): the gain of one more
            gain = weight * (e.objective_sd**2) * (e.samples / max(n, 1)) / (n + 1)
            if n < min_samples:
                gain = math.inf
            elif n < first.get(c, 0):
                gain = 1e300 / (n + 1)
            gain /= max(e.cost_usd, 1e-12)
            if best_c is None or gain > best_gain:
                best_c, best_gain = c, gain
        if best_c is None or estimates[best_c].cost_usd > usd_left:
            break
        usd_left -= estimates[best_c].cost_usd
        extra[best_c] = extra.get(best_c, 0) + 1
    return extra


def with_payload_mix(
    counts: Mapping[Configuration, int],
    records: Sequence[InvocationRecord],
    payload_weights: Sequence[float],
    rng: random.Random,
) -> list[InvocationRequest]:
    """Requests for `counts`, each configuration's payloads kept at the weights, shuffled."""
    total_w = sum(payload_weights)
    seen: dict[Configuration, list[int]] = {c: [0] * len(payload_weights) for c in counts}
    for r in records:
        c = Configuration(r.memory_mb, r.architecture)
        if c in seen and 0 <= r.payload_index < len(payload_weights):
            seen[c][r.payload_index] += 1
    batch: list[InvocationRequest] = []
    for c, k in counts.items():
        have = seen[c]
        for _ in range(k):
            n = sum(have) + 1
            # a payload not yet seen at this size first (a rare heavy payload may be the
            # one that times out), then the largest deficit against the weights
            p = max(
                range(len(payload_weights)),
                key=lambda i: (have[i] == 0, payload_weights[i] / total_w * n - have[i]),
            )
            have[p] += 1
            batch.append(InvocationRequest(c, p))
    rng.shuffle(batch)
    return batch


def check_settings(
    tolerance: float, confidence: float, initial: int, budget: int | None, usd: float | None
) -> None:
    """The adaptive policy's settings, each bad value named with its fix."""
    if not 0 <= tolerance < 1:
        raise ConfigError(f"tolerance must be in [0, 1) (0.01 = 1%), got {tolerance}")
    if not 0.5 <= confidence < 1:
        raise ConfigError(f"confidence must be in [0.5, 1), got {confidence}")
    if initial < 2:
        raise ConfigError(f"initial must be at least 2 (one is a cold start), got {initial}")
    if budget is not None and budget < 1:
        raise ConfigError(f"--budget must be at least 1 invocation, got {budget}")
    if usd is not None and usd <= 0:
        raise ConfigError(f"--budget-usd must be positive, got {usd}")


def record_cost_usd(r: InvocationRecord, rate: PriceRate) -> float:
    """What one invocation cost: a cold start's INIT or SnapStart restore as AWS bills it."""
    if r.cold_start:
        return cold_invocation_cost_usd(r, r.memory_mb, rate)
    return invocation_cost_usd(float(r.billed_duration_ms), r.memory_mb, rate)
