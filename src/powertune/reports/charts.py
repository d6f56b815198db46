"""The HTML report's charts, drawn as SVG from the report model (see svg.py for why SVG).

`curves_svg`: mean duration (left axis) and cost per million invocations (right
axis) per memory size with their 95% bands, as lambda-power-tuning.show draws them,
the recommendation and its ties marked, failed sizes flagged on the axis.
`distribution_svg`: each size's raw warm durations as a box and a strip of dots.
Every marker has a `<title>`, so the browser shows its values on hover.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from powertune.reports import formatting as f
from powertune.reports.model import Band, Report, SizePoint
from powertune.reports.svg import (
    Canvas,
    Frame,
    Linear,
    legend,
    nice_ticks,
    num,
    path_d,
    text,
    title,
    x_categories,
    y_axis,
)

DURATION = "#2563eb"
COST = "#ea580c"
WINNER = "#15803d"
FAILED = "#b91c1c"
#: at most this many dots per size in a strip; more are thinned evenly in rank
MAX_DOTS = 300
#: and at most this many on the whole page (~130 bytes each), so that a run of many
#: sizes stays far below the 2 MB a self-contained report may weigh
PAGE_DOTS = 6000


def dots_per_size(sizes: int) -> int:
    """How many dots each size's strip may draw when the page shows `sizes` strips."""
    return max(20, min(MAX_DOTS, PAGE_DOTS // max(sizes, 1)))


def _segments(points: Sequence[SizePoint], value: Callable[[SizePoint], Band]) -> list[list[int]]:
    """Runs of consecutive points with a mean (a failed size breaks the line)."""
    runs: list[list[int]] = [[]]
    for i, p in enumerate(points):
        if value(p).mean is None:
            runs.append([])
        else:
            runs[-1].append(i)
    return [r for r in runs if r]


def _curve(
    c: Canvas,
    points: Sequence[SizePoint],
    xs: Sequence[float],
    scale: Linear,
    value: Callable[[SizePoint], Band],
    colour: str,
    dashed: bool,
    describe: Callable[[SizePoint], str],
) -> None:
    for run in _segments(points, value):
        upper = [(xs[i], scale(value(points[i]).high or value(points[i]).mean or 0)) for i in run]
        lower = [(xs[i], scale(value(points[i]).low or value(points[i]).mean or 0)) for i in run]
        c.add(
            f'<path class="band" d="{path_d(upper + lower[::-1])} Z" fill="{colour}" '
            'fill-opacity="0.14" stroke="none"/>'
        )
        line = [(xs[i], scale(value(points[i]).mean or 0)) for i in run]
        dash = ' stroke-dasharray="7 5"' if dashed else ""
        c.add(
            f'<path class="line" d="{path_d(line)}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"{dash}/>'
        )
    for i, p in enumerate(points):
        b = value(p)
        if b.mean is None:
            continue
        x = xs[i]
        if b.low is not None and b.high is not None:
            c.add(
                f'<line class="ci" x1="{num(x)}" x2="{num(x)}" y1="{num(scale(b.low))}" '
                f'y2="{num(scale(b.high))}" stroke="{colour}" stroke-width="1.5"/>'
            )
        radius = 6.5 if p.recommended else 4.5
        c.add(
            f'<circle class="point" cx="{num(x)}" cy="{num(scale(b.mean))}" r="{radius}" '
            f'fill="{colour}" stroke="#fff" stroke-width="1.5">{title(describe(p))}</circle>'
        )


def _describe_duration(p: SizePoint) -> str:
    d = p.duration_ms
    return (
        f"{p.label}: mean {f.ms(d.mean)} ms, 95% CI {f.band(d.low, d.high)} ms, "
        f"p90 {f.ms(p.p90_ms)} ms, {p.warm_samples} warm samples"
    )


def _inside(c: Canvas, x: float, y: float, body: str, **attrs: str) -> str:
    """A label centred on x, or hung inwards from x when centring would cross the plot's edge."""
    half = 4.2 * len(body)  # bold DejaVu Sans at 13 px: about 8.4 px a character
    if x - half < c.frame.x0:
        return text(max(x - 40, c.frame.x0 + 4), y, body, anchor="start", **attrs)
    if x + half > c.frame.x1:
        return text(min(x + 40, c.frame.x1 - 4), y, body, anchor="end", **attrs)
    return text(x, y, body, **attrs)


def _marks(c: Canvas, report: Report, xs: dict[int, float], width: float) -> None:
    """The recommended column, tied columns, and failed sizes under the axis."""
    frame = c.frame
    v = report.verdict
    for p in report.points:
        x = xs[p.memory_mb]
        if p.recommended and v is not None:
            c.add(
                f'<rect class="winner" x="{num(x - width / 2)}" y="{num(frame.y1)}" '
                f'width="{num(width)}" height="{num(frame.y0 - frame.y1)}" fill="{WINNER}" '
                f'fill-opacity="0.12">{title("recommended: " + v.label)}</rect>',
                _inside(
                    c,
                    x,
                    frame.y1 + 16,
                    f"★ recommended {p.memory_mb} MB",
                    cls="winner-label",
                    fill=WINNER,
                    font_weight="bold",
                ),
            )
        elif p.tied:
            c.add(
                f'<rect class="tied" x="{num(x - width / 2)}" y="{num(frame.y1)}" '
                f'width="{num(width)}" height="{num(frame.y0 - frame.y1)}" fill="none" '
                f'stroke="{WINNER}" stroke-dasharray="4 4">'
                f"{title('tied with the recommendation: ' + p.label)}</rect>",
                # at the bottom: the recommendation's label at the top may be wide
                text(x, frame.y0 - 8, "tied", fill=WINNER),
            )
        if p.failure is not None:
            c.add(
                f'<text class="failed" x="{num(x)}" y="{num(frame.y0 - 8)}" text-anchor="middle" '
                f'fill="{FAILED}" font-weight="bold">✕ failed'
                f"{title(p.label + ': ' + p.failure)}</text>"
            )


def curves_svg(report: Report) -> str:
    """Duration and cost per memory size, two axes, 95% bands, the pick marked."""
    c = Canvas(Frame(), f"duration and cost per memory size of {report.function_name}")
    fr = c.frame
    sizes = report.memory_sizes
    xs = {m: fr.column(i, len(sizes)) for i, m in enumerate(sizes)}
    points = report.points
    d_top = max([p.duration_ms.high or p.duration_ms.mean or 0 for p in points] + [1])
    c_top = max([p.cost_per_million.high or p.cost_per_million.mean or 0 for p in points] + [1e-9])
    d_ticks, c_ticks = nice_ticks(d_top), nice_ticks(c_top)
    d_scale = Linear(0, d_ticks[-1], fr.y0, fr.y1 + 24)
    c_scale = Linear(0, c_ticks[-1], fr.y0, fr.y1 + 24)
    _marks(c, report, xs, 0.7 * (fr.x1 - fr.x0) / max(len(sizes), 1))
    y_axis(c, d_scale, d_ticks, side="left", label="Duration (ms, warm mean)")
    y_axis(c, c_scale, c_ticks, side="right", label=f"Cost ({report.currency} per 1M invocations)")
    x_categories(c, [f"{m}" for m in sizes], "Memory (MB)")
    several = len(report.series) > 1
    for s in report.series:
        dashed = several and s.architecture.value == "arm64"
        pxs = [xs[p.memory_mb] for p in s.points]
        _curve(
            c, s.points, pxs, d_scale, lambda p: p.duration_ms, DURATION, dashed, _describe_duration
        )
        _curve(
            c,
            s.points,
            pxs,
            c_scale,
            lambda p: p.cost_per_million,
            COST,
            dashed,
            lambda p: _describe_cost(p, report.currency),
        )
    # one entry per quantity, and the line style of arm64 once: four entries would not fit
    entries = [
        ("duration (95% CI band)", DURATION, False),
        ("cost per 1M (95% CI band)", COST, False),
    ]
    if several:
        entries += [("x86_64: solid, arm64: dashed", "#374151", True)]
    legend(c, entries)
    return c.svg()


def _describe_cost(p: SizePoint, currency: str) -> str:
    b = p.cost_per_million
    return (
        f"{p.label}: {f.money(b.mean, currency)} per 1M invocations, "
        f"95% CI {f.band(b.low, b.high, 'money', currency)}"
    )


def thinned(values: Sequence[float], most: int = MAX_DOTS) -> list[float]:
    """At most `most` values, evenly spaced in rank (so the strip keeps the shape)."""
    if len(values) <= most:
        return list(values)
    ordered = sorted(values)
    return [ordered[round(k * (len(ordered) - 1) / (most - 1))] for k in range(most)]


def _strip(c: Canvas, p: SizePoint, x: float, width: float, scale: Linear, most: int) -> None:
    b = p.box
    if b is None:
        return
    half = width / 2
    c.add(
        f'<line class="whisker" x1="{num(x)}" x2="{num(x)}" y1="{num(scale(b.whisker_low))}" '
        f'y2="{num(scale(b.whisker_high))}" stroke="#374151"/>',
        f'<rect class="box" x="{num(x - half)}" y="{num(scale(b.q3))}" width="{num(width)}" '
        f'height="{num(max(scale(b.q1) - scale(b.q3), 1))}" fill="#dbeafe" stroke="#1e3a8a">'
        + title(
            f"{p.label}: median {f.ms(b.median)} ms, quartiles {f.ms(b.q1)}–{f.ms(b.q3)} ms, "
            f"whiskers {f.ms(b.whisker_low)}–{f.ms(b.whisker_high)} ms"
        )
        + "</rect>",
        f'<line class="median" x1="{num(x - half)}" x2="{num(x + half)}" '
        f'y1="{num(scale(b.median))}" y2="{num(scale(b.median))}" stroke="#1e3a8a" '
        'stroke-width="2.5"/>',
    )
    for k, v in enumerate(thinned(p.warm_durations_ms, most)):
        # a low-discrepancy jitter (golden ratio): deterministic and evenly spread
        dx = ((k * 0.6180339887) % 1 - 0.5) * width * 1.3
        c.add(
            f'<circle class="sample" cx="{num(x + dx)}" cy="{num(scale(v))}" r="2.6" '
            f'fill="{DURATION}" fill-opacity="0.55">{title(f"{p.label}: {f.ms(v, 2)} ms")}</circle>'
        )


def distribution_svg(report: Report, architecture_index: int = 0) -> str:
    """One architecture's warm durations per size: box (quartiles, Tukey whiskers) + dots."""
    s = report.series[architecture_index]
    c = Canvas(Frame(height=360, top=24), f"warm durations per size, {s.architecture.value}")
    fr = c.frame
    top = max([v for p in s.points for v in p.warm_durations_ms] + [1])
    ticks = nice_ticks(top)
    scale = Linear(0, ticks[-1], fr.y0, fr.y1)
    y_axis(c, scale, ticks, side="left", label="Warm duration (ms)")
    x_categories(c, [str(p.memory_mb) for p in s.points], f"Memory (MB), {s.architecture.value}")
    width = min(0.32 * (fr.x1 - fr.x0) / max(len(s.points), 1), 60)
    for i, p in enumerate(s.points):
        x = fr.column(i, len(s.points))
        if p.failure is not None:
            c.add(text(x, fr.y0 - 8, "✕ failed", cls="failed", fill=FAILED, font_weight="bold"))
            continue
        _strip(c, p, x, width, scale, dots_per_size(len(report.points)))
    return c.svg()
