"""Rare stall: ~40 ms of SHA-256 at one vCPU, plus a 1.5 s wait in one call of seven.

The wait stands in for a slow downstream call: it is the same at every memory size, so it
adds to the duration instead of scaling with CPU. It is deterministic (a per-environment
call counter, the 3rd, 10th, 17th ... call of each environment), so every size sees the
same stalls at the same positions, and it lands in the first warm calls a tuner makes.
Issue 9's example: with a 3 s timeout the slowest call at 128 MB takes ~2.1 s, so no
size is at risk of timing out.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

ROUNDS = 1070  # about 40 ms of CPU on the benchmark host (37 ms per 1,000 rounds)
STALL_S = 1.5
STALL_EVERY = 7
STALL_AT = 3  # call number (1 = the cold one) of the first stall in each environment
BLOCK = b"x" * (1 << 16)

_calls = 0


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _calls
    _calls += 1
    started, cpu_started = time.perf_counter(), time.process_time()
    digest = hashlib.sha256()
    for _ in range(int(event.get("rounds", ROUNDS))):
        digest.update(BLOCK)
    stalled = _calls % STALL_EVERY == STALL_AT % STALL_EVERY
    if stalled:
        time.sleep(STALL_S)
    return {
        "handler_ms": (time.perf_counter() - started) * 1000.0,
        "cpu_ms": (time.process_time() - cpu_started) * 1000.0,
        "stalled": stalled,
    }
