"""I/O-bound: parses and filters a small JSON request (~3 ms at one vCPU), then waits 80 ms.

The wait stands in for a downstream call; it does not depend on memory, so the cheapest
size is the smallest. The CPU part comes first: the local cloud's CPU pacer credits an
environment for the time it spent waiting (share × elapsed since the event), so CPU work
*after* a wait runs unthrottled at small sizes, unlike on Lambda's CFS quota
(see README, "Reading the results").
"""

from __future__ import annotations

import json
import time
from typing import Any

WAIT_S = 0.080
REQUEST = json.dumps([{"id": i, "name": f"item-{i}", "tags": ["a", "b"]} for i in range(3000)])


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started, cpu_started = time.perf_counter(), time.process_time()
    items = json.loads(REQUEST)
    encoded = json.dumps([item for item in items if item["id"] % 2 == 0])
    time.sleep(float(event.get("wait_s", WAIT_S)))
    return {
        "handler_ms": (time.perf_counter() - started) * 1000.0,
        "cpu_ms": (time.process_time() - cpu_started) * 1000.0,
        "bytes": len(encoded),
    }
