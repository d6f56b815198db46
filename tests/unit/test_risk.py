"""Timeout risk (`powertune.tuning.risk`): the tail's uncertainty from few samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import ndtri

from powertune.errors import ConfigError
from powertune.tuning.analysis import analyze
from powertune.tuning.evidence import gather
from powertune.tuning.models import Architecture, Configuration, InvocationRecord, StrategySpec
from powertune.tuning.pricing import PriceRate
from powertune.tuning.recommend import DecisionMethod, PolicySummary, recommend
from powertune.tuning.risk import RiskLevel, tail_bound_ms, timeout_risk

X86 = Architecture.X86_64
SIZES = (512, 1024, 2048)


def records(medians_ms: dict[int, float], n: int, sigma: float) -> list[InvocationRecord]:
    """n warm log-normal samples per size at evenly spaced normal quantiles (warm only)."""
    z = ndtri((np.arange(n) + 0.5) / n)
    z = z / z.std(ddof=1) if n > 1 else z  # sample sd exactly sigma
    out = []
    for m, median in medians_ms.items():
        for x in median * np.exp(sigma * z):
            out.append(InvocationRecord(m, X86, 0, float(x), math.ceil(float(x))))
    return out


def test_a_heavy_tail_from_few_samples_is_possibly_at_risk_until_sampled() -> None:
    # σ = 1: the true 0.1% quantile of 1 s is 22 s, under the 30 s timeout, but 3
    # samples per size cannot tell σ = 1 from σ = 1.3 (whose quantile is 55 s)
    medians = {512: 1000.0, 1024: 1000.0, 2048: 1000.0}
    configs = [Configuration(m, X86) for m in SIZES]
    few = gather(records(medians, 3, 1.0), configs, [1.0])
    c = configs[0]
    risk = timeout_risk(few.sizes[c], few, 30_000.0)
    assert risk is not None and risk.level is RiskLevel.POSSIBLE
    assert tail_bound_ms(few.sizes[c], few) > 30_000.0
    many = gather(records(medians, 400, 1.0), configs, [1.0])
    assert timeout_risk(many.sizes[c], many, 30_000.0) is None
    assert 22_000.0 < tail_bound_ms(many.sizes[c], many) < 30_000.0


def test_fast_samples_at_a_small_size_borrow_the_larger_sizes_location() -> None:
    # more memory is never slower: 512 MB's unluckily fast samples are pooled with
    # what 1024 and 2048 MB measured (pool-adjacent-violators)
    configs = [Configuration(m, X86) for m in SIZES]
    recs = records({512: 100.0, 1024: 1000.0, 2048: 1000.0}, 5, 0.05)
    ev = gather(recs, configs, [1.0])
    bound = tail_bound_ms(ev.sizes[configs[0]], ev)
    own = 100.0 * math.exp(5 * 0.05)  # what its own samples alone would bound it by, about
    assert bound > 3 * own


def test_a_narrow_tail_far_from_the_timeout_is_no_risk() -> None:
    configs = [Configuration(m, X86) for m in SIZES]
    ev = gather(records({512: 400.0, 1024: 200.0, 2048: 100.0}, 3, 0.05), configs, [1.0])
    assert all(timeout_risk(e, ev, 3000.0) is None for e in ev.sizes.values())


def rate_for(arch: Architecture) -> PriceRate:
    return PriceRate(0.0000166667, 0.0000002)


def test_no_size_shown_safe_is_no_recommendation_and_says_why() -> None:
    # σ = 1 and 3 samples per size: every size's 0.1% quantile is 22 s, its upper bound
    # far over the 30 s timeout; recommending one would be a guess
    recs = records({512: 1000.0, 1024: 1000.0, 2048: 1000.0}, 3, 1.0)
    analysis = analyze(recs, strategy=StrategySpec(), rate_for=rate_for, decide=False)
    settings = PolicySummary(DecisionMethod.ADAPTIVE, timeout_ms=30_000.0)
    with pytest.raises(ConfigError, match=r"no size could be shown safe.*--budget"):
        recommend(analysis, recs, settings, strategy=StrategySpec(), rate_for=rate_for)
    many = records({512: 1000.0, 1024: 1000.0, 2048: 1000.0}, 400, 1.0)
    analysis = analyze(many, strategy=StrategySpec(), rate_for=rate_for, decide=False)
    rec = recommend(analysis, many, settings, strategy=StrategySpec(), rate_for=rate_for)
    assert rec is not None and rec.configuration.memory_mb == 512
