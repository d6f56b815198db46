"""`powertune local ...`: start, stop and inspect the local cloud (placeholder until it lands)."""

from __future__ import annotations

import click


@click.group()
def local() -> None:
    """Run a local cloud that behaves like Lambda (memory-proportional CPU)."""
