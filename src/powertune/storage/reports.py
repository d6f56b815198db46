"""Report files on disk: written atomically beside their result, and the history folder read.

The renderers (`powertune.reports`) return text or bytes; this module only puts
them in files, so an interrupted write never leaves half a report in the history.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def write_atomic(path: Path, content: str | bytes) -> Path:
    """Write `content` to `path` through a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); reports are meant to be shared and served
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True, slots=True)
class HistoryFile:
    """One file of a history folder: its name and, for JSON, its document or why not."""

    name: str
    document: dict[str, Any] | None = None
    problem: str | None = None


def _files(folder: Path) -> list[tuple[str, Path]]:
    """(name, path) of `folder`'s files and of its subfolders' (`powertune fleet` writes
    `<function>/tuning-<ts>.json`), named relative to `folder`; hidden ones skipped."""
    found: list[tuple[str, Path]] = []
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if path.is_file():
            found.append((path.name, path))
        elif path.is_dir():
            found += [
                (f"{path.name}/{p.name}", p)
                for p in sorted(path.iterdir())
                if p.is_file() and not p.name.startswith(".")
            ]
    return sorted(found)


def read_history(folder: Path) -> Iterator[HistoryFile]:
    """Every file of `folder` (and of its subfolders), by name; JSON files parsed (a broken
    one says why, never raises)."""
    for name, path in _files(folder):
        if path.suffix != ".json":
            yield HistoryFile(name)
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield HistoryFile(name, problem=f"unreadable: {exc}")
            continue
        if isinstance(doc, dict):
            yield HistoryFile(name, doc)
        else:
            yield HistoryFile(name, problem="not a JSON object")
