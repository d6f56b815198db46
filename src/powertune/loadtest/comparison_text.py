"""The comparison as rows of text, shared by its PDF and its Markdown so they always agree.

Pure: a `Comparison` (compare.py) and the two sizes' costs in, lists of strings out.
"""

from __future__ import annotations

import math

from powertune.loadtest.compare import Comparison, MetricDelta, Verdict
from powertune.loadtest.cost import CostPerMillion
from powertune.loadtest.statistics import per_endpoint

METRIC_HEADER = ["Metric", "A", "B", "B - A", "Change", "95% interval of B - A", "Verdict"]


def _value(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    if unit == "USD":
        return f"{value:,.4f}"
    return f"{value:,.2f}" if unit in ("%", "req/s") else f"{value:,.1f}"


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.1f} ms"


def _unit(m: MetricDelta) -> str:
    return {"ms": " ms", "%": " %", "req/s": " req/s", "USD": " USD"}[m.unit]


def metric_row(m: MetricDelta) -> list[str]:
    unit = _unit(m)
    interval = (
        "-"
        if m.interval is None
        else f"[{_value(m.interval[0], m.unit)}, {_value(m.interval[1], m.unit)}]{unit}"
    )
    change = "n/a" if m.delta_pct is None else f"{m.delta_pct:+.1f}%"
    delta = "n/a" if math.isnan(m.delta) else f"{m.delta:+,.{4 if m.unit == 'USD' else 1}f}{unit}"
    return [
        m.metric,
        _value(m.a, m.unit) + unit,
        _value(m.b, m.unit) + unit,
        delta,
        change,
        interval,
        m.verdict.value,
    ]


def metric_rows(c: Comparison) -> list[list[str]]:
    header = [*METRIC_HEADER]
    header[1], header[2] = f"A: {c.a.label}", f"B: {c.b.label}"
    return [header, *(metric_row(m) for m in c.metrics)]


def headline(c: Comparison) -> str:
    """One sentence: what happened to p95 and to the cost."""
    p95 = c.metric("p95")
    change = "n/a" if p95.delta_pct is None else f"{p95.delta_pct:+.1f}%"
    words = {
        Verdict.BETTER: "faster",
        Verdict.WORSE: "slower",
        Verdict.NO_CHANGE: "no change",
        Verdict.INCONCLUSIVE: "not significant",
        Verdict.UNTESTED: "difference only",
    }
    text = (
        f"p95 response time {c.a.label} -> {c.b.label}: {_value(p95.a, 'ms')} ms -> "
        f"{_value(p95.b, 'ms')} ms ({change}, {words[p95.verdict]})"
    )
    cost = next((m for m in c.metrics if m.unit == "USD"), None)
    if cost is not None and cost.delta_pct is not None:
        text += (
            f"; Lambda cost per million requests {_value(cost.a, 'USD')} -> "
            f"{_value(cost.b, 'USD')} USD ({cost.delta_pct:+.1f}%, {words[cost.verdict]})"
        )
    return text + "."


def method_note(c: Comparison) -> str:
    p = c.mann_whitney_p
    if p is None:
        mw = "not computed (a side has no samples)"
    elif p < 0.05:
        mw = f"p = {p:.3g}, the two distributions differ (p < 0.05)"
    else:
        mw = f"p = {p:.3g}, no evidence that the two distributions differ (p >= 0.05)"
    return (
        f'Changes below {c.no_change_pct:g}% are called "no change". Above it, a change is '
        "better or worse when the 95% bootstrap interval of B - A (2,000 resamples of each "
        "side's raw samples) excludes zero, inconclusive otherwise; throughput is one number "
        f"per run and gets the difference only. Mann-Whitney U on all response times: {mw}."
    )


def cost_rows(
    labels: tuple[str, str], costs: tuple[CostPerMillion | None, CostPerMillion | None]
) -> list[list[str]]:
    def cell(cost: CostPerMillion | None, part: str) -> str:
        if cost is None:
            return "no REPORT lines"
        value = getattr(cost, part)
        return "not priced" if value is None else f"{value:,.4f} {cost.currency}"

    rows = [["Per million requests", f"A: {labels[0]}", f"B: {labels[1]}"]]
    for name, part in (
        ("Lambda compute", "lambda_compute_usd"),
        ("Lambda requests", "lambda_requests_usd"),
        ("Lambda total", "lambda_total_usd"),
        ("API Gateway (apart)", "api_gateway_usd"),
    ):
        rows.append([name, cell(costs[0], part), cell(costs[1], part)])
    billed = [
        "n/a" if c is None else f"{c.mean_billed_ms:,.1f} ms ({c.invocations:,} REPORT lines)"
        for c in costs
    ]
    rows.append(["Mean billed duration", *billed])
    return rows


def endpoint_rows(c: Comparison) -> list[list[str]]:
    """p95 per endpoint at A and B (endpoints of either side)."""
    a = {e.name: e.summary for e in per_endpoint(c.a.samples)}
    b = {e.name: e.summary for e in per_endpoint(c.b.samples)}
    rows = [["Endpoint", "Requests A / B", "p95 A", "p95 B", "Change"]]
    for name in sorted(set(a) | set(b)):
        sa, sb = a.get(name), b.get(name)
        pa = sa.p95_ms if sa else float("nan")
        pb = sb.p95_ms if sb else float("nan")
        change = "n/a" if not (pa > 0 and pb == pb) else f"{100 * (pb - pa) / pa:+.1f}%"
        rows.append(
            [
                name,
                f"{sa.requests if sa else 0:,} / {sb.requests if sb else 0:,}",
                _value(pa, "ms") + " ms",
                _value(pb, "ms") + " ms",
                change,
            ]
        )
    return rows
