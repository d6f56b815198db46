"""`powertune tune`: plan, run through a backend, analyse, write the result."""

from __future__ import annotations

import json
import secrets
import signal
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from types import FrameType

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from powertune.cli.backends import build_backend, resolve_region
from powertune.cli.decide import (
    adaptive_policy,
    load_prices,
    result_document,
    strategy_options,
    strategy_spec,
    write_result,
)
from powertune.cli.payload_options import (
    build_http_payload,
    parse_json_payload,
    parse_weighted_payloads,
)
from powertune.cli.render import print_summary
from powertune.clock import SystemClock
from powertune.errors import ConfigError, TuningFailed
from powertune.storage.journal import (
    FileJournal,
    default_state_dir,
)
from powertune.tuning.billing import bind_function, require_rates
from powertune.tuning.engine import Tuner
from powertune.tuning.models import (
    Payload,
    StrategyName,
    StrategySpec,
)
from powertune.tuning.plan import (
    DEFAULT_MEMORY_SIZES,
    build_plan,
    parse_architectures,
    parse_function,
    parse_memory_sizes,
)
from powertune.tuning.sampling import FixedSampling, SamplingPolicy
from powertune.tuning.stats import min_samples_for

err_console = Console(stderr=True)


def _payloads(
    payload: str | None,
    payloads_file: str | None,
    payload_http: str | None,
    http_header: Sequence[str],
    http_body: str | None,
    http_resource: str | None,
) -> list[Payload]:
    given = [x for x in (payload, payloads_file, payload_http) if x is not None]
    if len(given) > 1:
        raise ConfigError("use one of --payload, --payloads and --payload-http, not several")
    if payloads_file is not None:
        return parse_weighted_payloads(payloads_file)
    if payload_http is not None:
        return [
            build_http_payload(
                payload_http, headers=http_header, body=http_body, resource=http_resource
            )
        ]
    return [parse_json_payload(payload if payload is not None else "{}")]


