"""Entry point of the `powertune` CLI: the command group and error-to-exit-code mapping."""

from __future__ import annotations

import sys

import click

from powertune import __version__
from powertune.cli.analyze import analyze
from powertune.cli.apply import apply, rollback
from powertune.cli.cleanup import cleanup
from powertune.cli.decide import decide
from powertune.cli.fleet import fleet
from powertune.cli.loadtest import loadtest
from powertune.cli.local import local
from powertune.cli.report import report
from powertune.cli.stepfunctions import stepfunctions
from powertune.cli.tune import tune
from powertune.errors import PowertuneError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="powertune")
def cli() -> None:
    """Measure AWS Lambda functions at several memory sizes and pick the right one."""


cli.add_command(tune)
cli.add_command(analyze)
cli.add_command(cleanup)
cli.add_command(decide)
cli.add_command(apply)
cli.add_command(rollback)
cli.add_command(local)
cli.add_command(report)
cli.add_command(loadtest)
cli.add_command(stepfunctions)
cli.add_command(fleet)


def main() -> None:
    """Run the CLI; library errors become one clear line and an exit code (0/1/2/3)."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except PowertuneError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
