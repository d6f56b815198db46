"""The comparison in Markdown, for the approval issue and `$GITHUB_STEP_SUMMARY`.

Same rows as the PDF (comparison_text.py), as GitHub-flavoured tables.
"""

from __future__ import annotations

from collections.abc import Sequence

from powertune.loadtest.compare import Comparison
from powertune.loadtest.comparison_text import (
    cost_rows,
    endpoint_rows,
    headline,
    method_note,
    metric_rows,
)
from powertune.loadtest.cost import API_GATEWAY_PRICE_SOURCE, CostPerMillion
from powertune.loadtest.model import LoadTestSetup


def md_table(rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    header, *body = rows
    align = ["---"] + ["---:"] * (len(header) - 1)
    return "\n".join([line(header), "| " + " | ".join(align) + " |", *map(line, body)])


def comparison_markdown(
    setup: LoadTestSetup,
    c: Comparison,
    costs: tuple[CostPerMillion | None, CostPerMillion | None],
) -> str:
    """The whole comparison as one Markdown document."""
    return (
        "\n\n".join(
            [
                f"## Load-test comparison: {c.a.label} vs {c.b.label}",
                f"`{setup.function_name}`, scenario `{setup.scenario}`, {setup.users} users, "
                f"{setup.duration_s:g} s per size; {setup.environment}; run {setup.run_id}.",
                f"**{headline(c)}**",
                md_table(metric_rows(c)),
                f"_{method_note(c)}_",
                "### Cost per million requests",
                md_table(cost_rows((c.a.label, c.b.label), costs)),
                f"_API Gateway shown apart (does not depend on memory); price: "
                f"{API_GATEWAY_PRICE_SOURCE}._",
                "### p95 per endpoint",
                md_table(endpoint_rows(c)),
            ]
        )
        + "\n"
    )
