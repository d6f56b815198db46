"""The steps of `powertune fleet`: options, discovery, the items, the execution.

Everything that can be refused is refused before the execution starts: the
options (parsed as `tune` parses them), the tags, each function's request and
prices. A function whose request cannot be built is reported as failed and not
sent; the others are. If the fleet execution itself fails, every function is
swept here (its run's versions and aliases deleted, `$LATEST` restored), as the
fleet's own items do after a failed child.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from botocore.exceptions import ClientError
from rich.console import Console

from powertune.cli.decide import parse_min_savings
from powertune.cli.factory import (
    build_backend,
    endpoint_client,
    load_prices,
    resolve_endpoint,
    resolve_region,
)
from powertune.cli.fleet_results import Outcome, collect, finish_fleet
from powertune.cli.fleet_stop import stop_and_sweep, sweep_all, swept_message
from powertune.cli.gate_options import gate_settings
from powertune.cli.signals import sigterm_as_interrupt
from powertune.cli.tune_options import TuneOptions, parse_request
from powertune.cli.tune_stepfunctions import Prepared, prepare_execution, sfn_client
from powertune.clock import SystemClock
from powertune.errors import ConfigError, PowertuneError
from powertune.stepfunctions.codec import config_to_json
from powertune.stepfunctions.deploy import recorded_state_machine
from powertune.stepfunctions.discovery import TagFilter, parse_tag, tagged_functions
from powertune.stepfunctions.execution import ExecutionFailed, Finished, follow, start
from powertune.stepfunctions.fleet import FleetItem, fleet_input
from powertune.tuning.plan import parse_function
from powertune.tuning.ports import Backend

err_console = Console(stderr=True)
#: a stand-in function for checking the shared options before any function is known
_PLACEHOLDER = "arn:aws:lambda:us-east-1:123456789012:function:placeholder"


@dataclass(frozen=True, slots=True)
class FleetOptions:
    """The parsed command line of `fleet`."""

    tags: tuple[TagFilter, ...]
    tune: dict[str, Any]
    state_machine_arn: str | None
    output: Path
    mode: str | None
    min_savings: str
    monthly_invocations: int
    alias: str | None
    gate: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, options: dict[str, Any], gate: dict[str, Any]) -> FleetOptions:
        names = ("state_machine_arn", "output", "mode", "alias", "min_savings")
        own = {k: options.pop(k) for k in (*names, "monthly_invocations")}
        tags = tuple(parse_tag(t) for t in options.pop("tags"))
        # what is left is `tune`'s own options, the same for every function
        parsed = cls(tags=tags, tune=dict(options), gate=gate, **own)
        parsed.check()
        return parsed

    def for_function(self, function: str) -> TuneOptions:
        """The options of `tune --engine stepfunctions FUNCTION` for one function."""
        name = parse_function(function).name
        return TuneOptions(
            function=function,
            backend_spec="aws",
            output=self.output / name,
            engine="stepfunctions",
            **self.tune,
        )

    def check(self) -> None:
        """Refuse bad shared options before anything is listed or started."""
        parse_request(self.for_function(_PLACEHOLDER), run_id="check")
        if self.mode is not None:
            parse_min_savings(self.min_savings)
        if self.mode == "manual":
            gate_settings(self.gate, os.environ)


@dataclass(frozen=True, slots=True)
class Sent:
    """A function sent to the fleet: its options, what it was sent, its prices."""

    options: TuneOptions
    item: FleetItem
    prepared: Prepared


def _state_machine(f: FleetOptions) -> str:
    if f.state_machine_arn:
        return f.state_machine_arn
    if f.tune["use_local"]:
        from powertune.localcloud.state import read_live_state

        state_dir = Path(read_live_state(f.tune["local_state_dir"]).state_dir)
        return recorded_state_machine(state_dir, "fleet_state_machine_arn")
    raise ConfigError(
        "fleet needs --state-machine-arn ARN (`fleet_state_machine_arn` printed by "
        "'powertune stepfunctions deploy'), or --local for the local cloud's"
    )


def _items(
    f: FleetOptions, arns: tuple[str, ...], backend: Backend, region: str
) -> tuple[list[Sent], list[Outcome]]:
    """Each function's execution input; the ones that cannot be built are failed, not sent."""
    sent: list[Sent] = []
    refused: list[Outcome] = []
    table = load_prices(f.tune["price_table"])  # once: every function is priced from it
    for arn in arns:
        o = f.for_function(arn)
        name = parse_function(arn).name
        try:
            request = parse_request(o, run_id=secrets.token_hex(4))
            prepared = prepare_execution(o, request, backend, region, table)
        except PowertuneError as exc:
            refused.append(Outcome.failed(name, arn, f"not started: {exc}"))
            continue
        item = FleetItem(
            function=name,
            execution_name=f"pt-{request.run_id}-{name}"[:80],
            execution_input=prepared.execution_input,
            original=config_to_json(prepared.config),
        )
        sent.append(Sent(o, item, prepared))
    return sent, refused


