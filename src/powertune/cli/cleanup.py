"""`powertune cleanup`: finish what an interrupted run left behind, from its journal.

It loads each pending journal's ledger and runs the same `undo` as the run's own
`finally`; it prints what was done and every problem, and exits 1 if any remain.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from powertune.cli.factory import build_backend, resolve_region
from powertune.storage.journal import (
    default_state_dir,
    journal_region,
    load_ledger,
    pending_journals,
)
from powertune.tuning.plan import parse_function
from powertune.tuning.undo import Problem, undo


@click.command()
@click.argument("function")
@click.option("--region", default=None, help="AWS region (default: from the ARN or AWS_REGION).")
@click.option("--endpoint-url", default=None, help="Lambda endpoint (e.g. the local cloud's).")
@click.option("--local", "use_local", is_flag=True, help="Use the running local cloud.")
@click.option(
    "--local-state-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="State folder of the local cloud.",
)
def cleanup(
    function: str,
    region: str | None,
    endpoint_url: str | None,
    use_local: bool,
    local_state_dir: Path | None,
) -> None:
    """Finish what an interrupted run left behind on FUNCTION (from its journal)."""
    target = parse_function(function)
    credentials: tuple[str, str] | None = None
    if use_local:
        from powertune.localcloud.state import read_endpoint

        local_endpoint = read_endpoint(local_state_dir)
        credentials = (local_endpoint.access_key_id, local_endpoint.secret_access_key)
        endpoint_url = local_endpoint.endpoint_url
        region = region or local_endpoint.region
    journals = pending_journals(default_state_dir(), target.name)
    if not journals:
        click.echo(f"nothing to clean up for {target.name}: no journal of an unfinished run")
        return
    problems: list[Problem] = []
    for path in journals:
        # The journal knows where the run happened: its ARN's region is the default, so a
        # cleanup in another region cannot report deletions of things that never existed there.
        the_region = resolve_region(
            region, target.region or journal_region(path), endpoint_url=endpoint_url
        )
        backend, _ = build_backend(
            "aws", region=the_region, endpoint_url=endpoint_url, seed=None, credentials=credentials
        )
        problems += undo(load_ledger(path), backend, report=click.echo)
    for problem in problems:
        click.echo(f"{problem.kind.value}: {problem.message}; {problem.fix}")
    if any(p.outstanding for p in problems):
        sys.exit(1)
