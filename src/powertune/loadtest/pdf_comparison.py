"""`comparison-<a>-vs-<b>MB.pdf`: two load tests side by side, with the verdict per metric."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from powertune.loadtest import charts
from powertune.loadtest.compare import Comparison
from powertune.loadtest.comparison_text import (
    cost_rows,
    endpoint_rows,
    headline,
    method_note,
    metric_rows,
)
from powertune.loadtest.cost import CostPerMillion
from powertune.loadtest.model import LoadTestSetup
from powertune.loadtest.pdf_common import (
    BODY,
    SMALL,
    SUBTITLE,
    TITLE,
    build,
    chart,
    escape,
    key_values,
    mm,
    paragraph,
    section,
    shade_verdicts,
    table,
)
from powertune.loadtest.statistics import bucket_for, span_s, timeline

SECTIONS = (
    "Setup",
    "Verdict",
    "Side by side",
    "Cost per million requests",
    "p95 per endpoint",
    "p95 response time over time",
    "Distribution of response times",
)


def _setup_pairs(setup: LoadTestSetup, c: Comparison) -> list[tuple[str, str]]:
    return [
        ("Function", setup.function_name),
        ("A", f"{c.a.label}: {c.summary_a.requests:,} requests"),
        ("B", f"{c.b.label}: {c.summary_b.requests:,} requests"),
        ("URL", setup.url),
        ("Scenario", setup.scenario),
        ("Virtual users", f"{setup.users} (spawn rate {setup.spawn_rate:g}/s)"),
        ("Duration per size", f"{setup.duration_s:g} s"),
        ("Environment", setup.environment),
        ("Run", f"{setup.run_id}, {setup.created_at}"),
    ]


def write_comparison_pdf(
    path: Path,
    setup: LoadTestSetup,
    c: Comparison,
    costs: tuple[CostPerMillion | None, CostPerMillion | None],
) -> None:
    """Write the comparison of `c.a` and `c.b` to `path`."""
    bucket = bucket_for(max(span_s(c.a.samples), span_s(c.b.samples)))
    sides = [(c.a.label, timeline(c.a.samples, bucket)), (c.b.label, timeline(c.b.samples, bucket))]
    times = [
        (c.a.label, [s.response_time_ms for s in c.a.samples]),
        (c.b.label, [s.response_time_ms for s in c.b.samples]),
    ]
    title = f"{c.a.label} vs {c.b.label}"
    widths = [26 * mm, 23 * mm, 23 * mm, 23 * mm, 15 * mm, 39 * mm, 25 * mm]
    rows = metric_rows(c)
    side_by_side = table(rows, widths)
    shade_verdicts(side_by_side, rows, len(rows[0]) - 1)
    story: list[Any] = [
        paragraph(f"Load-test comparison: {escape(title)}", TITLE),
        paragraph(
            f"{escape(setup.function_name)}, run {setup.run_id}, {setup.created_at}", SUBTITLE
        ),
        *section("Setup", key_values(_setup_pairs(setup, c))),
        *section("Verdict", paragraph(escape(headline(c)), BODY)),
        *section("Side by side", side_by_side, paragraph(escape(method_note(c)), SMALL)),
        *section(
            "Cost per million requests",
            table(cost_rows((c.a.label, c.b.label), costs)),
            paragraph(
                "API Gateway's request price does not depend on the memory size; it is "
                "shown apart so that it does not dilute the Lambda difference.",
                SMALL,
            ),
        ),
        *section("p95 per endpoint", table(endpoint_rows(c))),
        *section("p95 response time over time", chart(charts.p95_overlay_chart(sides))),
        *section("Distribution of response times", chart(charts.distribution_chart(times))),
    ]
    build(path, title, story)
