"""Run the real `powertune` entry point in-process and capture its exit code and output."""

from __future__ import annotations

import sys

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
