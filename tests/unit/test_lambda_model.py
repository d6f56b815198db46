"""Lambda's CPU model: limits, visible vCPUs per size and the CPU share, at the tier edges."""

from __future__ import annotations

import math

import pytest

from powertune.lambda_model import (
    MAX_MEMORY_MB,
    MB_PER_VCPU,
    MIN_MEMORY_MB,
    cpu_share,
    is_valid_memory,
    vcpu_equivalents,
    visible_vcpus,
)


@pytest.mark.parametrize(
    ("memory_mb", "vcpus"),
    [
        (128, 2),
        (1769, 2),
        (1770, 2),
        (3008, 2),
        # The band where ceil(memory / 1769) says 2 but Lambda shows 3 (lambda-model.md §1.2).
        (3009, 3),
        (3538, 3),
        (3539, 3),
        (5307, 3),
        (5308, 4),
        (7076, 4),
        (7077, 5),
        (8845, 5),
        (8846, 6),
        (10240, 6),
    ],
)
def test_visible_vcpus_follow_the_measured_tiers(memory_mb: int, vcpus: int) -> None:
    assert visible_vcpus(memory_mb) == vcpus


@pytest.mark.parametrize(
    ("memory_mb", "share"),
    [
        (128, 128 / 1769),
        (1769, 1.0),
        (1770, 1770 / 1769),
        (3008, 3008 / 1769),
        (3009, 3009 / 1769),
        (3538, 2.0),
        (3539, 3539 / 1769),
        (10240, 10240 / 1769),
    ],
)
def test_share_is_memory_over_1769_when_threads_do_not_limit(memory_mb: int, share: float) -> None:
    assert vcpu_equivalents(memory_mb) == pytest.approx(share)
    assert cpu_share(memory_mb) == pytest.approx(share)


def test_one_vcpu_at_1769_mb() -> None:
    assert MB_PER_VCPU == 1769
    assert vcpu_equivalents(1769) == 1.0


@pytest.mark.parametrize(
    ("memory_mb", "threads", "share"),
    [
        (128, 1.0, 128 / 1769),
        (1769, 1.0, 1.0),
        (1770, 1.0, 1.0),
        (3008, 1.0, 1.0),
        (3008, 2.0, 3008 / 1769),
        (3538, 2.0, 2.0),
        (3539, 2.0, 2.0),
        (10240, 1.5, 1.5),
    ],
)
def test_threads_cap_the_share(memory_mb: int, threads: float, share: float) -> None:
    assert cpu_share(memory_mb, threads) == pytest.approx(share)


def test_visible_vcpus_cap_the_share_of_many_threads() -> None:
    # 10,240 MB never reaches 6 vCPUs of time; a fractional size past the table is capped at 6.
    assert cpu_share(10240, threads=64) == pytest.approx(10240 / 1769)
    assert cpu_share(20_000, threads=64) == 6.0


@pytest.mark.parametrize(
    ("memory_mb", "valid"),
    [(127, False), (128, True), (1769, True), (10240, True), (10241, False)],
)
def test_memory_limits(memory_mb: int, valid: bool) -> None:
    assert (MIN_MEMORY_MB, MAX_MEMORY_MB) == (128, 10240)
    assert is_valid_memory(memory_mb) is valid


@pytest.mark.parametrize("bad", [0, -1, math.nan])
def test_non_positive_memory_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        visible_vcpus(bad)
    with pytest.raises(ValueError, match="must be > 0"):
        cpu_share(bad)


def test_non_positive_threads_are_refused() -> None:
    with pytest.raises(ValueError, match="threads"):
        cpu_share(1024, threads=0)
