"""`powertune report`: render a result's HTML, PNG, Markdown and CSV, or the history's index.

    powertune report reports/history/tuning-<ts>.json [--format html,png,md,csv] [--output DIR]
    powertune report --index reports/history      (writes reports/index.html)

The written paths are printed on stdout, one a line. `write_reports` is also what
`powertune tune` calls after writing its result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from powertune.errors import ConfigError
from powertune.reports.csv_form import render_csv
from powertune.reports.history import build_index
from powertune.reports.html import render_html
from powertune.reports.index_html import render_index
from powertune.reports.markdown import render_markdown
from powertune.reports.model import Report, build_report
from powertune.reports.naming import ReportFormat, report_paths, stamp_of
from powertune.reports.png import render_png
from powertune.results.model import TuningResult
from powertune.storage.reports import read_history, write_atomic
from powertune.storage.results import read_result

_RENDER: dict[ReportFormat, Callable[[TuningResult, Report], str | bytes]] = {
    ReportFormat.HTML: lambda _, report: render_html(report),
    ReportFormat.PNG: lambda _, report: render_png(report),
    ReportFormat.MD: lambda _, report: render_markdown(report),
    ReportFormat.CSV: lambda result, _: render_csv(result),
}


def parse_formats(spec: str) -> tuple[ReportFormat, ...]:
    """`html,png` -> the formats, in the order given; a bad name is a ConfigError."""
    out: list[ReportFormat] = []
    for word in (w.strip().lower() for w in spec.split(",") if w.strip()):
        try:
            out.append(ReportFormat(word))
        except ValueError:
            allowed = ",".join(f.value for f in ReportFormat)
            raise ConfigError(
                f"--format {word!r} is not a report format; use some of {allowed}"
            ) from None
    if not out:
        raise ConfigError("--format is empty; use some of html,png,md,csv")
    return tuple(dict.fromkeys(out))


def write_reports(
    result: TuningResult,
    result_path: Path,
    formats: Sequence[ReportFormat],
    folder: Path | None = None,
) -> list[Path]:
    """Render `result` to each of `formats` and write them (default: beside `result_path`)."""
    if not result.analysed:
        raise ConfigError(
            f"{str(result_path)!r} holds only records, nothing decided yet; "
            f"run `powertune analyze {result_path}` and report on its output"
        )
    report = build_report(result, stamp_of(result_path, result))
    paths = report_paths(result_path, result, folder)
    return [write_atomic(Path(paths[fmt]), _RENDER[fmt](result, report)) for fmt in formats]


def write_index(history: Path) -> Path:
    """`index.html` in `history`'s parent, over every file of `history`."""
    if not history.is_dir():
        raise ConfigError(
            f"--index {str(history)!r} is not a folder; give the history folder, "
            "e.g. reports/history"
        )
    index = build_index(list(read_history(history)), history.name)
    return write_atomic(history.parent / "index.html", render_index(index))


@click.command()
@click.argument("result", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "format_spec",
    default="html,png,md,csv",
    show_default=True,
    help="Comma-separated: html, png, md, csv.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for power-tuner-<ts>.* (default: the result's folder).",
)
@click.option(
    "--index",
    "index_of",
    type=click.Path(path_type=Path),
    default=None,
    help="Write index.html over this history folder (into its parent) instead.",
)
def report(
    result: Path | None, format_spec: str, output: Path | None, index_of: Path | None
) -> None:
    """Render RESULT (a tuning-<ts>.json) as HTML, PNG, Markdown and CSV.

    With --index HISTORY instead: write index.html over the history folder, in its parent.
    """
    if (result is None) == (index_of is None):
        raise ConfigError(
            "give a RESULT file or --index HISTORY_FOLDER (one of them): "
            "powertune report reports/history/tuning-<ts>.json, "
            "or powertune report --index reports/history"
        )
    if index_of is not None:
        click.echo(str(write_index(index_of)))
        return
    assert result is not None
    for path in write_reports(read_result(result), result, parse_formats(format_spec), output):
        click.echo(str(path))
