"""The CSV of a result's raw samples: one row per invocation, in invocation order.

The columns are the `invocations[]` keys of the result file (docs/result-format.md),
so a spreadsheet and a script read the same names.
"""

from __future__ import annotations

import csv
import io

from powertune.results.json_form import record_to_json
from powertune.results.model import TuningResult

COLUMNS = (
    "sequence",
    "memory_mb",
    "architecture",
    "payload_index",
    "duration_ms",
    "billed_duration_ms",
    "cold_start",
    "init_duration_ms",
    "restore_duration_ms",
    "billed_restore_duration_ms",
    "max_memory_used_mb",
    "error_type",
)


def _cell(value: object) -> str:
    """None as an empty cell, booleans as JSON spells them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_csv(result: TuningResult) -> str:
    """Every invocation record, sorted by `sequence`; empty cells for None."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in sorted(result.invocations, key=lambda r: r.sequence):
        row = record_to_json(record)
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()
