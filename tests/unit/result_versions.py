"""What a result document of an older schema version looks like once 1.1 has read it."""

from __future__ import annotations

import json
from typing import Any


def as_1_1(doc: dict[str, Any]) -> dict[str, Any]:
    """A 1.0 document as 1.1 writes it: the keys 1.1 added, with what 1.0 meant, in order."""
    out = json.loads(json.dumps(doc))
    out["invocations"] = [
        {k: v for key, value in r.items() for k, v in _with_billed_restore(key, value)}
        for r in out["invocations"]
    ]
    table = out.get("settings", {}).get("price_table")
    if table is not None:
        table.update(currency="USD", ephemeral_storage_mb=512, snapstart_restore_charged=False)
    if out.get("recommendation") is not None:
        out["recommendation"].update(settled=True, more_invocations=None)
    if "schema_version" in out:
        out["schema_version"] = "1.1"
    return out


def _with_billed_restore(key: str, value: object) -> list[tuple[str, object]]:
    if key == "restore_duration_ms":
        return [(key, value), ("billed_restore_duration_ms", None)]
    return [(key, value)]
