"""`<size>MB.pdf`: the report of one memory size under load, as a reviewer signs it off.

Sections, in the order of the Postman performance report it replaces: setup,
summary, cost per million requests, response-time and throughput timelines,
per-endpoint table, slowest requests, errors. All text is text (searchable,
copyable); only the two timelines are images.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from powertune.loadtest import charts
from powertune.loadtest.model import LoadTestSetup, SizeResult
from powertune.loadtest.pdf_common import (
    CONTENT_WIDTH,
    SMALL,
    SUBTITLE,
    TITLE,
    build,
    chart,
    escape,
    key_values,
    mm,
    ms,
    paragraph,
    pct,
    section,
    table,
    usd,
)
from powertune.loadtest.statistics import (
    bucket_for,
    error_groups,
    per_endpoint,
    slowest,
    span_s,
    timeline,
)

SECTIONS = (
    "Setup",
    "Summary",
    "Cost per million requests",
    "Response time over time",
    "Throughput over time",
    "Per endpoint",
    "Slowest requests",
    "Errors",
)


def setup_pairs(setup: LoadTestSetup, memory_mb: int | None) -> list[tuple[str, str]]:
    pairs = [("Function", setup.function_name)]
    if memory_mb is not None:
        pairs.append(("Memory size", f"{memory_mb} MB"))
    pairs += [
        ("URL", setup.url),
        ("Scenario", setup.scenario),
        ("Virtual users", f"{setup.users} (spawn rate {setup.spawn_rate:g}/s)"),
        ("Duration per size", f"{setup.duration_s:g} s"),
        ("Region", setup.region),
        ("Environment", setup.environment),
        ("Memory before and after", f"{setup.original_memory_mb} MB (restored after the run)"),
        ("Run", f"{setup.run_id}, {setup.created_at}"),
    ]
    return pairs


def summary_rows(size: SizeResult) -> list[list[str]]:
    s = size.summary
    return [
        ["Requests", "Throughput", "Average", "p50", "p90", "p95", "p99", "Error rate"],
        [
            f"{s.requests:,}",
            f"{s.throughput_rps:.2f} req/s",
            ms(s.avg_ms),
            ms(s.p50_ms),
            ms(s.p90_ms),
            ms(s.p95_ms),
            ms(s.p99_ms),
            pct(s.error_rate_pct),
        ],
    ]


def cost_story(size: SizeResult) -> list[Any]:
    cost = size.cost
    if cost is None:
        return [
            paragraph(
                "No REPORT line was found in CloudWatch Logs for this size's window, "
                "so no cost can be computed from billed durations."
            )
        ]
    rows = [
        ["Part", "Per million requests"],
        ["Lambda compute (billed duration x memory)", usd(cost.lambda_compute_usd, cost.currency)],
        ["Lambda request charge", usd(cost.lambda_requests_usd, cost.currency)],
        ["Lambda total", usd(cost.lambda_total_usd, cost.currency)],
        ["API Gateway REST requests (shown apart)", usd(cost.api_gateway_usd)],
    ]
    note = (
        f"From {cost.invocations:,} REPORT lines (mean billed duration "
        f"{cost.mean_billed_ms:,.1f} ms, {size.cold_starts} cold starts) for "
        f"{size.summary.requests:,} requests. API Gateway does not depend on the memory size; "
        "its price is the first-tier REST API price of the region, when known."
    )
    return [table(rows, [120 * mm, CONTENT_WIDTH - 120 * mm]), paragraph(note, SMALL)]


def endpoint_rows(size: SizeResult) -> list[list[str]]:
    rows = [["Endpoint", "Requests", "req/s", "Avg", "p50", "p90", "p95", "p99", "Errors"]]
    for e in per_endpoint(size.samples):
        s = e.summary
        rows.append(
            [
                e.name,
                f"{s.requests:,}",
                f"{s.throughput_rps:.2f}",
                ms(s.avg_ms),
                ms(s.p50_ms),
                ms(s.p90_ms),
                ms(s.p95_ms),
                ms(s.p99_ms),
                pct(s.error_rate_pct),
            ]
        )
    return rows


def slowest_rows(size: SizeResult, count: int = 10) -> list[list[str]]:
    origin = min(s.start_s for s in size.samples)
    rows = [["At (s)", "Endpoint", "Response time", "Status", "Bytes"]]
    for s in slowest(size.samples, count):
        rows.append(
            [
                f"{s.start_s - origin:.1f}",
                s.name,
                ms(s.response_time_ms),
                str(s.status_code or "-"),
                f"{s.response_length_bytes:,}",
            ]
        )
    return rows


def errors_story(size: SizeResult) -> list[Any]:
    groups = error_groups(size.samples)
    if not groups:
        return [paragraph("No request failed.")]
    rows: list[list[Any]] = [["Endpoint", "Error", "Count"]]
    for g in groups[:20]:
        rows.append([g.name, paragraph(escape(g.error), SMALL), f"{g.count:,}"])
    return [table(rows, [38 * mm, CONTENT_WIDTH - 58 * mm, 20 * mm], align_right_from=2)]


def write_size_pdf(path: Path, setup: LoadTestSetup, size: SizeResult) -> None:
    """Write the report of `size` to `path`."""
    bucket = bucket_for(span_s(size.samples))
    points = timeline(size.samples, bucket)
    title = f"{setup.function_name} at {size.memory_mb} MB"
    story: list[Any] = [
        paragraph(f"Load test: {escape(title)}", TITLE),
        paragraph(f"powertune loadtest, run {setup.run_id}, {setup.created_at}", SUBTITLE),
        *section("Setup", key_values(setup_pairs(setup, size.memory_mb))),
        *section("Summary", table(summary_rows(size), align_right_from=0)),
        *section("Cost per million requests", *cost_story(size)),
        *section(
            "Response time over time",
            chart(charts.response_time_chart(points)),
            paragraph(f"Per {bucket:g} s of the run, over every request started in it.", SMALL),
        ),
        *section("Throughput over time", chart(charts.throughput_chart(points, bucket))),
        *section("Per endpoint", table(endpoint_rows(size))),
        *section("Slowest requests", table(slowest_rows(size), align_right_from=2)),
        *section("Errors", *errors_story(size)),
    ]
    build(path, title, story)
