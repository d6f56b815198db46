"""`powertune local deploy` / `destroy`: the reference stack on a running local cloud.

Thin commands over `powertune.reference.deploy`: find the running local cloud
from its state folder, apply or destroy, and print the stack outputs as JSON.
`--app-dir` and `--terraform-dir` default to the repository's `app/` and
`infra/terraform/`, found from the working directory upwards.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from powertune.errors import ConfigError
from powertune.localcloud.state import read_live_state
from powertune.reference.deploy import LocalTarget
from powertune.reference.deploy import deploy as deploy_stack
from powertune.reference.deploy import destroy as destroy_stack
from powertune.reference.deploy import plan as plan_stack
from powertune.reference.folders import resolve_folders

_state_dir = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State folder of the running local cloud (default: as `powertune local up`).",
)


def _target(state_dir: Path | None) -> LocalTarget:
    state = read_live_state(state_dir)
    return LocalTarget(state.endpoint_url, state.region, Path(state.state_dir))


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--var key=value` pairs as a dict; a pair without '=' is a usage error."""
    variables: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--var {pair!r} is not KEY=VALUE (for example memory_size=512)")
        variables[key] = value
    return variables


@click.command("deploy")
@click.option(
    "--terraform-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The stack's Terraform folder, copied, never modified "
    "(default: infra/terraform of the repository around the working directory).",
)
@click.option(
    "--app-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The app folder to package, holding src/items_api and requirements.txt "
    "(default: app/ of the repository around the working directory).",
)
@click.option(
    "--var", "var_pairs", multiple=True, help="Terraform variable KEY=VALUE (repeatable)."
)
@_state_dir
def deploy(
    terraform_dir: Path | None,
    app_dir: Path | None,
    var_pairs: tuple[str, ...],
    state_dir: Path | None,
) -> None:
    """Package the items API and apply the Terraform stack to the local cloud."""
    variables = parse_vars(var_pairs)
    folders = resolve_folders(Path.cwd(), app_dir, terraform_dir)
    target = _target(state_dir)
    click.echo(f"deploying {folders.terraform_dir} to {target.endpoint_url} ...", err=True)
    outputs = deploy_stack(target, folders.terraform_dir, variables, app_dir=folders.app_dir)
    click.echo(json.dumps(outputs, indent=2, sort_keys=True))


@click.command("destroy")
@_state_dir
def destroy(state_dir: Path | None) -> None:
    """Destroy the stack that `powertune local deploy` applied."""
    target = _target(state_dir)
    destroy_stack(target)
    click.echo(f"destroyed the stack on {target.endpoint_url}", err=True)


@click.command("plan")
@click.option(
    "--terraform-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The stack's Terraform folder, as it is now (default: the repository's infra/terraform).",
)
@click.option(
    "--var", "var_pairs", multiple=True, help="Terraform variable KEY=VALUE (repeatable)."
)
@_state_dir
def plan(terraform_dir: Path | None, var_pairs: tuple[str, ...], state_dir: Path | None) -> None:
    """Drift check: `terraform plan -detailed-exitcode` of the deployed stack.

    Exits as Terraform does: 0 no changes, 2 changes (the plan is printed), 1 error.
    The deploy's own --var overrides are not reused: the plan checks the folder's
    files (memory.auto.tfvars.json included) and the --var given here.
    """
    variables = parse_vars(var_pairs)
    folders = resolve_folders(Path.cwd(), None, terraform_dir)
    code, text = plan_stack(_target(state_dir), folders.terraform_dir, variables)
    if code == 2:
        click.echo(text)
        click.echo("drift: the plan above would change the deployed stack", err=True)
        sys.exit(2)
    click.echo("no changes: the deployed stack matches the Terraform files", err=True)
