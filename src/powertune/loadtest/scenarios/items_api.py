"""Mixed scenario for the items API: list, create, get, update, delete and export.

Proportions follow a read-heavy CRUD service (reads 60%, writes 30%, one
heavier report-like call 10%); each user waits 0.5-2 s between requests (think
time), as a person or a client polling would. Ids a user deletes are ones it
created. Creates and deletes are equally frequent and each user deletes what
is left of its items when it stops (`DELETE /items/{id} (clean-up)`), so the
table, and with it the export's work, is the same for every memory size of a
run instead of growing from one size to the next. Requests are named by route
(`GET /items/{id}`), so statistics group by endpoint, not by URL.
"""

from __future__ import annotations

import random
import uuid

from locust import HttpUser, between, task


class ItemsApiUser(HttpUser):
    """One client of the items API."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.mine: list[str] = []
        self._create()

    def _create(self) -> None:
        item_id = f"lt-{uuid.uuid4().hex[:16]}"
        body = {"id": item_id, "name": f"load test {item_id}", "description": "x" * 120}
        with self.client.post(
            "/items", json=body, name="POST /items", catch_response=True
        ) as response:
            if response.status_code == 201:
                self.mine.append(item_id)
                response.success()
            else:
                response.failure(f"create answered {response.status_code}")

    @task(30)
    def list_items(self) -> None:
        self.client.get("/items?limit=20", name="GET /items")

    @task(30)
    def get_item(self) -> None:
        if not self.mine:
            self._create()
            return
        self.client.get(f"/items/{random.choice(self.mine)}", name="GET /items/{id}")

    def on_stop(self) -> None:
        for item_id in self.mine:
            self.client.delete(f"/items/{item_id}", name="DELETE /items/{id} (clean-up)")
        self.mine.clear()

    @task(10)
    def create_item(self) -> None:
        self._create()

    @task(10)
    def update_item(self) -> None:
        if not self.mine:
            self._create()
            return
        item_id = random.choice(self.mine)
        self.client.put(
            f"/items/{item_id}",
            json={"name": f"renamed {item_id}", "description": "y" * 120},
            name="PUT /items/{id}",
        )

    @task(10)
    def delete_item(self) -> None:
        if len(self.mine) < 2:
            self._create()
            return
        item_id = self.mine.pop(random.randrange(len(self.mine)))
        self.client.delete(f"/items/{item_id}", name="DELETE /items/{id}")

    @task(10)
    def export_items(self) -> None:
        self.client.get("/items/export", name="GET /items/export")
