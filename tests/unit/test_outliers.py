"""Outlier detection when every size has few samples and the same call stalls at every size.

Measured on the local cloud (benchmarks/local_decisions, `stall`): a handler whose third
call waits 1.5 s more, the same at every size, tuned with two warm samples per size. Every
size's second warm sample is a stall, so no clean pair measures the noise; the sizes'
clean samples still lie on one smooth duration curve, which does.
"""

from __future__ import annotations

import random

from powertune.tuning.evidence import gather
from powertune.tuning.models import Architecture, Configuration, InvocationRecord
from powertune.tuning.outliers import ExcessModel, find_outliers
from powertune.tuning.risk import RiskLevel, timeout_risk

X86 = Architecture.X86_64
#: (memory, clean warm ms, stalled warm ms) of the local-cloud run
STALL_RUN = ((128, 585.42, 2135.63), (256, 321.22, 1801.31), (512, 145.83, 1645.73))
STALL_RUN += ((1024, 70.25, 1577.96),)


def sizes() -> list[Configuration]:
    return [Configuration(m, X86) for m, _, _ in STALL_RUN]


def records(rows: list[tuple[int, list[float]]]) -> list[InvocationRecord]:
    out: list[InvocationRecord] = []
    for memory, durations in rows:
        for ms in durations:
            out.append(
                InvocationRecord(memory, X86, 0, ms, int(ms) + 1, None, None, 20, None, len(out))
            )
    return out


def test_a_stall_in_the_same_call_of_every_size_is_found_as_additive_outliers() -> None:
    adjusted = {Configuration(m, X86): [clean, stall] for m, clean, stall in STALL_RUN}
    assert find_outliers(adjusted) == {(c, 1) for c in adjusted}
    evidence = gather(records([(m, [a, b]) for m, a, b in STALL_RUN]), sizes(), [1.0])
    assert evidence.outliers.model is ExcessModel.ADDITIVE
    assert 1400 < evidence.outliers.excess_ms < 1600
    # 2.1 s at most at 128 MB, under the 3 s timeout: no size is likely at risk. With one
    # clean sample a size's noise tail is not known yet: "possible" asks for more samples.
    risks = [timeout_risk(evidence.sizes[c], evidence, 3000.0) for c in sizes()]
    assert [None if r is None else r.level for r in risks] != [RiskLevel.LIKELY] * 4
    assert all(r is None or r.level is RiskLevel.POSSIBLE for r in risks)


def test_heavy_tailed_noise_is_not_taken_for_outliers_by_the_curve() -> None:
    rng = random.Random(7)
    rows = [
        (m, [clean * rng.lognormvariate(0, 1.0) for _ in range(2)]) for m, clean, _ in STALL_RUN
    ]
    adjusted = {Configuration(m, X86): xs for m, xs in rows}
    # a log-normal sigma of 1 scatters the sizes' centers off any curve: nothing is flagged
    # unless it is far beyond that spread
    found = find_outliers(adjusted)
    assert len(found) <= 1
