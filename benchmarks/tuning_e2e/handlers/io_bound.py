"""I/O-bound handler: waits 100 ms (a sleep stands in for a network call) and does no work.

Its duration should not depend on memory at all, so the cheapest size is the smallest.
Returns the handler's own wall and CPU time so the benchmark can measure the model's inputs.
"""

from __future__ import annotations

import time
from typing import Any

WAIT_S = 0.100


def handler(event: dict[str, Any], context: Any) -> dict[str, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    time.sleep(float(event.get("wait_s", WAIT_S)))
    return {
        "handler_ms": (time.perf_counter() - started) * 1000.0,
        "cpu_ms": (time.process_time() - cpu_started) * 1000.0,
    }
