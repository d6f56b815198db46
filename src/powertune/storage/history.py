"""The history folder's audit files: `decision-<ts>.json`, `apply-<ts>.json`,
`memory-summary-<ts>.md`, and finding the latest apply of a function for rollback.

Files are never overwritten: a second record in the same second gets `-1`, `-2`...
JSON is written atomically (a crash leaves the old state or the whole new file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from powertune.errors import ConfigError
from powertune.storage.journal import write_atomically

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_STAMPED = re.compile(r"-(\d{8}T\d{6}Z)(?:-(\d+))?\.")


def stamp(at: datetime) -> str:
    """The `<ts>` of history file names (UTC, to the second)."""
    return at.strftime(STAMP_FORMAT)


def new_path(folder: Path, prefix: str, at: datetime, suffix: str) -> Path:
    """`folder/<prefix>-<ts><suffix>`, or with `-n` added when that name is taken."""
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{prefix}-{stamp(at)}"
    path, n = folder / f"{base}{suffix}", 1
    while path.exists():
        path, n = folder / f"{base}-{n}{suffix}", n + 1
    return path


def write_json(path: Path, doc: dict[str, Any]) -> Path:
    write_atomically(path, json.dumps(doc, indent=2) + "\n")
    return path


def write_text(path: Path, text: str) -> Path:
    write_atomically(path, text)
    return path


def apply_records(folder: Path, function_name: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every apply record of `function_name` in `folder`, newest first (by name, then time)."""
    if not folder.is_dir():
        raise ConfigError(
            f"history folder {str(folder)!r} does not exist; pass --history with the folder "
            "`powertune apply` wrote its records to (default reports/history)"
        )
    for path in sorted(folder.glob("apply-*.json"), key=history_order, reverse=True):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read apply record {path}: {exc}; fix or remove it") from exc
        if isinstance(doc, dict) and doc.get("function_name") == function_name:
            yield path, doc


def history_order(path: Path) -> tuple[str, int]:
    """Sort key of history files of one kind, oldest first (`-n` after the plain name)."""
    # apply-20261201T101010Z-2.json sorts after apply-20261201T101010Z-1.json and the plain one
    found = _STAMPED.search(path.name)
    if found is None:
        return (path.name, 0)
    return (found.group(1), int(found.group(2) or 0))
