"""`powertune loadtest`: Locust at several memory sizes, PDFs per size and their comparison.

Thin: parse the options, build the backend and the logs reader, run
`powertune.loadtest.session.LoadTest`, write the reports and the result, then
check the thresholds (a breach exits 1, after every file is written).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from powertune.backends.logs import CloudWatchLogs
from powertune.cli.durations import parse_duration
from powertune.cli.factory import build_backend, load_prices
from powertune.cli.loadtest_target import Target, resolve_target
from powertune.cli.signals import sigterm_as_interrupt
from powertune.clock import SystemClock
from powertune.errors import ConfigError
from powertune.loadtest.model import LoadTestResult, LoadTestSetup, from_run
from powertune.loadtest.report_files import write_reports
from powertune.loadtest.result_file import read_result, write_result
from powertune.loadtest.runner import bundled_scenario
from powertune.loadtest.session import LoadTest, LoadTestPlan, LoadTestRun
from powertune.loadtest.thresholds import (
    Threshold,
    check_thresholds,
    parse_threshold,
    raise_on_breach,
)
from powertune.storage.journal import FileJournal, default_state_dir
from powertune.tuning.billing import bind_function


@dataclass(frozen=True, slots=True)
class LoadTestOptions:
    """The command's options as click parsed them."""

    memory: str
    users: int
    spawn_rate: float
    duration: str
    scenario: str | None
    thresholds: tuple[str, ...]
    baseline: Path | None
    no_change_pct: float
    function_name: str | None
    url: str | None
    use_local: bool
    local_state_dir: Path | None
    region: str | None
    endpoint_url: str | None
    price_table: Path | None
    logs_wait: str
    output: Path


def parse_sizes(text: str) -> tuple[int, ...]:
    """`512,1024` as sizes in order; each 128-10240 MB, no repeats."""
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        sizes = ()
    if not sizes or any(not 128 <= s <= 10240 for s in sizes) or len(set(sizes)) != len(sizes):
        raise ConfigError(
            f"--memory {text!r} is not a list of sizes; write distinct MB values from 128 to "
            "10240 separated by commas, e.g. --memory 512,1024 (the first is the reference)"
        )
    return sizes


def resolve_scenario(value: str | None) -> tuple[Path, str]:
    """(Locust file, how the reports name it): a FILE, or a bundled `items_api`/`export`."""
    if value is None:
        return bundled_scenario("items_api"), "items_api (bundled mixed scenario)"
    path = Path(value)
    if path.is_file():
        return path.absolute(), path.name
    if value in ("items_api", "export"):
        return bundled_scenario(value), f"{value} (bundled)"
    raise ConfigError(
        f"--scenario {value!r} is neither a Locust file nor a bundled scenario; give a .py "
        "file or one of: items_api, export"
    )


