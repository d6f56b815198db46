"""`reports/index.html`: the history's runs, and per function the trend of the recommended
memory (left axis) and of its cost per million invocations (right axis), as inline SVG."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from powertune.reports import formatting as f
from powertune.reports.charts import COST, WINNER
from powertune.reports.history import Index, TrendPoint
from powertune.reports.html import environment
from powertune.reports.svg import (
    Canvas,
    Frame,
    Linear,
    legend,
    nice_ticks,
    num,
    path_d,
    title,
    x_categories,
    y_axis,
)


def _line(c: Canvas, xy: Sequence[tuple[float, float, str]], colour: str, marker: str) -> None:
    if len(xy) > 1:
        c.add(
            f'<path class="line" d="{path_d([(x, y) for x, y, _ in xy])}" fill="none" '
            f'stroke="{colour}" stroke-width="2.5"/>'
        )
    tag = "rect" if marker == "square" else "circle"
    for x, y, tip in xy:
        shape = (
            f'<rect x="{num(x - 4.5)}" y="{num(y - 4.5)}" width="9" height="9"'
            if marker == "square"
            else f'<circle cx="{num(x)}" cy="{num(y)}" r="5"'
        )
        c.add(f'{shape} class="point" fill="{colour}">{title(tip)}</{tag}>')


def trend_svg(function: str, points: Sequence[TrendPoint]) -> str:
    """Recommended memory and its cost per 1M invocations, run after run."""
    c = Canvas(Frame(height=320, top=40), f"trend of {function}")
    fr = c.frame
    n = len(points)
    xs = [fr.column(i, n) for i in range(n)]
    m_ticks = nice_ticks(max([p.memory_mb or 0 for p in points] + [128]))
    c_ticks = nice_ticks(max([p.cost_per_million or 0 for p in points] + [1e-9]))
    m_scale = Linear(0, m_ticks[-1], fr.y0, fr.y1)
    c_scale = Linear(0, c_ticks[-1], fr.y0, fr.y1)
    y_axis(c, m_scale, m_ticks, side="left", label="Recommended memory (MB)")
    currency = points[0].currency if points else "USD"
    y_axis(c, c_scale, c_ticks, side="right", label=f"Cost ({currency} per 1M invocations)")
    x_categories(
        c, [p.when.strftime("%m-%d %H:%M") if p.when else p.stamp for p in points], "Run (UTC)"
    )
    _line(
        c,
        [
            (x, m_scale(p.memory_mb), f"{f.when(p.when)}: {p.memory_mb} MB")
            for x, p in zip(xs, points, strict=True)
            if p.memory_mb is not None
        ],
        WINNER,
        "circle",
    )
    _line(
        c,
        [
            (
                x,
                c_scale(p.cost_per_million),
                f"{f.when(p.when)}: {f.money(p.cost_per_million, p.currency)} per 1M",
            )
            for x, p in zip(xs, points, strict=True)
            if p.cost_per_million is not None
        ],
        COST,
        "square",
    )
    legend(
        c, [("recommended memory (MB)", WINNER, False), ("cost per 1M invocations", COST, False)]
    )
    return c.svg()


def render_index(index: Index) -> str:
    """The whole index page."""
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            index=index,
            trends=[
                (fn, Markup(trend_svg(fn, points)), points)  # noqa: S704 - our own escaped SVG
                for fn, points in index.trends
            ],
        )
    )
