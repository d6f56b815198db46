"""GET /items/export: every item as gzip-compressed CSV, capped below Lambda's limit.

This is the API's CPU-heavy route on purpose: CSV encoding and gzip work grow
with the table size, so the memory tuner has a non-trivial answer for it.

Cap: a synchronous Lambda response is at most 6 MB (6,291,456 bytes), and API
Gateway needs the binary body base64-encoded inside the JSON proxy response,
which grows it by 4/3. A gzip body of at most 4,500,000 bytes is 6,000,000
bytes in base64, leaving room for the envelope and headers. Past the cap the
route answers 507 with code ExportTooLarge instead of letting Lambda fail with
a 502, and clients page through GET /items instead.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Iterable

from items_api.store import Item

DEFAULT_MAX_GZIP_BYTES = 4_500_000
COLUMNS = ("id", "name", "description", "createdAt", "updatedAt")
# Spreadsheet formula injection (OWASP "CSV Injection"): a cell starting with one
# of these is evaluated by Excel/Sheets; prefixing a quote keeps it text.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExportTooLarge(Exception):
    """The compressed export would exceed the response cap."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(limit_bytes)
        self.limit_bytes = limit_bytes


def export_gzip_csv(items: Iterable[Item], max_gzip_bytes: int = DEFAULT_MAX_GZIP_BYTES) -> bytes:
    """Encode items as CSV with a header row and gzip it, stopping as soon as the cap is passed."""
    # wbits 31 = gzip container (RFC 1952) around deflate, as `gzip -d` expects.
    # Level 9: the response cap is in compressed bytes, so the best ratio lets the
    # most rows fit; the extra CPU is what memory (and so CPU) tuning should weigh.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunks: list[bytes] = []
    size = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow([_safe_cell(item.get(column, "")) for column in COLUMNS])
        if buffer.tell() >= 64 * 1024:
            size += _feed(compressor, buffer, chunks)
            if size > max_gzip_bytes:
                raise ExportTooLarge(max_gzip_bytes)
    size += _feed(compressor, buffer, chunks)
    tail = compressor.flush()
    chunks.append(tail)
    if size + len(tail) > max_gzip_bytes:
        raise ExportTooLarge(max_gzip_bytes)
    return b"".join(chunks)


def _feed(compressor: zlib._Compress, buffer: io.StringIO, chunks: list[bytes]) -> int:
    out = compressor.compress(buffer.getvalue().encode("utf-8"))
    buffer.seek(0)
    buffer.truncate()
    chunks.append(out)
    return len(out)


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
