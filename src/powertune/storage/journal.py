"""The on-disk journal of a run: its `RunLedger`, written atomically before every change.

A run writes `<state>/journals/<function>-<run>.json` before its first change and
rewrites it at every ledger change (temporary file, flush + fsync, rename, fsync of
the folder, so a crash leaves either the old or the new ledger, never half of one).
The file is removed once undo left nothing pending. After a SIGKILL or a lost
connection, `powertune cleanup FUNCTION` finds the file here (`pending_journals`,
whatever `--output` the run had), loads it (`load_ledger`) and runs the same `undo`.
Journals written before the ledger existed are read too (converted on load).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from powertune.errors import ConfigError
from powertune.tuning.ledger import RunLedger

ENV_STATE_DIR = "POWERTUNE_STATE_DIR"


def default_state_dir() -> Path:
    """`$POWERTUNE_STATE_DIR`, else `$XDG_STATE_HOME/powertune`, else ~/.local/state/powertune."""
    explicit = os.environ.get(ENV_STATE_DIR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "powertune"


class JournalFile:
    """A LedgerSink keeping one run's ledger in the JSON file `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, ledger: RunLedger) -> None:
        """Persist `ledger`, or remove the file once undo left nothing pending."""
        if ledger.closed:
            self.path.unlink(missing_ok=True)
            return
        write_atomically(self.path, json.dumps(ledger.to_dict(), indent=2))

    def load(self) -> RunLedger:
        """The ledger in this file, saving back here at each undo step."""
        return RunLedger.from_dict(_read(self.path), on_change=self.save)


class FileJournal(JournalFile):
    """The journal of run `run_id` on `function_name`, in `<directory>/journals/`."""

    def __init__(self, directory: Path, function_name: str, run_id: str) -> None:
        super().__init__(directory / "journals" / f"{function_name}-{run_id}.json")


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a crash at any point leaves old or new, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    # The rename is durable only once the folder's entry is on disk too.
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def load_ledger(path: Path) -> RunLedger:
    """The ledger of the journal at `path`, persisting back to it."""
    return JournalFile(path).load()


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"cannot read journal {str(path)!r} ({exc}); repair it, or delete it after "
            "checking the function's aliases and versions by hand"
        ) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("original"), dict):
        raise ConfigError(
            f"cannot read journal {str(path)!r}: it holds no run ledger; delete it after "
            "checking the function's aliases and versions by hand"
        )
    return doc


def pending_journals(directory: Path, function_name: str) -> list[Path]:
    """Journals left behind by interrupted runs on `function_name`."""
    folder = directory / "journals"
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(
                f"journal {str(path)!r} is unreadable ({exc}); repair it, or delete it after "
                "checking the function's aliases and versions by hand"
            ) from exc
        if isinstance(doc, dict) and doc.get("function_name") == function_name:
            found.append(path)
    return found


def journal_region(journal_path: Path) -> str | None:
    """The region of the function a journal's run tuned (from its ARN), if recorded."""
    try:
        doc = json.loads(journal_path.read_text(encoding="utf-8"))
        arn = str(doc["original"]["function_arn"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" else None
