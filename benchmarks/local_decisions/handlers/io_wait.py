"""I/O-bound: waits 80 ms for a downstream call, then parses and re-encodes a small JSON reply.

The parsing is a few ms of CPU at one vCPU; the wait does not depend on memory, so the
cheapest size is the smallest.
"""

from __future__ import annotations

import json
import time
from typing import Any

WAIT_S = 0.080
REPLY = json.dumps([{"id": i, "name": f"item-{i}", "tags": ["a", "b"]} for i in range(3000)])


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started, cpu_started = time.perf_counter(), time.process_time()
    time.sleep(float(event.get("wait_s", WAIT_S)))
    items = json.loads(REPLY)
    encoded = json.dumps([item for item in items if item["id"] % 2 == 0])
    return {
        "handler_ms": (time.perf_counter() - started) * 1000.0,
        "cpu_ms": (time.process_time() - cpu_started) * 1000.0,
        "bytes": len(encoded),
    }
