"""Charts as inline SVG, drawn by us: the chart "library" of the HTML reports.

Why our own SVG and not a JavaScript chart library: a report must open from
file:// months later, offline, under 2 MB, and render the same bytes for the same
result (golden tests). Inline SVG needs no script at all (so no console errors and
no network, which a Content-Security-Policy of `default-src 'none'` enforces), is
text we can test, and carries hover values natively through `<title>` tooltips.
Plotly (about 3.5 MB minified) would break the size limit by itself; Chart.js or
uPlot would add a vendored, versioned blob and draw on a canvas that the golden
outline and text search cannot see. What we give up (zoom, pan) these reports do
not need.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

FONT = "DejaVu Sans, Verdana, sans-serif"


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round ticks from 0 to at least `high` (1, 2, 2.5 or 5 times a power of ten)."""
    if high <= 0 or not math.isfinite(high):
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = math.ceil(high / step - 1e-9)
    return [i * step for i in range(n + 1)]


def tick_label(value: float) -> str:
    """`1,500`, `2.5`, `0.004`: as few digits as the tick needs."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.6g}"


@dataclass(frozen=True, slots=True)
class Linear:
    """A linear map from data to pixels."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, v: float) -> float:
        span = self.d1 - self.d0
        return self.r0 if span == 0 else self.r0 + (v - self.d0) / span * (self.r1 - self.r0)


def num(v: float) -> str:
    """Pixel coordinates with one decimal: small files, stable bytes."""
    return f"{v:.1f}"


def text(
    x: float, y: float, body: str, *, anchor: str = "middle", cls: str = "", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}"{klass}{extra}>{esc(body)}</text>'
    )


def title(body: str) -> str:
    """A hover tooltip for the element that contains it."""
    return f"<title>{esc(body)}</title>"


def path_d(points: Sequence[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{num(x)} {num(y)}" for x, y in points)


@dataclass(frozen=True, slots=True)
class Frame:
    """The plot area of a chart inside its view box."""

    width: float = 960
    height: float = 420
    left: float = 78
    right: float = 88
    top: float = 48
    bottom: float = 56

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.width - self.right

    @property
    def y0(self) -> float:
        """The bottom of the plot area (SVG's y grows downwards)."""
        return self.height - self.bottom

    @property
    def y1(self) -> float:
        return self.top

    def column(self, i: int, n: int) -> float:
        """The centre of category `i` of `n`."""
        return self.x0 + (i + 0.5) * (self.x1 - self.x0) / max(n, 1)


@dataclass(slots=True)
class Canvas:
    """An SVG document being drawn, element by element, back to front."""

    frame: Frame
    label: str
    parts: list[str] = field(default_factory=list)

    def add(self, *elements: str) -> None:
        self.parts.extend(elements)

    def svg(self, cls: str = "chart") -> str:
        f = self.frame
        head = (
            f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {num(f.width)} {num(f.height)}" role="img" '
            f'aria-label="{esc(self.label)}" '
            f'font-family="{FONT}" font-size="13">'
        )
        return head + "".join(self.parts) + "</svg>"


def y_axis(c: Canvas, scale: Linear, ticks: Sequence[float], *, side: str, label: str) -> None:
    """Ticks, numbers and the rotated label of a vertical axis; grid lines for the left one."""
    f = c.frame
    x = f.x0 if side == "left" else f.x1
    sign = -1 if side == "left" else 1
    anchor = "end" if side == "left" else "start"
    for t in ticks:
        y = scale(t)
        if side == "left":
            c.add(
                f'<line class="grid" x1="{num(f.x0)}" x2="{num(f.x1)}" y1="{num(y)}" '
                f'y2="{num(y)}" stroke="#e5e7eb"/>'
            )
        c.add(
            f'<line x1="{num(x)}" x2="{num(x + sign * 5)}" y1="{num(y)}" y2="{num(y)}" '
            'stroke="#6b7280"/>',
            text(x + sign * 8, y + 4, tick_label(t), anchor=anchor, fill="#374151"),
        )
    mid = (f.y0 + f.y1) / 2
    lx = x + sign * (f.left - 16 if side == "left" else f.right - 14)
    c.add(
        text(
            lx,
            mid,
            label,
            cls="axis-label",
            transform=f"rotate({-90 if side == 'left' else 90} {num(lx)} {num(mid)})",
            fill="#111827",
        ),
        f'<line x1="{num(x)}" x2="{num(x)}" y1="{num(f.y0)}" y2="{num(f.y1)}" stroke="#6b7280"/>',
    )


def x_categories(c: Canvas, labels: Sequence[str], axis_label: str) -> None:
    """The category axis at the bottom: one label per column, then the axis name."""
    f = c.frame
    c.add(
        f'<line x1="{num(f.x0)}" x2="{num(f.x1)}" y1="{num(f.y0)}" y2="{num(f.y0)}" '
        'stroke="#6b7280"/>'
    )
    for i, lab in enumerate(labels):
        c.add(text(f.column(i, len(labels)), f.y0 + 18, lab, fill="#374151"))
    c.add(text((f.x0 + f.x1) / 2, f.height - 10, axis_label, cls="axis-label", fill="#111827"))


def legend(c: Canvas, entries: Sequence[tuple[str, str, bool]]) -> None:
    """Swatches along the top: (label, colour, dashed)."""
    x = c.frame.x0
    for label, colour, dashed in entries:
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        c.add(
            f'<line x1="{num(x)}" x2="{num(x + 26)}" y1="20" y2="20" stroke="{colour}" '
            f'stroke-width="3"{dash}/>',
            text(x + 32, 24, label, anchor="start", fill="#111827"),
        )
        x += 48 + 7.9 * len(label)  # DejaVu Sans at 13 px: about 7.9 px a character
