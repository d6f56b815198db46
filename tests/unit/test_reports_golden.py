"""The Markdown reports and the HTML reports' structure match their golden files.

Each fixture of tests/data/results (written by the real `tune`) is rendered with a
fixed stamp. To accept an intended change: POWERTUNE_UPDATE_GOLDEN=1 pytest this file,
then review the diff of tests/data/reports/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_outline import outline

from powertune.reports.history import build_index
from powertune.reports.html import render_html
from powertune.reports.index_html import render_index
from powertune.reports.markdown import render_markdown
from powertune.reports.model import build_report
from powertune.storage.reports import read_history
from powertune.storage.results import read_result

DATA = Path(__file__).parents[1] / "data"
GOLDEN = DATA / "reports"
FIXTURES = ("fixed", "adaptive", "onefail", "allfail", "undecided", "compat")
STAMP = "20261201T193000Z"


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("POWERTUNE_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with POWERTUNE_UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("fixture", FIXTURES)
def test_markdown_matches_golden(fixture: str) -> None:
    report = build_report(read_result(DATA / "results" / f"{fixture}.json"), STAMP)
    check(f"{fixture}.md", render_markdown(report))


@pytest.mark.parametrize("fixture", FIXTURES)
def test_html_outline_matches_golden(fixture: str) -> None:
    report = build_report(read_result(DATA / "results" / f"{fixture}.json"), STAMP)
    check(f"{fixture}.outline.txt", outline(render_html(report)))


def test_rendering_twice_gives_the_same_bytes() -> None:
    result = read_result(DATA / "results" / "adaptive.json")
    first, second = (render_html(build_report(result, STAMP)) for _ in range(2))
    assert first == second


def test_index_outline_matches_golden(tmp_path: Path) -> None:
    history = tmp_path / "history"
    history.mkdir()
    for i, fixture in enumerate(("fixed", "onefail")):
        text = (DATA / "results" / f"{fixture}.json").read_text()
        (history / f"tuning-2026120{i + 1}T100000Z.json").write_text(text)
    (history / "power-tuner-20261201T100000Z.html").write_text("<html></html>")
    (history / "decision-20261202T110000Z.json").write_text('{"outcome": "applied"}')
    (history / "apply-20261202T110500Z.json").write_text("{broken")
    (history / "newman-20261202T090000Z.md").write_text("# Newman run: PASSED\n")
    (history / "notes.txt").write_text("kept, listed under other files")
    check("index.outline.txt", outline(render_index(build_index(list(read_history(history))))))
