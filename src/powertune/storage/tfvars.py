"""The Terraform write-back: `DIR/memory.auto.tfvars.json` as `{"<variable>": N}`.

Terraform loads `*.auto.tfvars.json` on every plan and apply, so once the tuned
value is written there the next `terraform apply` keeps it instead of putting
the old size back. Other keys in the file are kept as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from powertune.errors import ConfigError
from powertune.storage.journal import write_atomically

TFVARS_FILE = "memory.auto.tfvars.json"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def check_variable(name: str) -> str:
    """A Terraform variable name, or a ConfigError naming it."""
    if not _IDENTIFIER.match(name):
        raise ConfigError(
            f"--tfvar {name!r} is not a Terraform variable name; use letters, digits, _ and - "
            "(for example memory_size)"
        )
    return name


def check_folder(folder: Path) -> Path:
    """A Terraform folder to write back to (it must exist and hold .tf files)."""
    if not folder.is_dir() or not any(folder.glob("*.tf")):
        raise ConfigError(
            f"--terraform-dir {str(folder)!r} is not a Terraform folder (no .tf files); pass the "
            "folder of the stack that declares the memory variable (infra/terraform here)"
        )
    return folder


def write_memory(folder: Path, variable: str, memory_mb: int) -> Path:
    """Set `variable` to `memory_mb` in `folder`'s tfvars file, keeping every other key."""
    path = check_folder(folder) / TFVARS_FILE
    doc: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8") or "{}")
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path} is not JSON ({exc.msg} at line {exc.lineno}); fix it or remove it "
                "before writing the memory back"
            ) from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path} must hold a JSON object of variables; fix it or remove it")
        doc = loaded
    doc[check_variable(variable)] = memory_mb
    write_atomically(path, json.dumps(doc, indent=2) + "\n")
    return path
