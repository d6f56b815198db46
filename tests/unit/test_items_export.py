"""The export route's encoder: gzip CSV, formula-injection guard, and the size cap."""

from __future__ import annotations

import csv
import gzip
import io
import secrets

import pytest

from items_api.export import ExportTooLarge, export_gzip_csv


def _rows(blob: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(gzip.decompress(blob).decode())))


def test_export_is_gzip_csv_with_a_header() -> None:
    items = [
        {"id": "a", "name": "pen, blue", "createdAt": "t0", "updatedAt": "t1"},
        {
            "id": "b",
            "name": 'say "hi"',
            "description": "line\nbreak",
            "createdAt": "t",
            "updatedAt": "t",
        },
    ]
    rows = _rows(export_gzip_csv(items))
    assert rows[0] == ["id", "name", "description", "createdAt", "updatedAt"]
    assert rows[1] == ["a", "pen, blue", "", "t0", "t1"]
    assert rows[2][1:3] == ['say "hi"', "line\nbreak"]


def test_empty_table_exports_just_the_header() -> None:
    assert _rows(export_gzip_csv([])) == [["id", "name", "description", "createdAt", "updatedAt"]]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_cells_that_spreadsheets_would_evaluate_are_quoted(cell: str) -> None:
    rows = _rows(export_gzip_csv([{"id": "a", "name": cell, "createdAt": "", "updatedAt": ""}]))
    assert rows[1][1] == "'" + cell


def test_export_past_the_cap_raises_instead_of_truncating() -> None:
    # Random names do not compress, so 2,000 of them are far more than 10 KB of gzip.
    items = (
        {"id": str(i), "name": secrets.token_hex(50), "createdAt": "", "updatedAt": ""}
        for i in range(2000)
    )
    with pytest.raises(ExportTooLarge) as info:
        export_gzip_csv(items, max_gzip_bytes=10_000)
    assert info.value.limit_bytes == 10_000


def test_export_under_the_cap_is_complete() -> None:
    items = [{"id": str(i), "name": "n", "createdAt": "", "updatedAt": ""} for i in range(5000)]
    blob = export_gzip_csv(items, max_gzip_bytes=100_000)
    assert len(blob) <= 100_000
    assert len(_rows(blob)) == 5001
