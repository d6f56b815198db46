"""Print a result's terminal report (`powertune.reports.terminal`) on stderr."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from powertune.reports.terminal import summary
from powertune.results.model import TuningResult

# Logs and CI are not terminals; rich would wrap the tables at 80 columns there.
console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)


def print_summary(result: TuningResult, path: Path) -> None:
    """The tables, failures and recommendation, then where the result file is."""
    for renderable in summary(result):
        console.print(renderable)
    console.print(f"result: {path}")
