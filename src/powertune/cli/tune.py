"""`powertune tune`: parse the options, run the session, write and show the result."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from powertune.cli.analysis import RunContext, decide_run
from powertune.cli.factory import (
    build_backend,
    build_policy,
    load_prices,
    rates_in,
    resolve_endpoint,
    resolve_region,
)
from powertune.cli.progress import TerminalProgress
from powertune.cli.report import write_reports
from powertune.cli.signals import sigterm_as_interrupt
from powertune.cli.summary import print_summary
from powertune.cli.tune_options import TuneOptions, parse_request, tune_options
from powertune.clock import SystemClock
from powertune.errors import ConfigError, TuningFailed
from powertune.reports.naming import TUNE_FORMATS
from powertune.results.model import TuningResult
from powertune.storage.journal import FileJournal, default_state_dir
from powertune.storage.results import write_result
from powertune.tuning.billing import bind_function, require_rates
from powertune.tuning.engine import TuningRun
from powertune.tuning.plan import parse_function
from powertune.tuning.ports import Backend
from powertune.tuning.pricing import PriceTable
from powertune.tuning.request import TuningRequest
from powertune.tuning.sampling import SamplingPolicy
from powertune.tuning.session import plan_tuning, run_tuning, total_invocations

err_console = Console(stderr=True)


def print_dry_run(
    request: TuningRequest,
    policy: SamplingPolicy,
    backend: Backend,
    prices: PriceTable,
    region: str,
) -> None:
    """The plan and a cost upper bound as JSON on stdout; nothing is changed."""
    plan = plan_tuning(request, policy)
    config = backend.get_configuration(plan.target.name, plan.target.qualifier)
    rate = prices.rate(region, request.architectures[0])
    bound = plan.cost_upper_bound_usd(
        config.timeout_s, rate.usd_per_gb_second, rate.usd_per_request
    )
    shown = {
        "function": request.function,
        "region": region,
        "configurations": [c.label for c in plan.configurations],
        "sampling": plan.sampling,
        "max_invocations": total_invocations(plan),
        "payloads": len(plan.payloads),
        "strategy": request.strategy.name.value,
        "scratch_copy": request.scratch_copy,
        "timeout_s": config.timeout_s,
        "cost_upper_bound_usd": bound,
        "changes": "none (dry run)",
    }
    click.echo(json.dumps(shown, indent=2))


@click.command()
@click.argument("function")
@tune_options
def tune(**options: Any) -> None:
    """Invoke FUNCTION at several memory sizes and recommend one.

    FUNCTION is a name, name:qualifier, an ARN or a qualified ARN.
    """
    o = TuneOptions(**options)
    request = parse_request(o, run_id=secrets.token_hex(4))
    if o.engine == "stepfunctions" and not o.dry_run:
        from powertune.cli.tune_stepfunctions import tune_on_stepfunctions

        tune_on_stepfunctions(o, request)
        return
    target = parse_function(o.function)
    endpoint = resolve_endpoint(
        use_local=o.use_local,
        local_state_dir=o.local_state_dir,
        endpoint_url=o.endpoint_url,
        region=o.region,
    )
    region = resolve_region(endpoint.region, target.region, endpoint_url=endpoint.endpoint_url)
    # a missing price fails before any change (not in compat mode: upstream prices any region)
    prices = require_rates(
        load_prices(o.price_table), region, request.architectures, compat=o.compat is not None
    )
    policy = build_policy(request.strategy, o.sampling(), rates_in(prices, region))
    plan_tuning(request, policy)  # a bad plan fails before the backend is built
    backend, synthetic = build_backend(
        o.backend_spec,
        region=region,
        endpoint_url=endpoint.endpoint_url,
        seed=o.seed,
        credentials=endpoint.credentials,
    )
    if o.dry_run:
        print_dry_run(request, policy, backend, prices, region)
        return
    # The function's /tmp size and runtime change its bill, so the policy's cost
    # estimates are made with the bound prices.
    target_config = backend.get_configuration(target.name, target.qualifier)
    prices = bind_function(prices, target_config)
    policy = build_policy(request.strategy, o.sampling(), rates_in(prices, region))
    journal = FileJournal(default_state_dir(), target.name, request.run_id)
    try:
        with sigterm_as_interrupt(), TerminalProgress(err_console) as progress:
            run = run_tuning(
                request, backend, policy, clock=SystemClock(), journal=journal, progress=progress
            )
    except KeyboardInterrupt:
        err_console.print(
            "interrupted: the function was restored and the run's versions and aliases deleted"
        )
        sys.exit(130)
    ctx = RunContext(prices, synthetic, endpoint.endpoint_url)
    finish(run, ctx, o, policy)


def finish(
    run: TuningRun,
    ctx: RunContext,
    o: TuneOptions,
    policy: SamplingPolicy,
    adjust: Callable[[TuningResult], TuningResult] | None = None,
) -> Path:
    """Decide, write the result, show it; exit 1 or 2 when nothing could be recommended.

    `adjust` completes the result before it is written (the Step Functions engine adds
    the execution's cost).
    """
    result, undecided = decide_run(
        run, ctx, run.plan.strategy, o.compat, o.discard_top_bottom, policy
    )
    if adjust is not None:
        result = adjust(result)
    path = write_result(result, o.output)
    print_summary(result, path)
    if not o.no_report and result.analysed:
        written = write_reports(result, path, TUNE_FORMATS)
        err_console.print("reports: " + ", ".join(str(p) for p in written))
    if undecided is not None:
        raise ConfigError(
            f"{undecided}. The measurements are saved in {path}; re-decide without invoking "
            f"anything: powertune analyze {path} --strategy ..."
        ) from undecided
    if result.recommendation is None:
        raise TuningFailed(
            "every memory size failed: "
            + "; ".join(f"{f.memory_mb} MB: {f.failure}" for f in result.failed)
        )
    return path
