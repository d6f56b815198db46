"""CPU-bound, single-threaded handler: a fixed amount of SHA-256 hashing (~150 ms at one vCPU).

The work is fixed (ROUNDS updates of a 64 KiB buffer), so its duration should scale as
1769 / memory below 1,769 MB and stay flat above it (one thread cannot use a second vCPU).
Returns the handler's own wall and CPU time so the benchmark can measure the model's inputs.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

ROUNDS = 3400  # about 150 ms of CPU on the benchmark host (88 ms per 2,000 rounds)
BLOCK = b"x" * (1 << 16)


def handler(event: dict[str, Any], context: Any) -> dict[str, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    digest = hashlib.sha256()
    for _ in range(int(event.get("rounds", ROUNDS))):
        digest.update(BLOCK)
    return {
        "handler_ms": (time.perf_counter() - started) * 1000.0,
        "cpu_ms": (time.process_time() - cpu_started) * 1000.0,
    }