@click.command("loadtest")
@click.option(
    "--memory", "memory", required=True, help="Sizes in MB, the first is the reference: 512,1024."
)
@click.option(
    "--users",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Virtual users (Locust users, each with think time).",
)
@click.option(
    "--spawn-rate",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Users started per second.",
)
@click.option("--duration", default="2m", show_default=True, help="Load per size (30s, 2m).")
@click.option(
    "--scenario",
    default=None,
    help="Locust file, or a bundled one: items_api (default, mixed) or export.",
)
@click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    help="Pass condition, repeatable: p95<300ms, avg<100ms, errors<1%, rps>5.",
)
@click.option(
    "--baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="An earlier loadtest-<ts>.json to compare with.",
)
@click.option(
    "--no-change",
    "no_change_pct",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="Changes below this % are called 'no change'.",
)
@click.option("--function", "function_name", default=None, help="The function behind --url.")
@click.option("--url", default=None, help="Base URL of the API (the stage's invoke URL).")
@click.option(
    "--local",
    "use_local",
    is_flag=True,
    help="Load the stack `powertune local deploy` applied to the local cloud.",
)
@click.option(
    "--local-state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State folder of the local cloud (with --local).",
)
@click.option("--region", default=None, help="AWS region (default: AWS_REGION).")
@click.option("--endpoint-url", default=None, help="Lambda and CloudWatch Logs endpoint.")
@click.option(
    "--price-table",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Lambda price table (default: the bundled one).",
)
@click.option(
    "--logs-wait",
    default="30s",
    show_default=True,
    help="How long to wait for late REPORT lines per size.",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder of every file.",
)
def loadtest(**options: Any) -> None:
    """Load an API at several memory sizes of its function; PDF report per size and compared.

    Each size is set through the run ledger and the function is restored after,
    also on failure or Ctrl-C. Exits 1 when a --threshold breaks (after every
    file is written), 2 on bad options.
    """
    o = LoadTestOptions(**options)
    thresholds = tuple(parse_threshold(t) for t in o.thresholds)
    sizes = parse_sizes(o.memory)
    duration_s = parse_duration(o.duration, "--duration")
    logs_wait_s = parse_duration(o.logs_wait, "--logs-wait")
    scenario, scenario_label = resolve_scenario(o.scenario)
    baseline = read_result(o.baseline) if o.baseline else None
    target = resolve_target(
        use_local=o.use_local,
        local_state_dir=o.local_state_dir,
        function_name=o.function_name,
        url=o.url,
        region=o.region,
        endpoint_url=o.endpoint_url,
    )
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    plan = LoadTestPlan(
        target.function_name, target.url, sizes, o.users, o.spawn_rate, duration_s, scenario, run_id
    )
    run = _run(plan, target, o.output, logs_wait_s)
    setup = LoadTestSetup(
        run_id=run_id,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        function_name=target.function_name,
        url=target.url,
        region=target.region,
        users=o.users,
        spawn_rate=o.spawn_rate,
        duration_s=duration_s,
        scenario=scenario_label,
        original_memory_mb=run.original.memory_mb,
        environment=f"{target.environment}; load generator on {os.cpu_count()} cores",
    )
    _finish(run, setup, o, thresholds, baseline)


def _run(plan: LoadTestPlan, target: Target, output: Path, logs_wait_s: float) -> LoadTestRun:
    backend, _ = build_backend(
        "aws",
        region=target.region,
        endpoint_url=target.endpoint_url,
        seed=None,
        credentials=target.credentials,
    )
    logs = CloudWatchLogs.connect(target.region, target.endpoint_url, target.credentials)
    journal = FileJournal(default_state_dir(), plan.function_name, f"loadtest-{plan.run_id}")
    test = LoadTest(plan, backend, logs, journal, SystemClock(), output, _say, logs_wait_s)
    try:
        with sigterm_as_interrupt():
            return test.run()
    except KeyboardInterrupt:
        _say(f"interrupted: the load stopped; {plan.function_name}'s restore is reported above")
        sys.exit(130)


def _finish(
    run: LoadTestRun,
    setup: LoadTestSetup,
    o: LoadTestOptions,
    thresholds: tuple[Threshold, ...],
    baseline: LoadTestResult | None,
) -> None:
    prices = load_prices(o.price_table)
    rate = bind_function(prices, run.original).rate(setup.region, run.original.architecture)
    result = from_run(run, setup, rate)
    written = write_reports(
        result, o.output, rate, baseline=baseline, no_change_pct=o.no_change_pct
    )
    outcomes = check_thresholds(thresholds, {s.memory_mb: s.summary for s in result.sizes})
    path = write_result(result, o.output, outcomes, list(written.files))
    for size in result.sizes:
        # The recorder's JSON lines are now in the run's CSV: keep one copy of the raw data.
        (o.output / f"loadtest-{setup.run_id}-{size.memory_mb}MB.jsonl").unlink(missing_ok=True)
    for size in result.sizes:
        s = size.summary
        cost = "n/a" if size.cost is None else f"{size.cost.lambda_total_usd:.4f} USD"
        _say(
            f"{size.memory_mb} MB: {s.requests} requests, {s.throughput_rps:.2f} req/s, "
            f"p95 {s.p95_ms:.1f} ms, errors {s.error_rate_pct:.2f}%, Lambda per 1M {cost}"
        )
    for outcome in outcomes:
        _say(outcome.line)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file and written.markdown:
        with Path(summary_file).open("a", encoding="utf-8") as out:
            out.write("\n".join(written.markdown) + "\n")
    _say(f"wrote {path} and {', '.join(written.files)} in {o.output}")
    raise_on_breach(outcomes)


def _say(line: str) -> None:
    click.echo(line, err=True)