class _Progress:
    """Prints how many functions the fleet's map run has finished, when it changes."""

    def __init__(self, sfn: Any, fleet_arn: str, total: int) -> None:
        self._sfn, self._arn, self._total, self._said = sfn, fleet_arn, total, -1

    def __call__(self, _events: list[dict[str, Any]]) -> None:
        try:
            runs = self._sfn.list_map_runs(executionArn=self._arn).get("mapRuns", [])
            counts = self._sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])["itemCounts"]
        except (ClientError, LookupError):  # progress is best effort: moto may lack map runs
            return
        done = int(counts.get("succeeded", 0)) + int(counts.get("failed", 0))
        if done != self._said:
            err_console.print(f"fleet: {done} of {self._total} functions done")
            self._said = done


def run_fleet(f: FleetOptions) -> None:
    """Find, send, follow, collect, decide, report; exit as the module docstring says."""
    local = f.tune["use_local"]
    endpoint = resolve_endpoint(
        use_local=local,
        local_state_dir=f.tune["local_state_dir"],
        endpoint_url=f.tune["endpoint_url"],
        region=f.tune["region"],
    )
    region = resolve_region(endpoint.region, None, endpoint_url=endpoint.endpoint_url)
    machine = _state_machine(f)
    backend, _ = build_backend(
        "aws",
        region=region,
        endpoint_url=endpoint.endpoint_url,
        seed=None,
        credentials=endpoint.credentials,
    )
    lam = endpoint_client("lambda", endpoint, region)
    tagging = endpoint_client("resourcegroupstaggingapi", endpoint, region)
    found = tagged_functions(tagging, lam, list(f.tags), say=err_console.print)
    labels = ", ".join(t.label for t in f.tags)
    if not found.arns:
        raise ConfigError(
            f"no function in {region} carries {labels}; tag the functions to tune "
            "(aws lambda tag-resource), or check --region"
        )
    err_console.print(f"fleet: {len(found.arns)} functions carry {labels} ({found.method})")
    sent, refused = _items(f, found.arns, backend, region)
    if f.tune["dry_run"]:
        fleet_input([s.item for s in sent])  # a fleet too large for one execution fails here too
        _print_dry_run(machine, sent, refused)
        return
    sfn = sfn_client(endpoint, region)
    finished = _execute(sfn, machine, sent, backend) if sent else None
    outcomes = collect(sfn, finished, sent, refused, region, endpoint.endpoint_url)
    finish_fleet(f, outcomes, finished, region)


def _execute(sfn: Any, machine: str, sent: list[Sent], backend: Backend) -> Finished:
    """Start the fleet and follow it; on failure or Ctrl-C, stop it and sweep every function."""
    doc = fleet_input([s.item for s in sent])
    arn = start(sfn, machine, f"fleet-{secrets.token_hex(6)}", doc)
    err_console.print(f"execution {arn}")
    try:
        with sigterm_as_interrupt():
            finished = follow(sfn, arn, SystemClock(), _Progress(sfn, arn, len(sent)))
    except KeyboardInterrupt:
        err_console.print("interrupted: stopping the fleet execution and its child workflows")
        left = stop_and_sweep(sfn, machine, arn, sent, backend)
        err_console.print(f"interrupted: {swept_message(left)}")
        sys.exit(130)
    if finished.status != "SUCCEEDED":
        left = sweep_all(sent, backend, finished.error, finished.cause)
        raise ExecutionFailed(
            f"the fleet execution {arn} ended {finished.status} ({finished.error}: "
            f"{finished.cause}); {swept_message(left)}"
        )
    return finished


def _print_dry_run(machine: str, sent: list[Sent], refused: list[Outcome]) -> None:
    shown = {
        "state_machine_arn": machine,
        "functions": [s.item.function for s in sent],
        "not_started": {o.function: o.error for o in refused},
        "changes": "none (dry run)",
    }
    click.echo(json.dumps(shown, indent=2))
