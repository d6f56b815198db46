"""Locust file for the generator's ceiling: GET /items/export with no think time.

Each user sends its next request as soon as the last one is answered, so the
run's throughput is what the load generator and the local cloud sustain
together on this machine (not a user model: see the bundled scenarios for that).
"""

from __future__ import annotations

from locust import HttpUser, constant, task


class BusyClient(HttpUser):
    wait_time = constant(0)

    @task
    def export_items(self) -> None:
        self.client.get("/items/export", name="GET /items/export")
