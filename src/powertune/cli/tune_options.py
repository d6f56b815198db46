"""The command-line options of `powertune tune`, and their parsing into a TuningRequest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from powertune.cli.factory import SamplingOptions
from powertune.cli.payload_options import (
    build_http_payload,
    parse_json_payload,
    parse_weighted_payloads,
)
from powertune.cli.strategy_options import strategy_options, strategy_spec
from powertune.errors import ConfigError
from powertune.tuning.models import Payload
from powertune.tuning.plan import DEFAULT_MEMORY_SIZES, parse_architectures, parse_memory_sizes
from powertune.tuning.request import TuningRequest

OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--memory",
        "memory_spec",
        default=",".join(str(m) for m in DEFAULT_MEMORY_SIZES),
        show_default=True,
        help="Sizes in MB: a list (128,256) and/or inclusive ranges (128..3008:128).",
    ),
    strategy_options,
    click.option(
        "--invocations",
        type=int,
        default=None,
        help="Fixed sampling: invocations per size after one warm-up (default: adaptive).",
    ),
    click.option(
        "--tolerance",
        type=float,
        default=0.01,
        show_default=True,
        help="Adaptive: stop when the remaining difference is below this share.",
    ),
    click.option(
        "--budget",
        "budget_invocations",
        type=int,
        default=None,
        help="Adaptive: most invocations to spend.",
    ),
    click.option("--budget-usd", type=float, default=None, help="Adaptive: most USD to spend."),
    click.option("--payload", default=None, help="JSON payload, or @file.json. Default: {}."),
    click.option(
        "--payloads",
        "payloads_file",
        default=None,
        help="Weighted set: JSON file of [{payload, weight}].",
    ),
    click.option(
        "--payload-http",
        default=None,
        help="An HTTP request as an API Gateway proxy event: 'GET /items/export'.",
    ),
    click.option(
        "--http-header",
        multiple=True,
        help="Header for --payload-http, 'Name: value' (repeatable).",
    ),
    click.option("--http-body", default=None, help="Body for --payload-http."),
    click.option(
        "--http-resource",
        default=None,
        help="API Gateway resource for --payload-http, e.g. /items/{id}.",
    ),
    click.option(
        "--architectures",
        default="x86_64",
        show_default=True,
        help="x86_64, arm64 or x86_64,arm64.",
    ),
    click.option(
        "--allowed-errors",
        default="",
        help="Comma-separated errorType values that do not fail a size.",
    ),
    click.option(
        "--region", default=None, help="AWS region (default: from the ARN or AWS_REGION)."
    ),
    click.option("--endpoint-url", default=None, help="Lambda endpoint (e.g. the local cloud's)."),
    click.option(
        "--local",
        "use_local",
        is_flag=True,
        help="Use the running local cloud (powertune local up).",
    ),
    click.option(
        "--local-state-dir",
        type=click.Path(path_type=Path),
        default=None,
        help="State folder of the local cloud.",
    ),
    click.option(
        "--backend",
        "backend_spec",
        default="aws",
        show_default=True,
        help="aws, or simulate:PROFILE.yaml.",
    ),
    click.option(
        "--scratch-copy", is_flag=True, help="Tune a temporary copy; live traffic is never touched."
    ),
    click.option(
        "--output",
        type=click.Path(path_type=Path),
        default=Path("reports/history"),
        show_default=True,
        help="Folder for tuning-<timestamp>.json.",
    ),
    click.option(
        "--seed", type=int, default=None, help="Seed of the invocation order (reproducible runs)."
    ),
    click.option(
        "--dry-run", is_flag=True, help="Print the plan and a cost upper bound; change nothing."
    ),
    click.option(
        "--no-report",
        is_flag=True,
        help="Write only the JSON: no power-tuner-<timestamp>.html/.png/.md beside it.",
    ),
    click.option(
        "--engine",
        type=click.Choice(["cli", "stepfunctions"]),
        default="cli",
        show_default=True,
        help="Run here, or as a Step Functions execution (docs/stepfunctions.md).",
    ),
    click.option(
        "--state-machine-arn",
        default=None,
        help="--engine stepfunctions: the state machine (with --local: the one deployed there).",
    ),
]


#: options of `tune` that `fleet` does not take: it always runs on Step Functions, on
#: Lambda, with its own --state-machine-arn and --output
_NOT_FOR_FLEET = ("--backend", "--output", "--engine", "--state-machine-arn")


def tune_options(fn: Any) -> Any:
    """Add every option of `tune` (in the order `--help` and docs/cli.md list them)."""
    for option in reversed(OPTIONS):
        fn = option(fn)
    return fn


def fleet_tune_options(fn: Any) -> Any:
    """Add the options of `tune` that apply to each function of a fleet.

    click keeps a command's options in `__click_params__` until the command is made,
    so the ones `fleet` does not take are dropped from what `tune_options` added
    (and only from that: `fleet` declares its own --output and --state-machine-arn).
    """
    before = len(getattr(fn, "__click_params__", []))
    fn = tune_options(fn)
    params: list[click.Parameter] = fn.__click_params__
    added, kept = params[before:], params[:before]
    fn.__click_params__ = kept + [p for p in added if not set(p.opts) & set(_NOT_FOR_FLEET)]
    return fn


@dataclass(frozen=True, slots=True)
class TuneOptions:
    """What click parsed for `tune`, one field per parameter (named as click names them)."""

    function: str
    memory_spec: str
    strategy: str
    balanced_weight: float
    latency_budget_ms: float | None
    latency_percentile: str
    cost_budget_usd: float | None
    price_table: Path | None
    compat: str | None
    discard_top_bottom: float
    invocations: int | None
    tolerance: float
    budget_invocations: int | None
    budget_usd: float | None
    payload: str | None
    payloads_file: str | None
    payload_http: str | None
    http_header: tuple[str, ...]
    http_body: str | None
    http_resource: str | None
    architectures: str
    allowed_errors: str
    region: str | None
    endpoint_url: str | None
    use_local: bool
    local_state_dir: Path | None
    backend_spec: str
    scratch_copy: bool
    output: Path
    seed: int | None
    dry_run: bool
    no_report: bool = False
    engine: str = "cli"
    state_machine_arn: str | None = None

    def sampling(self) -> SamplingOptions:
        return SamplingOptions(
            invocations=self.invocations,
            tolerance=self.tolerance,
            budget_invocations=self.budget_invocations,
            budget_usd=self.budget_usd,
            seed=self.seed,
        )


def parse_payloads(o: TuneOptions) -> list[Payload]:
    """--payload, --payloads or --payload-http (with its header, body and resource)."""
    given = [x for x in (o.payload, o.payloads_file, o.payload_http) if x is not None]
    if len(given) > 1:
        raise ConfigError("use one of --payload, --payloads and --payload-http, not several")
    if o.payloads_file is not None:
        return parse_weighted_payloads(o.payloads_file)
    if o.payload_http is not None:
        return [
            build_http_payload(
                o.payload_http, headers=o.http_header, body=o.http_body, resource=o.http_resource
            )
        ]
    return [parse_json_payload(o.payload if o.payload is not None else "{}")]


def parse_request(o: TuneOptions, run_id: str) -> TuningRequest:
    """The validated request; every bad value is a ConfigError naming it and the fix."""
    spec = strategy_spec(
        o.strategy, o.balanced_weight, o.latency_budget_ms, o.latency_percentile, o.cost_budget_usd
    )
    sizes = parse_memory_sizes(o.memory_spec)
    architectures = parse_architectures(o.architectures)
    payloads = parse_payloads(o)
    return TuningRequest(
        function=o.function,
        memory_sizes=tuple(sizes),
        architectures=tuple(architectures),
        payloads=tuple(payloads),
        strategy=spec,
        allowed_errors=frozenset(e.strip() for e in o.allowed_errors.split(",") if e.strip()),
        scratch_copy=o.scratch_copy,
        run_id=run_id,
        seed=o.seed,
    )
