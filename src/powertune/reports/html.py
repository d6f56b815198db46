"""The HTML report `power-tuner-<ts>.html`: one self-contained page of the report model.

Everything is inline (CSS, SVG charts: see svg.py for the choice), nothing loads
from the network, and a Content-Security-Policy forbids it, so the page opens from
file:// or a CI artifact. Templates are package data under `templates/`.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from powertune.reports import formatting
from powertune.reports.charts import curves_svg, distribution_svg, dots_per_size
from powertune.reports.model import Report


@cache
def environment() -> Environment:
    """The templates of the HTML reports, autoescaped; numbers formatted as everywhere."""
    env = Environment(
        loader=PackageLoader("powertune.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals.update(
        ms=formatting.ms,
        money=formatting.money,
        band=formatting.band,
        when=formatting.when,
    )
    return env


def render_html(report: Report) -> str:
    """The whole page."""
    template = environment().get_template("report.html.j2")
    most = dots_per_size(len(report.points))
    return template.render(
        r=report,
        v=report.verdict,
        e=report.exploration,
        curves=Markup(curves_svg(report)),  # noqa: S704 - our own escaped SVG
        distributions=[
            Markup(distribution_svg(report, i))  # noqa: S704 - our own escaped SVG
            for i in range(len(report.series))
        ],
        thinned=any(len(p.warm_durations_ms) > most for p in report.points),
        max_dots=most,
        money=lambda x: formatting.money(x, report.currency),
    )
