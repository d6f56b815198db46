"""Lambda's CPU model in one place: memory limits, visible vCPUs and the CPU share.

Every part of the tool that reasons about how much CPU a memory size buys (the
adaptive policy's curve, the simulator, the scripted fake, the local cloud's CPU
quotas) asks this module, so they all fit and emulate the same model.
Standard library only: the core, the backends and the emulator all import it.

Facts (lambda-model.md §1.1, §1.2):
- Memory is 128–10,240 MB in 1-MB steps (default Firecracker functions).
- At 1,769 MB a function gets one vCPU of time; CPU time is proportional to
  memory, so 128 MB gets 0.0724 vCPU and 10,240 MB gets 5.79.
- The number of vCPUs a function *sees* is a separate, measured table: 2 up to
  3,008 MB, then 3 from 3,009 to 5,307 MB, 4 to 7,076, 5 to 8,845 and 6 to
  10,240. Two measurements (rwnx/lambda-cpuinfo, hakk.gg) agree on it, including
  3 vCPUs in the 3,009–3,538 MB band, where ceil(memory / 1769) would give 2.
"""

from __future__ import annotations

import math

MIN_MEMORY_MB = 128
MAX_MEMORY_MB = 10_240
#: Lambda gives one full vCPU of time at 1,769 MB
#: (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
MB_PER_VCPU = 1_769
MAX_VISIBLE_VCPUS = 6
#: Up to this size a function sees 2 vCPUs: the pre-2020 ceiling, kept as its own tier.
TWO_VCPU_LIMIT_MB = 3_008


def _check_positive(memory_mb: float) -> None:
    if not memory_mb > 0:
        raise ValueError(f"memory_mb={memory_mb!r} must be > 0 (Lambda sizes are 128–10240 MB)")


def is_valid_memory(memory_mb: int) -> bool:
    """Whether `memory_mb` is a size a default Lambda function accepts."""
    return MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB


def vcpu_equivalents(memory_mb: float) -> float:
    """vCPU-seconds of CPU time per second at `memory_mb` (128 → 0.0724, 1769 → 1.0)."""
    _check_positive(memory_mb)
    return memory_mb / MB_PER_VCPU


def visible_vcpus(memory_mb: float) -> int:
    """vCPUs visible to the function (`nproc`) at `memory_mb`: the measured tiers above."""
    _check_positive(memory_mb)
    if memory_mb <= TWO_VCPU_LIMIT_MB:
        return 2
    # Above 3,008 MB the count is ceil(memory / 1769), except that the 3,009–3,538 band
    # already shows 3 (both measurements), hence the floor of 3.
    return min(MAX_VISIBLE_VCPUS, max(3, math.ceil(memory_mb / MB_PER_VCPU)))


def cpu_share(memory_mb: float, threads: float = math.inf) -> float:
    """vCPUs of time code with `threads` runnable threads gets at `memory_mb`.

    The share is memory / 1769, but code cannot use more vCPUs than it has threads,
    nor more than the vCPUs it can see.
    """
    if not threads > 0:
        raise ValueError(f"threads={threads!r} must be > 0")
    return min(vcpu_equivalents(memory_mb), threads, float(visible_vcpus(memory_mb)))
