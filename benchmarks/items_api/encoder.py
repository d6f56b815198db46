"""The export route's own CPU work (CSV + gzip level 9), without DynamoDB, by table size.

    .venv/bin/python benchmarks/items_api/encoder.py

Runs `items_api.export.export_gzip_csv` in this process on items shaped like the
benchmark's seeded ones, unthrottled (one host core), and scales by the CPU
share each memory size gets (memory / 1769 MB of one vCPU, AWS's documented
ratio) to show what the function's own work would cost at 128 and 1024 MB.
Together with run.py's export durations, this splits the route's time into the
function's CPU work and the wait for the (emulated) DynamoDB scan.
Writes encoder.json beside this script.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "app" / "src"))

from items_api.export import export_gzip_csv  # noqa: E402

SIZES = (500, 2000, 5000, 20000)
VCPU_MB = 1769


def items(count: int) -> list[dict[str, str]]:
    now = "2026-11-28T00:00:00.000Z"
    return [
        {
            "id": f"seed-{i:06d}",
            "name": f"item number {i}",
            "description": f"seeded item {i} " + "lorem ipsum " * (i % 8),
            "createdAt": now,
            "updatedAt": now,
        }
        for i in range(count)
    ]


def main() -> None:
    result: dict[str, dict[str, float]] = {}
    for size in SIZES:
        rows = items(size)
        samples = []
        for _ in range(5):
            start = time.process_time()
            blob = export_gzip_csv(rows)
            samples.append((time.process_time() - start) * 1000)
        cpu_ms = statistics.median(samples)
        result[str(size)] = {
            "cpu_ms_one_core": round(cpu_ms, 1),
            "gzip_bytes": len(blob),
            "estimated_ms_at_128_mb": round(cpu_ms * VCPU_MB / 128, 1),
            "estimated_ms_at_1024_mb": round(cpu_ms * VCPU_MB / 1024, 1),
        }
        print(size, result[str(size)])
    (HERE / "encoder.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
