"""`powertune tune`, `powertune analyze` and `powertune cleanup`."""

from __future__ import annotations

import json
import secrets
import signal
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from powertune import price_tables
from powertune.cli.backends import build_backend, resolve_region
from powertune.cli.render import print_summary
from powertune.clock import SystemClock
from powertune.errors import ConfigError, TuningFailed
from powertune.journal import (
    FileJournal,
    default_state_dir,
    journal_region,
    pending_journals,
    recover,
)
from powertune.payloads import build_http_payload, parse_json_payload, parse_weighted_payloads
from powertune.results import build_document, read_records
from powertune.tuning.analysis import analyze as analyze_records
from powertune.tuning.compat.analysis import analyze_compat
from powertune.tuning.engine import Tuner, TuningRun
from powertune.tuning.models import (
    Analysis,
    Architecture,
    Configuration,
    InvocationRecord,
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
from powertune.tuning.pricing import PriceRate, PriceTable
from powertune.tuning.sampling import FixedSampling, SamplingPolicy
from powertune.tuning.stats import min_samples_for
from powertune.tuning.strategies import parse_strategy

if TYPE_CHECKING:
    from powertune.tuning.adaptive import AdaptiveSampling

COMPAT_UPSTREAM = "aws-lambda-power-tuning"
err_console = Console(stderr=True)


def _strategy_options(fn: Any) -> Any:
    options = [
        click.option(
            "--strategy",
            default="cost",
            show_default=True,
            help="cost | speed | balanced | latency-budget | cost-budget.",
        ),
        click.option(
            "--balanced-weight",
            type=float,
            default=0.5,
            show_default=True,
            help="For balanced: 0 = speed, 1 = cost (upstream's meaning).",
        ),
        click.option(
            "--latency-budget-ms",
            type=float,
            default=None,
            help="For latency-budget: the p90/p99 budget in ms.",
        ),
        click.option(
            "--latency-percentile",
            type=click.Choice(["90", "99"]),
            default="90",
            show_default=True,
            help="For latency-budget: which percentile must meet the budget.",
        ),
        click.option(
            "--cost-budget-usd",
            type=float,
            default=None,
            help="For cost-budget: the most to pay per invocation, USD.",
        ),
        click.option(
            "--price-table",
            type=click.Path(path_type=Path),
            default=None,
            help="A newer price table (same format as powertune/tuning/prices.json).",
        ),
        click.option(
            "--compat",
            type=click.Choice([COMPAT_UPSTREAM]),
            default=None,
            help="Report AWS Lambda Power Tuning's exact numbers at the top level.",
        ),
        click.option(
            "--discard-top-bottom",
            type=float,
            default=0.2,
            show_default=True,
            help="Compat mode only: share trimmed from each end (upstream's discardTopBottom).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _spec(
    strategy: str,
    balanced_weight: float,
    latency_budget_ms: float | None,
    latency_percentile: str,
    cost_budget_usd: float | None,
) -> StrategySpec:
    return parse_strategy(
        strategy,
        balanced_weight=balanced_weight,
        latency_budget_ms=latency_budget_ms,
        latency_percentile=int(latency_percentile),
        cost_budget_usd=cost_budget_usd,
    )


def _prices(path: Path | None) -> PriceTable:
    return price_tables.load_file(path) if path else price_tables.load_default()


def _analyze(
    records: Sequence[InvocationRecord],
    *,
    region: str,
    prices: PriceTable,
    spec: StrategySpec,
    allowed_errors: frozenset[str],
    forced: dict[Any, str] | None = None,
    policy: SamplingPolicy | None = None,
) -> tuple[Analysis, Any]:
    cache: dict[Architecture, PriceRate] = {}

    def rate_for(arch: Architecture) -> PriceRate:
        if arch not in cache:
            cache[arch] = prices.rate(region, arch)
        return cache[arch]

    adaptive = _adaptive_policy(policy)
    analysis = analyze_records(
        records,
        strategy=spec,
        rate_for=rate_for,
        allowed_errors=allowed_errors,
        forced_failures=forced,
        decide=adaptive is None,
    )
    if adaptive is not None:
        # The adaptive policy decides among the sizes it kept in the running: its
        # estimates pool the duration curve, which beats per-size means when few
        # samples were spent on a size (benchmarks/decision), and sizes it dropped
        # with confidence are not reported as ties.
        contenders = set(adaptive.contenders)
        among = analyze_records(
            [r for r in records if Configuration(r.memory_mb, r.architecture) in contenders],
            strategy=spec,
            rate_for=rate_for,
            allowed_errors=allowed_errors,
            forced_failures={c: why for c, why in (forced or {}).items() if c in contenders},
        )
        analysis = replace(analysis, recommendation=adaptive.recommendation(among))
    return analysis, rate_for


def _adaptive_policy(policy: SamplingPolicy | None) -> AdaptiveSampling | None:
    if policy is None or isinstance(policy, FixedSampling):
        return None  # (and no import of the adaptive policy's scipy.stats on this path)
    from powertune.tuning.adaptive import AdaptiveSampling

    return policy if isinstance(policy, AdaptiveSampling) else None


def _compat(
    records: Sequence[InvocationRecord],
    compat: str | None,
    spec: StrategySpec,
    region: str,
    discard_top_bottom: float,
    allowed_errors: frozenset[str],
) -> dict[str, object] | None:
    if compat is None:
        return None
    if spec.name.value not in ("cost", "speed", "balanced"):
        raise ConfigError(
            f"--compat {COMPAT_UPSTREAM} supports strategies cost, speed and balanced, "
            f"not {spec.name.value}"
        )
    return analyze_compat(
        records,
        strategy=spec.name.value,
        balanced_weight=spec.balanced_weight,
        discard_top_bottom=discard_top_bottom,
        lambda_region=region,
        allowed_exceptions=sorted(allowed_errors),
    )


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
@_strategy_options
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
    spec = _spec(strategy, balanced_weight, latency_budget_ms, latency_percentile, cost_budget_usd)
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
    prices = _prices(price_table)
    for arch in archs:
        prices.rate(the_region, arch)  # a missing price fails before any change
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
    adaptive = _adaptive_policy(policy)
    if adaptive is not None and not dry_run:
        # The policy drops sizes at risk of timing out; it needs the function's timeout.
        adaptive.timeout_ms = (
            backend.get_configuration(target.name, target.qualifier).timeout_s * 1000.0
        )
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
        doc = _result_document(
            run, prices, spec, compat, discard_top_bottom, synthetic, endpoint_url, policy
        )
    except ConfigError as exc:
        # The strategy cannot decide (no size meets the budget, too few samples for a
        # percentile): the measurements were paid for, so keep them and say how to re-decide.
        undecided = exc
        doc = _result_document(
            run, prices, StrategySpec(), None, discard_top_bottom, synthetic, endpoint_url
        )
        doc.update(power=None, cost=None, duration=None, architecture=None, recommendation=None)
        doc["settings"]["strategy"] = {**asdict(spec), "name": spec.name.value}
        doc["warnings"].append(f"no recommendation: {exc}")
    path = _write_result(doc, output)
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


def _result_document(
    run: TuningRun,
    prices: PriceTable,
    spec: StrategySpec,
    compat: str | None,
    discard_top_bottom: float,
    synthetic: bool,
    endpoint_url: str | None,
    policy: SamplingPolicy | None = None,
) -> dict[str, Any]:
    analysis, rate_for = _analyze(
        run.records,
        region=run.region,
        prices=prices,
        spec=spec,
        allowed_errors=run.plan.allowed_errors,
        forced=dict(run.backend_failures),
        policy=policy,
    )
    # Without a recommendation upstream's analyzer has nothing to report either (it
    # raises); the file then keeps our figures and the failures, and the run exits 1.
    compat_doc = (
        _compat(run.records, compat, spec, run.region, discard_top_bottom, run.plan.allowed_errors)
        if analysis.recommendation is not None
        else None
    )
    settings = {
        "memory_sizes": sorted({c.memory_mb for c in run.plan.configurations}),
        "architectures": sorted({c.architecture.value for c in run.plan.configurations}),
        "strategy": {**asdict(spec), "name": spec.name.value},
        "sampling": run.plan.sampling,
        "seed": run.plan.seed,
        "payloads": len(run.plan.payloads),
        "allowed_errors": sorted(run.plan.allowed_errors),
        "scratch_copy": run.plan.scratch_copy,
        "compat": compat,
        "run_id": run.plan.run_id,
        "original_memory_mb": run.original.memory_mb,
        "price_table": prices.describe(),
        "backend": {**run.backend, **({"endpoint_url": endpoint_url} if endpoint_url else {})},
    }
    return build_document(
        function_arn=run.function_arn,
        region=run.region,
        records=run.records,
        analysis=analysis,
        rate_for=rate_for,
        settings=settings,
        compat=compat_doc,
        events=[
            {
                "after_invocations": e.after_invocations,
                "action": e.action,
                "message": e.message,
                "configuration": e.configuration.label if e.configuration else None,
            }
            for e in run.events
        ],
        warnings=run.warnings,
        started_at=run.started_at,
        finished_at=run.finished_at,
        synthetic=synthetic,
    )


def _write_result(doc: dict[str, Any], output: Path) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = output / f"tuning-{stamp}.json"
    n = 1
    while path.exists():
        path = output / f"tuning-{stamp}-{n}.json"
        n += 1
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def _failed_without_records(
    doc: dict[str, Any], records: Sequence[InvocationRecord]
) -> dict[Configuration, str]:
    """Sizes the result lists as failed that have no record (e.g. Invoke itself failed).

    Re-deciding from records alone would make them vanish instead of staying failed.
    """
    seen = {Configuration(r.memory_mb, r.architecture) for r in records}
    forced: dict[Configuration, str] = {}
    for f in doc.get("failed") or []:
        try:
            configuration = Configuration(
                int(f["memory_mb"]), Architecture(f.get("architecture", "x86_64"))
            )
        except (KeyError, TypeError, ValueError):
            continue
        if configuration not in seen:
            forced[configuration] = str(f.get("failure") or "failed during the run")
    return forced


@click.command()
@click.argument("result", type=click.Path(path_type=Path))
@_strategy_options
@click.option(
    "--allowed-errors",
    default=None,
    help="Comma-separated errorType values (default: as recorded).",
)
def analyze(
    result: Path,
    strategy: str,
    balanced_weight: float,
    latency_budget_ms: float | None,
    latency_percentile: str,
    cost_budget_usd: float | None,
    price_table: Path | None,
    compat: str | None,
    discard_top_bottom: float,
    allowed_errors: str | None,
) -> None:
    """Re-decide from the raw records of RESULT.json without invoking anything; print the result."""
    try:
        doc = json.loads(result.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {str(result)!r}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{str(result)!r} is not JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(
            f"{str(result)!r} must hold a JSON object with function_arn, region, invocations"
        )
    function_arn, region, records = read_records(doc)
    del doc["invocations"]  # the records replace them; halves peak memory on big files
    spec = _spec(strategy, balanced_weight, latency_budget_ms, latency_percentile, cost_budget_usd)
    prices = _prices(price_table)
    recorded = doc.get("settings", {}).get("allowed_errors", [])
    allowed = frozenset(
        (e.strip() for e in allowed_errors.split(",") if e.strip())
        if allowed_errors is not None
        else recorded
    )
    analysis, rate_for = _analyze(
        records,
        region=region,
        prices=prices,
        spec=spec,
        allowed_errors=allowed,
        forced=_failed_without_records(doc, records),
    )
    compat_doc = (
        _compat(records, compat, spec, region, discard_top_bottom, allowed)
        if analysis.recommendation is not None
        else None
    )
    settings = {
        **doc.get("settings", {}),
        "strategy": {**asdict(spec), "name": spec.name.value},
        "compat": compat,
        "allowed_errors": sorted(allowed),
        "price_table": prices.describe(),
        "reanalyzed_from": str(result),
    }
    out = build_document(
        function_arn=function_arn,
        region=region,
        records=records,
        analysis=analysis,
        rate_for=rate_for,
        settings=settings,
        compat=compat_doc,
        events=doc.get("sampling_events", []),
        warnings=doc.get("warnings", []),
        synthetic=bool(doc.get("synthetic", False)),
    )
    click.echo(json.dumps(out, indent=2))
    if out["recommendation"] is None:
        raise TuningFailed("every memory size failed; see 'failed' in the output")


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
    for path in journals:
        # The journal knows where the run happened: its ARN's region is the default, so a
        # cleanup in another region cannot report deletions of things that never existed there.
        the_region = resolve_region(
            region, target.region or journal_region(path), endpoint_url=endpoint_url
        )
        backend, _ = build_backend(
            "aws", region=the_region, endpoint_url=endpoint_url, seed=None, credentials=credentials
        )
        for line in recover(backend, path):
            click.echo(line)
