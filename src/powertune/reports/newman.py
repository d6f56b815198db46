"""Markdown summary of a Newman run, built from its JSON reporter output.

Reads `run.stats`, `run.timings`, `run.executions` and `run.failures` of the
JSON that `newman run -r json` writes (Newman's lib/reporters/json), never the
HTML report. `render_newman_summary` is pure; `main` is the file-to-file CLI
that scripts/newman-run.sh calls (`--html`: the self-contained page of newman_html.py):

    python -m powertune.reports.newman RUN.json > newman-<ts>.md
    python -m powertune.reports.newman --html RUN.json > newman-<ts>.html
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STAT_ROWS = (
    ("iterations", "Iterations"),
    ("requests", "Requests"),
    ("testScripts", "Test scripts"),
    ("prerequestScripts", "Pre-request scripts"),
    ("assertions", "Assertions"),
)


def render_newman_summary(summary: Mapping[str, Any], title: str = "Newman run") -> str:
    """The Markdown report of one Newman run summary (the JSON reporter's document)."""
    run: Mapping[str, Any] = summary.get("run") or {}
    stats: Mapping[str, Any] = run.get("stats") or {}
    timings: Mapping[str, Any] = run.get("timings") or {}
    failures: Sequence[Mapping[str, Any]] = run.get("failures") or []
    executions: Sequence[Mapping[str, Any]] = run.get("executions") or []
    failed_total = sum(int((stats.get(key) or {}).get("failed", 0)) for key, _ in STAT_ROWS)
    verdict = "PASSED" if not failures and failed_total == 0 else "FAILED"

    lines = [f"# {title}: {verdict}", ""]
    collection = (summary.get("collection") or {}).get("info", {}).get("name")
    if collection:
        lines.append(f"- Collection: {collection}")
    base_url = environment_value(summary, "baseUrl")
    if base_url:
        lines.append(f"- Base URL: `{base_url}`")
    started, completed = timings.get("started"), timings.get("completed")
    if isinstance(started, int | float):
        lines.append(f"- Started: {utc(started)}")
    if isinstance(started, int | float) and isinstance(completed, int | float):
        lines.append(f"- Duration: {int(completed - started)} ms")
    lines += ["", "| | Total | Failed |", "|---|---:|---:|"]
    for key, label in STAT_ROWS:
        entry = stats.get(key) or {}
        lines.append(f"| {label} | {entry.get('total', 0)} | {entry.get('failed', 0)} |")
    if "responseAverage" in timings:
        lines += [
            "",
            "Response time: "
            f"average {timings['responseAverage']:.1f} ms, min {timings.get('responseMin', 0)} ms, "
            f"max {timings.get('responseMax', 0)} ms, s.d. {timings.get('responseSd', 0):.1f} ms",
        ]
    if failures:
        lines += ["", "## Failures", "", "| Request | Test | Error |", "|---|---|---|"]
        for failure in failures:
            source = (failure.get("source") or {}).get("name", "?")
            error = failure.get("error") or {}
            test = error.get("test") or error.get("name", "")
            lines.append(f"| {_cell(source)} | {_cell(test)} | {_cell(error.get('message', ''))} |")
    if executions:
        lines += [
            "",
            "## Requests",
            "",
            "| Request | Method | Status | Time (ms) | Assertions passed |",
            "|---|---|---:|---:|---:|",
        ]
        for execution in executions:
            lines.append(_execution_row(execution))
    return "\n".join(lines) + "\n"


def _execution_row(execution: Mapping[str, Any]) -> str:
    name = (execution.get("item") or {}).get("name", "?")
    method = (execution.get("request") or {}).get("method", "?")
    response = execution.get("response") or {}
    assertions = [a for a in execution.get("assertions") or [] if not a.get("skipped")]
    passed = sum(1 for a in assertions if not a.get("error"))
    status = response.get("code", "no response")
    timing = response.get("responseTime", "")
    return f"| {_cell(name)} | {method} | {status} | {timing} | {passed}/{len(assertions)} |"


def environment_value(summary: Mapping[str, Any], key: str) -> str | None:
    for entry in (summary.get("environment") or {}).get("values") or []:
        if entry.get("key") == key:
            return str(entry.get("value"))
    return None


def utc(epoch_ms: float) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the Markdown summary (or with --html the page) of the Newman JSON file named."""
    args = list(sys.argv[1:] if argv is None else argv)
    html = "--html" in args
    args = [a for a in args if a != "--html"]
    if len(args) != 1:
        sys.stderr.write("usage: python -m powertune.reports.newman [--html] NEWMAN_RUN.json\n")
        return 2
    summary = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    if html:
        # imported here: the Markdown path stays free of jinja2's start-up cost
        from powertune.reports.newman_html import render_newman_html

        sys.stdout.write(render_newman_html(summary, _title(Path(args[0]))))
    else:
        sys.stdout.write(render_newman_summary(summary))
    return 0


def _title(path: Path) -> str:
    """`items API: Newman run 20261201T191545Z` for `newman-20261201T191545Z.json`."""
    return f"items API: Newman run {path.stem.removeprefix('newman-')}"


if __name__ == "__main__":
    raise SystemExit(main())