def _check_percentile_budget(spec: StrategySpec, invocations: int) -> None:
    """Refuse a p90/p99 budget that a fixed run cannot reach, before anything is invoked."""
    if spec.name is not StrategyName.LATENCY_BUDGET:
        return
    need = min_samples_for(spec.latency_percentile)
    if invocations < need:
        raise ConfigError(
            f"p{spec.latency_percentile} needs at least {need} warm samples per size; "
            f"--invocations {invocations} cannot give them. Raise --invocations to {need} "
            "or more"
            + (", or use --latency-percentile 90" if spec.latency_percentile != 90 else "")
        )


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@click.command()
@click.argument("function")
@click.option(
    "--memory",
    "memory_spec",
    default=",".join(str(m) for m in DEFAULT_MEMORY_SIZES),
    show_default=True,
    help="Sizes in MB: a list (128,256) and/or inclusive ranges (128..3008:128).",
)
@strategy_options
@click.option(
    "--invocations",
    type=int,
    default=None,
    help="Fixed sampling: invocations per size after one warm-up (default: adaptive).",
)
@click.option(
    "--tolerance",
    type=float,
    default=0.01,
    show_default=True,
    help="Adaptive: stop when the remaining difference is below this share.",
)
@click.option(
    "--budget",
    "budget_invocations",
    type=int,
    default=None,
    help="Adaptive: most invocations to spend.",
)
@click.option("--budget-usd", type=float, default=None, help="Adaptive: most USD to spend.")
@click.option("--payload", default=None, help="JSON payload, or @file.json. Default: {}.")
@click.option(
    "--payloads",
    "payloads_file",
    default=None,
    help="Weighted set: JSON file of [{payload, weight}].",
)
@click.option(
    "--payload-http",
    default=None,
    help="An HTTP request as an API Gateway proxy event: 'GET /items/export'.",
)
@click.option(
    "--http-header", multiple=True, help="Header for --payload-http, 'Name: value' (repeatable)."
)
@click.option("--http-body", default=None, help="Body for --payload-http.")
@click.option(
    "--http-resource",
    default=None,
    help="API Gateway resource for --payload-http, e.g. /items/{id}.",
)
@click.option(
    "--architectures", default="x86_64", show_default=True, help="x86_64, arm64 or x86_64,arm64."
)
@click.option(
    "--allowed-errors", default="", help="Comma-separated errorType values that do not fail a size."
)
@click.option("--region", default=None, help="AWS region (default: from the ARN or AWS_REGION).")
@click.option("--endpoint-url", default=None, help="Lambda endpoint (e.g. the local cloud's).")
@click.option(
    "--local", "use_local", is_flag=True, help="Use the running local cloud (powertune local up)."
)
@click.option(
    "--local-state-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="State folder of the local cloud.",
)
@click.option(
    "--backend",
    "backend_spec",
    default="aws",
    show_default=True,
    help="aws, or simulate:PROFILE.yaml.",
)
@click.option(
    "--scratch-copy", is_flag=True, help="Tune a temporary copy; live traffic is never touched."
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path("reports/history"),
    show_default=True,
    help="Folder for tuning-<timestamp>.json.",
)
@click.option(
    "--seed", type=int, default=None, help="Seed of the invocation order (reproducible runs)."
)
@click.option(
    "--dry-run", is_flag=True, help="Print the plan and a cost upper bound; change nothing."
)
def tune(
    function: str,
    memory_spec: str,
    strategy: str,
    balanced_weight: float,
    latency_budget_ms: float | None,
    latency_percentile: str,
    cost_budget_usd: float | None,
    price_table: Path | None,
    compat: str | None,
    discard_top_bottom: float,
    invocations: int | None,
    tolerance: float,
    budget_invocations: int | None,
    budget_usd: float | None,
    payload: str | None,
    payloads_file: str | None,
    payload_http: str | None,
    http_header: tuple[str, ...],
    http_body: str | None,
    http_resource: str | None,
    architectures: str,
    allowed_errors: str,
    region: str | None,
    endpoint_url: str | None,
    use_local: bool,
    local_state_dir: Path | None,
    backend_spec: str,
    scratch_copy: bool,
    output: Path,
    seed: int | None,
    dry_run: bool,
) -> None:
    """Invoke FUNCTION at several memory sizes and recommend one.

    FUNCTION is a name, name:qualifier, an ARN or a qualified ARN.
    """
    spec = strategy_spec(
        strategy, balanced_weight, latency_budget_ms, latency_percentile, cost_budget_usd
    )
    sizes = parse_memory_sizes(memory_spec)
    archs = parse_architectures(architectures)
    payload_list = _payloads(
        payload, payloads_file, payload_http, http_header, http_body, http_resource
    )
    allowed = frozenset(e.strip() for e in allowed_errors.split(",") if e.strip())
    target = parse_function(function)
    credentials: tuple[str, str] | None = None
    if use_local:
        if endpoint_url:
            raise ConfigError("use --local or --endpoint-url, not both")
        from powertune.localcloud.state import read_endpoint

        local_endpoint = read_endpoint(local_state_dir)
        credentials = (local_endpoint.access_key_id, local_endpoint.secret_access_key)
        endpoint_url = local_endpoint.endpoint_url
        region = region or local_endpoint.region
    the_region = resolve_region(region, target.region, endpoint_url=endpoint_url)
    # a missing price fails before any change (not in compat mode: upstream prices any region)
    prices = require_rates(load_prices(price_table), the_region, archs, compat=compat is not None)
    policy: SamplingPolicy
    if invocations is not None:
        _check_percentile_budget(spec, invocations)
        policy = FixedSampling(invocations, seed=seed)
    else:
        from powertune.tuning.adaptive import AdaptiveSampling

        policy = AdaptiveSampling(
            spec,
            tolerance=tolerance,
            budget_invocations=budget_invocations,
            budget_usd=budget_usd,
            seed=seed,
            rate_for=lambda arch: prices.rate(the_region, arch),
        )
    run_id = secrets.token_hex(4)
    plan = build_plan(
        function=function,
        memory_sizes=sizes,
        architectures=archs,
        payloads=payload_list,
        strategy=spec,
        sampling=policy.name,
        max_invocations=policy.max_invocations(len(sizes) * len(archs)),
        scratch_copy=scratch_copy,
        run_id=run_id,
        seed=seed,
        allowed_errors=sorted(allowed),
    )
    backend, synthetic = build_backend(
        backend_spec,
        region=the_region,
        endpoint_url=endpoint_url,
        seed=seed,
        credentials=credentials,
    )
    adaptive = adaptive_policy(policy)
    if not dry_run:
        # Its /tmp size and runtime change the bill; the adaptive policy drops sizes at
        # risk of timing out, so it needs the timeout.
        config = backend.get_configuration(target.name, target.qualifier)
        prices = bind_function(prices, config)
        if adaptive is not None:
            adaptive.timeout_ms = config.timeout_s * 1000.0
    if dry_run:
        config = backend.get_configuration(target.name, target.qualifier)
        rate = prices.rate(the_region, archs[0])
        bound = plan.cost_upper_bound_usd(
            config.timeout_s, rate.usd_per_gb_second, rate.usd_per_request
        )
        click.echo(
            json.dumps(
                {
                    "function": function,
                    "region": the_region,
                    "configurations": [c.label for c in plan.configurations],
                    "sampling": plan.sampling,
                    "max_invocations": plan.max_invocations + len(plan.configurations),
                    "payloads": len(plan.payloads),
                    "strategy": spec.name.value,
                    "scratch_copy": scratch_copy,
                    "timeout_s": config.timeout_s,
                    "cost_upper_bound_usd": bound,
                    "changes": "none (dry run)",
                },
                indent=2,
            )
        )
        return
    journal = FileJournal(default_state_dir(), target.name, run_id)
    previous = signal.signal(signal.SIGTERM, _raise_on_sigterm)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    task = progress.add_task(
        f"tuning {target.name}", total=plan.max_invocations + len(plan.configurations)
    )
    tuner = Tuner(
        plan,
        backend,
        policy,
        clock=SystemClock(),
        journal=journal,
        on_invocation=lambda record, n: progress.update(task, completed=n),
        on_warning=lambda message: err_console.print(f"[yellow]warning:[/] {message}"),
    )
    try:
        with progress:
            run = tuner.run()
    except KeyboardInterrupt:
        err_console.print(
            "interrupted: the function was restored and the run's versions and aliases deleted"
        )
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    undecided: ConfigError | None = None
    try:
        doc = result_document(
            run, prices, spec, compat, discard_top_bottom, synthetic, endpoint_url, policy
        )
    except ConfigError as exc:
        # The strategy cannot decide (no size meets the budget, too few samples for a
        # percentile): the measurements were paid for, so keep them and say how to re-decide.
        undecided = exc
        doc = result_document(
            run, prices, StrategySpec(), None, discard_top_bottom, synthetic, endpoint_url
        )
        doc.update(power=None, cost=None, duration=None, architecture=None, recommendation=None)
        doc["settings"]["strategy"] = {**asdict(spec), "name": spec.name.value}
        doc["warnings"].append(f"no recommendation: {exc}")
    path = write_result(doc, output)
    print_summary(doc, path)
    if undecided is not None:
        raise ConfigError(
            f"{undecided}. The measurements are saved in {path}; re-decide without invoking "
            f"anything: powertune analyze {path} --strategy ..."
        ) from undecided
    if doc["recommendation"] is None:
        raise TuningFailed(
            "every memory size failed: "
            + "; ".join(f"{f['memory_mb']} MB: {f['failure']}" for f in doc["failed"])
        )
