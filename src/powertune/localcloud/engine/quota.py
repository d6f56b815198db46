"""CPU and memory shares of an execution environment: pure arithmetic, no I/O.

Lambda gives CPU in proportion to memory: 1,769 MB is one vCPU (lambda-model.md §1.1).
Below that, the share is time-slicing (a CFS quota inside each period); above it, the extra
share only helps multi-threaded code, and it is capped at the host's cores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from powertune.lambda_model import MB_PER_VCPU, vcpu_equivalents

# The kernel refuses a CFS quota below 1 ms (sched_cfs_bandwidth: min_cfs_quota_period).
MIN_QUOTA_US = 1000
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class CpuQuota:
    """A CFS bandwidth setting: `quota_us` of CPU time per `period_us` of wall time."""

    quota_us: int
    period_us: int

    @property
    def vcpus(self) -> float:
        return self.quota_us / self.period_us


def cpu_quota(memory_mb: int, period_us: int, host_cores: int) -> CpuQuota:
    """quota = period × memory / 1769, capped at the host's cores, at least the kernel's 1 ms."""
    if memory_mb <= 0 or period_us <= 0 or host_cores <= 0:
        raise ValueError(
            f"memory_mb={memory_mb}, period_us={period_us}, host_cores={host_cores}: "
            "all must be > 0"
        )
    wanted = round(period_us * memory_mb / MB_PER_VCPU)
    quota = max(MIN_QUOTA_US, min(wanted, host_cores * period_us))
    return CpuQuota(quota_us=quota, period_us=period_us)


def period_for(memory_mb: int, base_period_us: int) -> int:
    """The CFS period for one environment: the base period, stretched when it would need a
    quota below the kernel's 1 ms minimum (128 MB at a 5 ms base gets 13.8 ms), so that
    every memory size gets exactly its share (docs/local-cloud-engine.md has the data)."""
    return max(base_period_us, min_exact_period_us(memory_mb))


def environment_quota(memory_mb: int, base_period_us: int, host_cores: int) -> CpuQuota:
    return cpu_quota(memory_mb, period_for(memory_mb, base_period_us), host_cores)


def quota_error(memory_mb: int, period_us: int, host_cores: int) -> float:
    """Relative error of the granted share against the model (0.0 = exact)."""
    granted = cpu_quota(memory_mb, period_us, host_cores).vcpus
    wanted = min(vcpu_equivalents(memory_mb), float(host_cores))
    return granted / wanted - 1.0


def min_exact_period_us(memory_mb: int) -> int:
    """Shortest period whose quota for `memory_mb` is not clamped up to the 1 ms minimum."""
    return math.ceil(MIN_QUOTA_US * MB_PER_VCPU / memory_mb)


def memory_limit_bytes(memory_mb: int) -> int:
    """Lambda's MB are MiB (lambda-model.md §1.1)."""
    return memory_mb * MIB


def bytes_to_reported_mb(used_bytes: int, memory_mb: int) -> int:
    """Max Memory Used in whole MB, rounded up and never above the configured size."""
    return max(1, min(memory_mb, math.ceil(used_bytes / MIB)))
