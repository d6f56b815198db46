"""The on-disk journal of a tuning run, and `powertune cleanup` that replays it.

Before its first change a run writes `<state>/journals/<function>-<run>.json`
with the original configuration and RevisionId; every version, alias and
scratch copy it creates is added before the next step, and the file is
removed once everything is undone. After a SIGKILL or a lost connection,
`recover()` finishes the job from the file: it deletes what the run created and
restores the original configuration, unless someone changed the function since
(its RevisionId moved), in which case it says so and leaves it alone.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from powertune.errors import BackendError, ConfigError
from powertune.tuning.models import Architecture
from powertune.tuning.ports import Backend, FunctionConfig

ENV_STATE_DIR = "POWERTUNE_STATE_DIR"


def default_state_dir() -> Path:
    """`$POWERTUNE_STATE_DIR`, else `$XDG_STATE_HOME/powertune`, else ~/.local/state/powertune."""
    explicit = os.environ.get(ENV_STATE_DIR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "powertune"


class FileJournal:
    """A Journal that rewrites one JSON file atomically at each event."""

    def __init__(self, directory: Path, function_name: str, run_id: str) -> None:
        self.path = directory / "journals" / f"{function_name}-{run_id}.json"
        self._doc: dict[str, Any] = {
            "function_name": function_name,
            "run_id": run_id,
            "original": None,
            "scratch_copy": None,
            "last_revision": None,
            "restored": False,
            "created_function": None,
            "versions": [],
            "aliases": [],
        }

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._doc, indent=2), encoding="utf-8")
        tmp.replace(self.path)

    def begin(self, original: FunctionConfig, *, scratch_copy: str | None) -> None:
        self._doc["original"] = {**asdict(original), "architecture": original.architecture.value}
        self._doc["scratch_copy"] = scratch_copy
        self._write()

    def updated(self, revision_id: str) -> None:
        self._doc["last_revision"] = revision_id
        self._write()

    def created_function(self, function_name: str) -> None:
        self._doc["created_function"] = function_name
        self._write()

    def created_version(self, function_name: str, version: str) -> None:
        self._doc["versions"].append([function_name, version])
        self._write()

    def created_alias(self, function_name: str, alias: str) -> None:
        self._doc["aliases"].append([function_name, alias])
        self._write()

    def deleted_alias(self, function_name: str, alias: str) -> None:
        self._doc["aliases"] = [a for a in self._doc["aliases"] if a != [function_name, alias]]
        self._write()

    def deleted_version(self, function_name: str, version: str) -> None:
        self._doc["versions"] = [v for v in self._doc["versions"] if v != [function_name, version]]
        self._write()

    def restored(self) -> None:
        self._doc["restored"] = True
        self._write()

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


def pending_journals(directory: Path, function_name: str) -> list[Path]:
    """Journals left behind by interrupted runs on `function_name`."""
    folder = directory / "journals"
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.glob("*.json")
        if json.loads(p.read_text(encoding="utf-8")).get("function_name") == function_name
    )


def recover(backend: Backend, journal_path: Path) -> list[str]:
    """Undo what an interrupted run left behind; return what was done, line by line."""
    try:
        doc = json.loads(journal_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read journal {journal_path}: {exc}") from exc
    done: list[str] = []
    name = doc["function_name"]
    for fn, alias in doc["aliases"]:
        backend.delete_alias(fn, alias)
        done.append(f"deleted alias {fn}:{alias}")
    for fn, version in doc["versions"]:
        backend.delete_version(fn, version)
        done.append(f"deleted version {fn}:{version}")
    if doc.get("created_function"):
        backend.delete_function(doc["created_function"])
        done.append(f"deleted scratch copy {doc['created_function']}")
    original = doc.get("original")
    if (
        original
        and not doc.get("restored")
        and doc.get("last_revision")
        and not doc.get("scratch_copy")
    ):
        try:
            backend.update_configuration(
                name,
                memory_mb=int(original["memory_mb"]),
                architecture=Architecture(original["architecture"]),
                revision_id=doc["last_revision"],
            )
            done.append(f"restored {name} to {original['memory_mb']} MB")
        except BackendError as exc:
            if exc.code != "PreconditionFailedException":
                raise
            done.append(
                f"left {name} alone: it changed after the run's last update (someone deployed); "
                f"its original memory was {original['memory_mb']} MB"
            )
    journal_path.unlink(missing_ok=True)
    return done
