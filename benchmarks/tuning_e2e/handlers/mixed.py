"""Mixed handler: ~60 ms of single-threaded SHA-256 hashing (at one vCPU) plus a 60 ms wait.

Only the hashing half scales with memory, so the curve flattens earlier than the CPU-bound
handler's and the cost optimum moves down. Returns the handler's own wall and CPU time.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

ROUNDS = 1360  # about 60 ms of CPU on the benchmark host (88 ms per 2,000 rounds)
WAIT_S = 0.060
BLOCK = b"x" * (1 << 16)


def handler(event: dict[str, Any], context: Any) -> dict[str, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    digest = hashlib.sha256()
    for _ in range(int(event.get("rounds", ROUNDS))):
        digest.update(BLOCK)
    time.sleep(float(event.get("wait_s", WAIT_S)))
    return {
        "handler_ms": (time.perf_counter() - started) * 1000.0,
        "cpu_ms": (time.process_time() - cpu_started) * 1000.0,
    }
