"""CPU quota arithmetic: period × memory / 1769, capped at the host's cores, at least 1 ms."""

from __future__ import annotations

import pytest

from powertune.lambda_model import vcpu_equivalents
from powertune.localcloud.engine.quota import (
    MIN_QUOTA_US,
    bytes_to_reported_mb,
    cpu_quota,
    memory_limit_bytes,
    min_exact_period_us,
    quota_error,
)


def test_one_vcpu_at_1769_mb() -> None:
    assert cpu_quota(1769, 20_000, 2).quota_us == 20_000
    assert vcpu_equivalents(1769) == 1.0


@pytest.mark.parametrize(
    ("memory_mb", "period_us", "expected_us"),
    [(128, 100_000, 7_236), (512, 20_000, 5_789), (1024, 50_000, 28_943), (3008, 20_000, 34_008)],
)
def test_quota_is_proportional_to_memory(memory_mb: int, period_us: int, expected_us: int) -> None:
    assert cpu_quota(memory_mb, period_us, host_cores=2).quota_us == expected_us


def test_quota_capped_at_host_cores() -> None:
    quota = cpu_quota(10_240, 20_000, host_cores=2)
    assert quota.quota_us == 40_000
    assert quota.vcpus == 2.0


def test_quota_never_below_kernel_minimum() -> None:
    # 128 MB at a 10 ms period wants 724 µs; the kernel refuses < 1 ms.
    assert cpu_quota(128, 10_000, 2).quota_us == MIN_QUOTA_US
    assert quota_error(128, 10_000, 2) > 0.3
    assert abs(quota_error(128, 20_000, 2)) < 0.001


def test_shortest_exact_period_for_128_mb_is_about_14_ms() -> None:
    assert min_exact_period_us(128) == 13_821


def test_invalid_inputs_named_in_error() -> None:
    with pytest.raises(ValueError, match="memory_mb=0"):
        cpu_quota(0, 20_000, 2)


def test_memory_limit_uses_mib() -> None:
    assert memory_limit_bytes(128) == 134_217_728


@pytest.mark.parametrize(
    ("used", "limit", "reported"),
    [(0, 128, 1), (1, 128, 1), (45 * 1048576 + 1, 128, 46), (300 * 1048576, 128, 128)],
)
def test_reported_memory_rounds_up_and_caps(used: int, limit: int, reported: int) -> None:
    assert bytes_to_reported_mb(used, limit) == reported


def test_period_is_stretched_only_where_the_minimum_quota_needs_it() -> None:
    from powertune.localcloud.engine.quota import environment_quota, period_for

    assert period_for(128, 5_000) == 13_821
    assert period_for(1769, 5_000) == 5_000
    assert period_for(128, 20_000) == 20_000
    quota = environment_quota(128, 5_000, 2)
    assert quota.quota_us == 1_000
    assert abs(quota.vcpus - 128 / 1769) < 1e-4
