"""The PNG report `power-tuner-<ts>.png`: the two curves with their bands, for slides and issues.

matplotlib with the Agg backend (no display), DejaVu Sans (shipped with matplotlib,
so every machine draws the same glyphs), a fixed size of 1400×800 px, and no
metadata with a version or a date in it: the same result gives the same pixels.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import matplotlib

# no display: choose the file-only backend before pyplot is imported
matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from powertune.reports import formatting as f
from powertune.reports.charts import COST, DURATION, FAILED, WINNER
from powertune.reports.model import Band, Report, SizePoint

WIDTH_PX, HEIGHT_PX, DPI = 1400, 800, 100
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 13,
    "axes.titlesize": 16,
    "axes.labelsize": 14,
    "svg.hashsalt": "powertune",
    "path.simplify": False,
}


def _or(x: float | None, fallback: float | None) -> float:
    """An interval's end, or the mean when the end is unknown (one sample)."""
    return x if x is not None else (fallback or 0.0)


def _plot(
    ax: Axes,
    xs: dict[int, int],
    points: tuple[SizePoint, ...],
    value: Callable[[SizePoint], Band],
    colour: str,
    style: str,
    label: str,
) -> None:
    shown = [p for p in points if value(p).mean is not None]
    x = [xs[p.memory_mb] for p in shown]
    mean = [value(p).mean or 0.0 for p in shown]
    low = [_or(value(p).low, value(p).mean) for p in shown]
    high = [_or(value(p).high, value(p).mean) for p in shown]
    ax.fill_between(x, low, high, color=colour, alpha=0.16, linewidth=0)
    ax.plot(x, mean, style, color=colour, linewidth=2.5, markersize=7, label=label)


def _mark(ax: Axes, report: Report, xs: dict[int, int]) -> None:
    v = report.verdict
    top = ax.get_ylim()[1]
    for p in report.points:
        if p.recommended and v is not None:
            ax.axvspan(xs[p.memory_mb] - 0.35, xs[p.memory_mb] + 0.35, color=WINNER, alpha=0.13)
            # near an edge the label hangs inwards from the column, so it stays inside the plot
            n, i = len(xs), xs[p.memory_mb]
            ha = "left" if i < n * 0.15 else "right" if i > n * 0.85 else "center"
            anchor = {"left": i - 0.35, "right": i + 0.35, "center": i}[ha]
            ax.annotate(
                f"★ recommended\n{v.label}",
                (anchor, top),
                xytext=(0, -8),
                textcoords="offset points",
                ha=ha,
                va="top",
                color=WINNER,
                fontweight="bold",
                fontsize=14,
            )
        elif p.tied:
            ax.axvspan(
                xs[p.memory_mb] - 0.35,
                xs[p.memory_mb] + 0.35,
                fill=False,
                edgecolor=WINNER,
                linestyle="--",
            )
            ax.annotate(
                "tied",
                (xs[p.memory_mb], 0),
                xytext=(0, 8),
                textcoords="offset points",
                ha="center",
                color=WINNER,
            )
        if p.failure is not None:
            ax.annotate(
                "✕ failed",
                (xs[p.memory_mb], 0),
                xytext=(0, 8),
                textcoords="offset points",
                ha="center",
                color=FAILED,
                fontweight="bold",
            )


def _title(report: Report) -> str:
    v = report.verdict
    why = report.withheld or "every memory size failed"
    pick = (
        f"no recommendation: {why if len(why) <= 90 else why[:89] + '…'}"
        if v is None
        else (
            f"recommended {v.label} ({v.strategy}): {f.ms(v.duration_ms.mean)} ms, "
            f"{f.money(v.cost_per_million.mean, report.currency)} per 1M"
        )
    )
    synthetic = " [synthetic]" if report.synthetic else ""
    return (
        f"{report.function_name} ({report.region}), {f.when(report.started_at)}{synthetic}\n{pick}"
    )


def render_png(report: Report) -> bytes:
    """The chart as PNG bytes."""
    with plt.rc_context(STYLE):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        try:
            return _draw(fig, ax, report)
        finally:
            plt.close(fig)


def _draw(fig: Figure, ax: Axes, report: Report) -> bytes:
    xs = {m: i for i, m in enumerate(report.memory_sizes)}
    cost_ax = ax.twinx()
    several = len(report.series) > 1
    for s in report.series:
        dashed = several and s.architecture.value == "arm64"
        suffix = f" {s.architecture.value}" if several else ""
        _plot(
            ax,
            xs,
            s.points,
            lambda p: p.duration_ms,
            DURATION,
            "--o" if dashed else "-o",
            f"duration{suffix} (mean, 95% CI band)",
        )
        _plot(
            cost_ax,
            xs,
            s.points,
            lambda p: p.cost_per_million,
            COST,
            "--s" if dashed else "-s",
            f"cost{suffix} per 1M invocations (mean, 95% CI band)",
        )
    ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.15)
    cost_ax.set_ylim(bottom=0, top=cost_ax.get_ylim()[1] * 1.15)
    _mark(ax, report, xs)
    ax.set_xticks(list(xs.values()), [str(m) for m in xs])
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_xlabel("Memory (MB)")
    ax.set_ylabel("Duration (ms, mean of warm invocations)", color=DURATION)
    cost_ax.set_ylabel(f"Cost ({report.currency} per 1M invocations)", color=COST)
    ax.grid(axis="y", color="#e5e7eb")
    ax.set_axisbelow(True)
    ax.set_title(_title(report), loc="left")
    handles = ax.get_legend_handles_labels()[0] + cost_ax.get_legend_handles_labels()[0]
    # under the plot, where it can hide neither a curve nor the recommendation's label
    ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, frameon=False
    )
    fig.tight_layout()
    out = io.BytesIO()
    # no Software/date metadata: the same result gives the same file
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
