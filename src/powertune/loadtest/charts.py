"""The charts of the load-test PDFs, drawn with matplotlib (Agg) into PNG bytes.

Only the charts are pictures; every number and table of the reports is text.
Fonts and sizes are chosen for an A4 page read at 100%: 9-pt labels, a grid,
and the same colour per percentile in every chart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: the CLI and CI render to files only

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from powertune.loadtest.statistics import TimelinePoint

COLOURS = {"avg": "#4c72b0", "p90": "#55a868", "p95": "#dd8452", "p99": "#c44e52"}
SIDE_COLOURS = ("#4c72b0", "#dd8452")
_SIZE_IN = (7.0, 2.6)
_DPI = 160


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=_DPI)
    plt.close(fig)
    return buffer.getvalue()


def _styled(ax: Axes, ylabel: str) -> None:
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("time since start (s)", fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend_above(ax: Axes, columns: int) -> None:
    # Above the plot, never over the lines (cold starts put the peaks top left).
    ax.legend(
        fontsize=8,
        ncol=columns,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        frameon=False,
        borderaxespad=0.2,
    )


def response_time_chart(points: Sequence[TimelinePoint]) -> bytes:
    """avg, p90, p95 and p99 response time per bucket."""
    fig, ax = plt.subplots(figsize=_SIZE_IN)
    t = [p.t_s for p in points]
    for key in ("avg", "p90", "p95", "p99"):
        values = [getattr(p, f"{key}_ms") for p in points]
        ax.plot(t, values, label=key, color=COLOURS[key], linewidth=1.4, marker=".", markersize=3)
    _styled(ax, "response time (ms)")
    ax.set_ylim(bottom=0)
    _legend_above(ax, 4)
    return _png(fig)


def throughput_chart(points: Sequence[TimelinePoint], bucket_s: float) -> bytes:
    """Requests per second per bucket, failed ones stacked in red."""
    fig, ax = plt.subplots(figsize=_SIZE_IN)
    t = np.asarray([p.t_s for p in points])
    ok = np.asarray([(p.requests - p.failures) / bucket_s for p in points])
    failed = np.asarray([p.failures / bucket_s for p in points])
    ax.bar(t, ok, width=bucket_s * 0.85, align="edge", color="#4c72b0", label="succeeded")
    ax.bar(
        t, failed, width=bucket_s * 0.85, align="edge", bottom=ok, color="#c44e52", label="failed"
    )
    _styled(ax, "requests / s")
    _legend_above(ax, 2)
    return _png(fig)


def p95_overlay_chart(
    sides: Sequence[tuple[str, Sequence[TimelinePoint]]],
) -> bytes:
    """p95 response time over time, one line per side."""
    fig, ax = plt.subplots(figsize=_SIZE_IN)
    for (label, points), colour in zip(sides, SIDE_COLOURS, strict=False):
        ax.plot(
            [p.t_s for p in points],
            [p.p95_ms for p in points],
            label=f"{label} p95",
            color=colour,
            linewidth=1.4,
            marker=".",
            markersize=3,
        )
    _styled(ax, "p95 response time (ms)")
    ax.set_ylim(bottom=0)
    _legend_above(ax, 2)
    return _png(fig)


def distribution_chart(sides: Sequence[tuple[str, Sequence[float]]]) -> bytes:
    """Empirical distribution of response times (share of requests at or below x)."""
    fig, ax = plt.subplots(figsize=_SIZE_IN)
    for (label, times), colour in zip(sides, SIDE_COLOURS, strict=False):
        ordered = np.sort(np.asarray(times, dtype=float))
        share = np.arange(1, len(ordered) + 1) / max(1, len(ordered)) * 100
        ax.step(ordered, share, where="post", label=label, color=colour, linewidth=1.4)
    for q in (50, 95):
        ax.axhline(q, color="#999999", linewidth=0.6, linestyle="--")
    _styled(ax, "requests at or below (%)")
    ax.set_xlabel("response time (ms)", fontsize=9)
    ax.set_xscale("log")
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    return _png(fig)
