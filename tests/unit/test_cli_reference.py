"""docs/cli.md is generated from the click commands; this fails when the two disagree."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import click

from powertune.cli.main import cli

ROOT = Path(__file__).parents[2]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_reference", ROOT / "scripts" / "gen_cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_reference_matches_the_commands() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == generator().render(), (
        "docs/cli.md is out of date: run `.venv/bin/python scripts/gen_cli_reference.py`"
    )


def _options(group: click.Group, path: list[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += _options(command, [*path, name])
            continue
        for param in command.params:
            if isinstance(param, click.Option):
                found.append((" ".join([*path, name]), max(param.opts, key=len)))
    return found


def test_every_flag_has_a_row_with_type_default_and_example() -> None:
    text = generator().render()
    options = _options(cli, [])
    assert ("tune", "--memory") in options
    assert ("analyze", "--discard-top-bottom") in options
    for command, flag in options:
        section = text.split(f"## `powertune {command}`", 1)[1].split("\n## ", 1)[0]
        rows = [line for line in section.splitlines() if line.startswith(f"| `{flag}`")]
        assert len(rows) == 1, (command, flag)
        cells = [c.strip() for c in rows[0].strip("|").split(" | ")]
        assert len(cells) == 5, rows[0]
        assert cells[1] and cells[2]  # type, default
        assert cells[4].startswith(f"`powertune {command}")
        assert flag in cells[4]


def test_check_mode_reports_drift(tmp_path: Path) -> None:
    module = generator()
    module.DOC = tmp_path / "cli.md"
    module.DOC.write_text("stale\n")
    assert module.main(["--check"]) == 1
    assert module.main([]) == 0
    assert module.main(["--check"]) == 0
