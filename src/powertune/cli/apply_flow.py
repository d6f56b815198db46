"""The apply step shared by `apply`, `rollback` and `decide`: change, write back, record.

One path for all three, so a decision's apply is exactly `powertune apply`:
the change goes through the ledger (journaled, undone on failure or Ctrl-C), then
the Terraform variable is written back, then `apply-<ts>.json` is recorded.
"""

from __future__ import annotations

import getpass
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click

from powertune.cli.signals import sigterm_as_interrupt
from powertune.decision.apply import Applied, ApplyPlan, apply_memory
from powertune.decision.records import ApplyRecord, TfvarsWrite, apply_to_json
from powertune.storage.history import new_path, write_json
from powertune.storage.journal import FileJournal, default_state_dir
from powertune.storage.tfvars import check_folder, check_variable, write_memory
from powertune.tuning.ports import Backend

DEFAULT_HISTORY = Path("reports/history")


def writeback_options(fn: click.decorators.FC) -> click.decorators.FC:
    """`--terraform-dir DIR` and `--tfvar NAME`."""
    fn = click.option(
        "--tfvar",
        default="memory_size",
        show_default=True,
        help="The Terraform variable that holds the memory.",
    )(fn)
    return click.option(
        "--terraform-dir",
        type=click.Path(path_type=Path),
        default=None,
        help="Write the memory back to DIR/memory.auto.tfvars.json.",
    )(fn)


@dataclass(frozen=True, slots=True)
class WriteBack:
    """Where the applied memory is written back (folder None: nowhere)."""

    folder: Path | None
    variable: str

    @classmethod
    def checked(cls, folder: Path | None, variable: str) -> WriteBack:
        """Validated before anything changes, so bad input exits 2 with the function untouched."""
        check_variable(variable)
        return cls(None if folder is None else check_folder(folder), variable)

    def write(self, memory_mb: int) -> TfvarsWrite | None:
        if self.folder is None:
            return None
        path = write_memory(self.folder, self.variable, memory_mb)
        return TfvarsWrite(str(path), self.variable, memory_mb)


def actor() -> str:
    """Who acts: GitHub's actor in a workflow, else the local user."""
    return os.environ.get("GITHUB_ACTOR") or getpass.getuser()


def run_apply(
    backend: Backend,
    plan: ApplyPlan,
    *,
    region: str,
    history: Path,
    writeback: WriteBack,
    at: datetime,
    by: str,
    action: str = "apply",
    decision_file: str | None = None,
    rolls_back: str | None = None,
) -> tuple[ApplyRecord, Path]:
    """Apply `plan`, write the memory back, record `apply-<ts>.json`; return the record."""
    run_id = secrets.token_hex(4)
    journal = FileJournal(default_state_dir(), plan.function_name, run_id)
    with sigterm_as_interrupt():
        applied: Applied = apply_memory(backend, plan, run_id=run_id, sink=journal)
    tf = writeback.write(applied.memory_mb_after)
    record = ApplyRecord(action, applied, region, at, by, decision_file, rolls_back, tf)
    path = write_json(new_path(history, "apply", at, ".json"), apply_to_json(record))
    return record, path
