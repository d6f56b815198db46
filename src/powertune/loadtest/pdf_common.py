"""Shared pieces of the load-test PDFs: styles, text tables, chart images, number formats.

Why reportlab and not weasyprint: reportlab's Platypus lays out real text
tables that break across pages from plain Python wheels, while weasyprint
needs the system's Pango (>= 1.44), HarfBuzz and fontconfig on every user's
and CI machine, plus an HTML/CSS template layer for what are a few tables.
reportlab's invariant mode also makes the files reproducible (no timestamp or
random document id), so two runs of the same data give the same bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# reportlab ships no type information: its names are Any to mypy.
from reportlab import rl_config  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import (  # type: ignore[import-untyped]
    ParagraphStyle,
    getSampleStyleSheet,
)
from reportlab.lib.units import mm as _mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

#: one millimetre in PDF points
mm: float = _mm

rl_config.invariant = 1  # reproducible output: no creation date or random id in the file

_BASE = getSampleStyleSheet()
TITLE = ParagraphStyle("pt-title", parent=_BASE["Title"], fontSize=17, spaceAfter=2 * mm)
SUBTITLE = ParagraphStyle(
    "pt-sub",
    parent=_BASE["Normal"],
    fontSize=9,
    textColor=colors.grey,
    alignment=1,
    spaceAfter=4 * mm,
)
HEADING = ParagraphStyle(
    "pt-h2",
    parent=_BASE["Heading2"],
    fontSize=12.5,
    spaceBefore=5 * mm,
    spaceAfter=2 * mm,
    textColor=colors.HexColor("#1f3b5a"),
)
BODY = ParagraphStyle("pt-body", parent=_BASE["Normal"], fontSize=9, leading=12)
SMALL = ParagraphStyle("pt-small", parent=BODY, fontSize=7.5, leading=9.5, textColor=colors.grey)
CELL = ParagraphStyle("pt-cell", parent=BODY, fontSize=8, leading=10)
CONTENT_WIDTH = A4[0] - 36 * mm
_HEADER_BG = colors.HexColor("#1f3b5a")
_STRIPE = colors.HexColor("#f1f4f8")


def ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.1f} ms"


def pct(value: float | None, signed: bool = False) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:+.1f}%" if signed else f"{value:.2f}%"


def usd(value: float | None, currency: str = "USD") -> str:
    return "not priced" if value is None else f"{value:,.4f} {currency}"


def table(
    rows: Sequence[Sequence[str | Paragraph]],
    widths: Sequence[float] | None = None,
    *,
    header: bool = True,
    align_right_from: int = 1,
) -> Table:
    """A striped text table across the page; the first row is the header when `header`."""
    if widths is None:
        # The first column holds names (endpoints, metrics): give it twice the room.
        unit = CONTENT_WIDTH / (len(rows[0]) + 1)
        widths = [2 * unit] + [unit] * (len(rows[0]) - 1)
    t = Table(
        [list(r) for r in rows], colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT"
    )
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (align_right_from, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.HexColor("#b8c2cc")),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    first = 1 if header else 0
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), _HEADER_BG),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ]
    for i in range(first, len(rows)):
        if (i - first) % 2 == 1:
            style.append(("BACKGROUND", (0, i), (-1, i), _STRIPE))
    t.setStyle(TableStyle(style))
    return t


def key_values(pairs: Sequence[tuple[str, str]]) -> Table:
    """A two-column table of labels and values (the setup)."""
    rows = [[Paragraph(f"<b>{k}</b>", CELL), Paragraph(escape(v), CELL)] for k, v in pairs]
    return table(rows, [45 * mm, CONTENT_WIDTH - 45 * mm], header=False, align_right_from=9)


def chart(png: bytes, width: float = CONTENT_WIDTH) -> Image:
    """A chart image scaled to `width`, keeping its aspect ratio."""
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / image.imageWidth
    image.drawWidth, image.drawHeight = width, width * ratio
    return image


def section(title: str, *flowables: Flowable) -> list[Flowable]:
    """A heading kept on the same page as the first thing under it (no orphan headings)."""
    first, *rest = flowables
    return [KeepTogether([Paragraph(escape(title), HEADING), first]), *rest]


def shade_verdicts(t: Table, rows: Sequence[Sequence[str]], column: int) -> None:
    """Colour the verdict cells: green better, red worse, grey no change."""
    shades = {"better": "#2e7d32", "worse": "#c62828", "no change": "#607d8b"}
    for i, row in enumerate(rows[1:], start=1):
        colour = shades.get(row[column])
        if colour:
            t.setStyle(
                TableStyle(
                    [
                        ("TEXTCOLOR", (column, i), (column, i), colors.HexColor(colour)),
                        ("FONTNAME", (column, i), (column, i), "Helvetica-Bold"),
                    ]
                )
            )


def paragraph(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(text, style)


def escape(text: str) -> str:
    """`text` safe inside a Paragraph (reportlab reads a small XML markup)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build(path: Path, title: str, story: list[Flowable]) -> None:
    """Lay out `story` on A4 pages with a footer (title, page number) into `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 10 * mm, f"powertune loadtest - {title}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="powertune",
        subject="load test report",
        creator="powertune loadtest",
    )
    doc.build([*story, Spacer(1, 1)], onFirstPage=footer, onLaterPages=footer)
