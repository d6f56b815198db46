"""Export-route scenario: GET /items/export only, the API's CPU-heaviest call.

Gzip-compressing every item as CSV is where more memory (and so more CPU)
shows; this scenario measures that route alone. Each user first makes sure a
few items exist (`POST /items (seed)`, kept apart by name so the export's own
statistics are not mixed with them), then exports with 0.5-1.5 s of think time,
and deletes them when it stops, so every size of a run exports the same table.
"""

from __future__ import annotations

import uuid

from locust import HttpUser, between, task

SEED_ITEMS_PER_USER = 5


class ExportUser(HttpUser):
    """A client downloading the export."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.seeded: list[str] = []
        for _ in range(SEED_ITEMS_PER_USER):
            item_id = f"lt-{uuid.uuid4().hex[:16]}"
            response = self.client.post(
                "/items",
                json={"id": item_id, "name": f"export seed {item_id}", "description": "z" * 200},
                name="POST /items (seed)",
            )
            if response.status_code == 201:
                self.seeded.append(item_id)

    def on_stop(self) -> None:
        for item_id in self.seeded:
            self.client.delete(f"/items/{item_id}", name="DELETE /items/{id} (clean-up)")

    @task
    def export_items(self) -> None:
        self.client.get("/items/export", name="GET /items/export")
