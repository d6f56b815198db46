"""Memory-hungry: a ~200 MB in-memory table, built on first use, then ~15 ms of lookups.

The first call of each environment writes a 200 MB buffer (every page, so it is all
resident) and keeps it, as a function caching a lookup table would; every call then
hashes 24 MB of it. Its peak is ~200 MB plus the runtime's own, so at 128 MB it runs out of
memory (Runtime.OutOfMemory) on every call and must be marked failed; from 256 MB up it
runs, and the warm calls' hashing scales with CPU.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

TABLE_MB = 200
LOOKUP_MB = 24

_table: bytes | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _table
    started, cpu_started = time.perf_counter(), time.process_time()
    if _table is None:
        _table = b"\x01" * (TABLE_MB << 20)  # written, so every page is resident
    digest = hashlib.sha256(memoryview(_table)[: LOOKUP_MB << 20]).hexdigest()
    return {
        "handler_ms": (time.perf_counter() - started) * 1000.0,
        "cpu_ms": (time.process_time() - cpu_started) * 1000.0,
        "digest": digest[:8],
    }
