"""Seed the items table through DynamoDB batch writes (fast), so the export route has work.

    python scripts/seed_items.py ENDPOINT_URL TABLE_NAME COUNT

Items look like the API's own (id, name, description, createdAt, updatedAt). Each
description is ~1,500 characters of seeded pseudo-random words, so the export route's
CSV + gzip work (CPU, which memory buys) is not dwarfed by the emulated table scan.
Only for the local cloud demo and benchmarks.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime

import boto3


def main() -> None:
    endpoint, table, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    now = datetime.now(UTC).isoformat()
    rng = random.Random(42)
    words = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9))) for _ in range(5000)
    ]
    batch = []
    for i in range(count):
        batch.append(
            {
                "PutRequest": {
                    "Item": {
                        "id": {"S": f"seed-{i:06d}"},
                        "name": {"S": f"item {i}"},
                        "description": {"S": " ".join(rng.choices(words, k=220))[:1500]},
                        "createdAt": {"S": now},
                        "updatedAt": {"S": now},
                    }
                }
            }
        )
        if len(batch) == 25 or i == count - 1:
            ddb.batch_write_item(RequestItems={table: batch})
            batch = []
    print(f"   seeded {count} items into {table}")


if __name__ == "__main__":
    main()
