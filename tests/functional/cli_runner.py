"""Run the real `powertune` entry point in-process and capture its exit code and output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from powertune.cli.main import main


def cli(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `powertune ARGS` through `main()`, as a shell would see."""
    monkeypatch.setattr(sys, "argv", ["powertune", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


#: the repository root: commands run from there, as a user of the checkout runs them
ROOT = Path(__file__).parents[2]


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run from the repository root with a private state folder and no region from outside."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("POWERTUNE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)


def only_result(folder: Path) -> dict[str, Any]:
    """The one result file a run wrote into `folder`, as JSON."""
    files = sorted(folder.glob("tuning-*.json"))
    assert len(files) == 1, files
    doc: dict[str, Any] = json.loads(files[0].read_text())
    return doc
