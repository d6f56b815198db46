"""Two-threaded CPU work: two threads hash ~15 ms each at one vCPU (hashlib drops the GIL).

Two threads can use up to two vCPUs, so the duration keeps falling past 1,769 MB (one
vCPU) up to 3,538 MB, unlike single-threaded work, which is flat there.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

THREADS = 2
ROUNDS_PER_THREAD = 400  # about 15 ms of CPU each on the benchmark host
BLOCK = b"x" * (1 << 20)  # large updates, so hashlib releases the GIL while hashing


def _work(rounds: int) -> None:
    digest = hashlib.sha256()
    for _ in range(rounds):
        digest.update(BLOCK)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started, cpu_started = time.perf_counter(), time.process_time()
    rounds = int(event.get("rounds", ROUNDS_PER_THREAD)) // 16  # 1 MiB blocks, 16 × 64 KiB
    workers = [threading.Thread(target=_work, args=(rounds,)) for _ in range(THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {
        "handler_ms": (time.perf_counter() - started) * 1000.0,
        "cpu_ms": (time.process_time() - cpu_started) * 1000.0,  # both threads' CPU time
        "threads": THREADS,
    }
