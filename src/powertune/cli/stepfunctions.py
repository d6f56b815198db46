"""`powertune stepfunctions deploy`: apply the Step Functions module, to AWS or the local cloud.

Prints the outputs as JSON (`state_machine_arn`, `handler_arn`, `region`). With
`--local` the module goes to the running local cloud and the ARN is recorded in
its state folder, where `tune --engine stepfunctions --local` finds it.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from powertune.cli.factory import resolve_region
from powertune.stepfunctions.deploy import STACK, DeployTarget, deploy, find_module, record_local
from powertune.stepfunctions.discovery import parse_tag


@click.group("stepfunctions")
def stepfunctions() -> None:
    """The tuner as a Step Functions state machine (docs/stepfunctions.md)."""


@stepfunctions.command("deploy")
@click.option("--local", "use_local", is_flag=True, help="Deploy to the running local cloud.")
@click.option(
    "--local-state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State folder of the local cloud (default: as `powertune local up`).",
)
@click.option("--region", default=None, help="AWS region (default: AWS_REGION).")
@click.option(
    "--function",
    "functions",
    multiple=True,
    help="ARN of a function the state machine may tune (repeatable; AWS only: the "
    "handler's IAM policy is scoped to these).",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="KEY=VALUE",
    help="AWS only: also let the state machine tune every function carrying this tag "
    "(repeatable: all of them), for `powertune fleet`.",
)
@click.option(
    "--max-concurrency",
    type=int,
    default=3,
    show_default=True,
    help="Sizes measured at once in a batch (the Map's MaxConcurrency; 0 = all).",
)
def deploy_command(
    use_local: bool,
    local_state_dir: Path | None,
    region: str | None,
    functions: tuple[str, ...],
    tags: tuple[str, ...],
    max_concurrency: int,
) -> None:
    """Package the steps' Lambda and apply infra/terraform/modules/powertune-stepfunctions."""
    module = find_module(Path.cwd())
    function_tags = tuple((t.key, t.value) for t in map(parse_tag, tags))
    if use_local:
        from powertune.localcloud.state import read_live_state

        state = read_live_state(local_state_dir)
        state_dir = Path(state.state_dir)
        target = DeployTarget(
            region=region or state.region,
            workdir=state_dir / "stacks" / STACK,
            endpoint_url=state.endpoint_url,
            max_concurrency=max_concurrency,
            function_tags=function_tags,
        )
        # moto does not enforce IAM; the local policy names every function of the region
        arns = list(functions) or [f"arn:aws:lambda:{target.region}:*:function:*"]
        outputs = deploy(target, module, arns)
        record_local(state_dir, outputs)
    else:
        chosen = resolve_region(region, None, endpoint_url=None)
        target = DeployTarget(
            region=chosen,
            workdir=Path("build") / "stepfunctions" / chosen,
            max_concurrency=max_concurrency,
            function_tags=function_tags,
        )
        outputs = deploy(target, module, list(functions))
    click.echo(json.dumps(outputs, indent=2, sort_keys=True))
