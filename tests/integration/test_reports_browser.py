"""Every HTML report in a real browser: opened from file://, no console error, no network
request, every chart drawn with its marks, and a screenshot taken.

Headless Chromium: CHROME_BIN, or chromium / google-chrome on PATH (.ci/run installs
Debian's chromium; GitHub's Ubuntu runners have Chrome). Without one the test skips
with a reason and a warning, or fails when POWERTUNE_REQUIRE_BROWSER=1 (CI sets it).
Screenshots go to POWERTUNE_SCREENSHOT_DIR when set (a CI artifact), else tmp_path.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pytest
from cdp_browser import browser, find_browser, load

from powertune.reports.newman_html import render_newman_html
from powertune.storage.results import read_result

pytestmark = pytest.mark.integration
ROOT = Path(__file__).parents[2]
RESULTS = ROOT / "tests" / "data" / "results"


@pytest.fixture(scope="module")
def chrome() -> str:
    binary = find_browser()
    if binary is None:
        reason = "no headless Chromium/Chrome (set CHROME_BIN or install chromium)"
        if os.environ.get("POWERTUNE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + ", and POWERTUNE_REQUIRE_BROWSER=1")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn(
                f"the browser test of the HTML reports did NOT run: {reason}",
                UserWarning,
                stacklevel=1,
            )
        pytest.skip(reason)
    return binary


def pages(folder: Path) -> list[Path]:
    """One of each page: reports of a plain, a tied, a failing and an undecided run, the
    index over them, and a Newman page."""
    from powertune.cli.report import write_index, write_reports
    from powertune.reports.naming import ReportFormat

    history = folder / "reports" / "history"
    history.mkdir(parents=True)
    out = []
    for i, name in enumerate(("fixed", "adaptive", "onefail", "undecided")):
        path = history / f"tuning-2026120{i + 1}T100000Z.json"
        shutil.copy(RESULTS / f"{name}.json", path)
        out += write_reports(read_result(path), path, [ReportFormat.HTML])
    newman = history / "newman-20261201T090000Z.html"
    summary = {
        "run": {
            "stats": {"requests": {"total": 1, "failed": 0}},
            "executions": [
                {
                    "item": {"name": "Get"},
                    "request": {"method": "GET", "url": "http://127.0.0.1:9/x"},
                    "response": {"code": 200, "responseTime": 3},
                    "assertions": [{"assertion": "ok"}],
                }
            ],
        }
    }
    newman.write_text(render_newman_html(summary))
    return [*out, newman, write_index(history)]


def test_every_report_page_loads_offline_and_draws_its_charts(chrome: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get("POWERTUNE_SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with browser(chrome, tmp_path / "profile") as host:
        for page in pages(tmp_path):
            loaded = load(host, page)
            assert loaded.errors == [], f"{page.name}: {loaded.errors}"
            assert loaded.requests == [], f"{page.name} requested {loaded.requests}"
            if page.name.startswith(("power-tuner", "index")):
                assert loaded.charts, f"{page.name} has no chart"
                for chart in loaded.charts:
                    assert chart["width"] > 600 and chart["height"] > 200, (page.name, chart)
                    assert chart["marks"] > 0, f"{page.name}: a chart without marks {chart}"
            assert loaded.screenshot_png.startswith(b"\x89PNG")
            (shots / f"{page.stem}.png").write_bytes(loaded.screenshot_png)
    assert len(list(shots.glob("*.png"))) == 6


def test_the_browser_sees_a_network_request_when_a_page_makes_one(
    chrome: str, tmp_path: Path
) -> None:
    """The check above can fail: a page that loads an image from the network is caught."""
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script>'
    )
    with browser(chrome, tmp_path / "profile") as host:
        loaded = load(host, page)
    assert loaded.requests == ["http://127.0.0.1:9/x.png"]
    assert any("boom" in e for e in loaded.errors)
    assert json.dumps(loaded.charts) == "[]"
