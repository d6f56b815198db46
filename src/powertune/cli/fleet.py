"""`powertune fleet --tag KEY=VALUE`: tune every function with the tag in one execution.

The functions are found by their tags (and confirmed with Lambda one by one),
each gets the execution input `tune --engine stepfunctions` would send, and one
execution of the fleet state machine (a Distributed Map of child workflows)
tunes them all. Each tuned function's result is written as `tune` writes it, to
`DIR/<function>/tuning-<ts>.json`; with `--mode`, each goes through `decide`.
Exit codes: 0 every function tuned (and decided), 1 any failed (the others are
still written), 2 bad input, 3 a decision denied or timed out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from powertune.cli.decide import saving_options
from powertune.cli.fleet_flow import FleetOptions, run_fleet
from powertune.cli.gate_options import gate_keys, gate_options
from powertune.cli.tune_options import fleet_tune_options


@click.command()
@click.option(
    "--tag",
    "tags",
    multiple=True,
    required=True,
    metavar="KEY=VALUE",
    help="Tune the functions that carry this tag (repeatable: they must carry every one).",
)
@fleet_tune_options
@click.option(
    "--state-machine-arn",
    default=None,
    help="The fleet state machine (`fleet_state_machine_arn` of `stepfunctions deploy`).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/history"),
    show_default=True,
    help="Folder for <function>/tuning-<ts>.json and fleet-<ts>.json.",
)
@click.option(
    "--mode",
    type=click.Choice(["auto", "manual"]),
    default=None,
    help="Also decide each function (as `powertune decide --mode`); default: only tune.",
)
@saving_options
@click.option("--alias", default=None, help="--mode: also move this alias to the new size.")
@gate_options
def fleet(**options: Any) -> None:
    """Tune every function carrying --tag KEY=VALUE, in one Step Functions execution."""
    gate = {key: options.pop(key) for key in gate_keys()}
    run_fleet(FleetOptions.parse(options, gate))
