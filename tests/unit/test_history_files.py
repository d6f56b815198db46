"""History file names: new names never overwrite, and sort oldest first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from powertune.storage.history import history_order, new_path


def test_names_in_one_second_get_a_counter_and_sort_in_order(tmp_path: Path) -> None:
    at = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)
    made = []
    for _ in range(12):
        path = new_path(tmp_path, "memory-summary", at, ".md")
        path.write_text("x")
        made.append(path)
    assert made[0].name == "memory-summary-20261201T100000Z.md"
    assert made[1].name == "memory-summary-20261201T100000Z-1.md"
    later = new_path(tmp_path, "memory-summary", datetime(2026, 12, 1, 10, 0, 1, tzinfo=UTC), ".md")
    later.write_text("x")
    assert sorted(tmp_path.iterdir(), key=history_order) == [*made, later]
