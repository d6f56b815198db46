"""Where a command finds the function: `--region`, `--endpoint-url`, `--local [--local-state-dir]`.

Shared by `decide`, `apply` and `rollback`, which change a function rather than
measure it, so they need only the AWS backend (no simulator).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from powertune.cli.factory import build_backend, resolve_endpoint, resolve_region
from powertune.tuning.plan import parse_function
from powertune.tuning.ports import Backend


def target_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the four options to a click command (as `region`, `endpoint_url`, `use_local`,
    `local_state_dir`)."""
    for option in reversed(
        [
            click.option("--region", default=None, help="AWS region (default: the result's)."),
            click.option("--endpoint-url", default=None, help="Lambda endpoint to use instead."),
            click.option(
                "--local",
                "use_local",
                is_flag=True,
                help="Use the running local cloud (powertune local up).",
            ),
            click.option(
                "--local-state-dir",
                type=click.Path(file_okay=False, path_type=Path),
                default=None,
                help="State folder of the local cloud.",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def lambda_backend(
    function: str,
    *,
    region: str | None,
    endpoint_url: str | None,
    use_local: bool,
    local_state_dir: Path | None,
    default_region: str | None = None,
) -> tuple[Backend, str]:
    """The AWS backend (real AWS, `--endpoint-url`, or the local cloud) and its region."""
    target = parse_function(function)
    endpoint = resolve_endpoint(
        use_local=use_local,
        local_state_dir=local_state_dir,
        endpoint_url=endpoint_url,
        region=region,
    )
    the_region = resolve_region(
        endpoint.region or default_region,
        target.region,
        endpoint_url=endpoint.endpoint_url,
    )
    backend, _ = build_backend(
        "aws",
        region=the_region,
        endpoint_url=endpoint.endpoint_url,
        seed=None,
        credentials=endpoint.credentials,
    )
    return backend, the_region
