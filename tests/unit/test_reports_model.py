"""The report model, the file naming rule, the CSV, the index and the chart helpers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path, PurePath

import pytest

from powertune.reports.charts import MAX_DOTS, curves_svg, thinned
from powertune.reports.csv_form import COLUMNS, render_csv
from powertune.reports.history import build_index
from powertune.reports.model import build_report
from powertune.reports.naming import ReportFormat, report_paths, stamp_of
from powertune.reports.quartiles import box_stats
from powertune.reports.svg import nice_ticks
from powertune.storage.reports import HistoryFile
from powertune.storage.results import read_result

RESULTS = Path(__file__).parents[1] / "data" / "results"


def test_the_report_names_follow_the_tuning_files_stamp() -> None:
    paths = report_paths(PurePath("reports/history/tuning-20261201T193000Z.json"))
    assert paths[ReportFormat.HTML] == PurePath("reports/history/power-tuner-20261201T193000Z.html")
    assert paths[ReportFormat.PNG].name == "power-tuner-20261201T193000Z.png"
    assert stamp_of(PurePath("tuning-20261201T193000Z-2.json")) == "20261201T193000Z-2"
    assert report_paths(PurePath("a/tuning-20261201T193000Z.json"), folder=PurePath("b"))[
        ReportFormat.CSV
    ] == PurePath("b/power-tuner-20261201T193000Z.csv")


def test_a_file_named_otherwise_takes_the_results_finish_time() -> None:
    result = read_result(RESULTS / "fixed.json")
    assert result.finished_at is not None
    assert stamp_of(PurePath("fixed.json"), result) == result.finished_at.strftime("%Y%m%dT%H%M%SZ")
    assert stamp_of(PurePath("my run (1).json")) == "my-run-1-"


def test_points_carry_the_statistics_and_the_raw_warm_samples() -> None:
    result = read_result(RESULTS / "fixed.json")
    report = build_report(result, "x")
    assert [p.memory_mb for p in report.points] == sorted(s.memory_mb for s in result.statistics)
    for point, stats in zip(
        report.points, sorted(result.statistics, key=lambda s: s.memory_mb), strict=True
    ):
        assert len(point.warm_durations_ms) == stats.warm_samples
        assert point.duration_ms.mean == stats.mean_duration_ms
        assert point.cost_per_million.mean == pytest.approx((stats.mean_cost_usd or 0) * 1e6)
    assert result.recommendation is not None
    winners = [p for p in report.points if p.recommended]
    assert [w.memory_mb for w in winners] == [result.recommendation.memory_mb]
    assert report.exploration.invocations == len(result.invocations)


def test_ties_failures_and_withheld_recommendations() -> None:
    adaptive = build_report(read_result(RESULTS / "adaptive.json"), "x")
    assert adaptive.verdict is not None
    assert adaptive.verdict.tied_with == ("1024MB/x86_64",)
    assert [p.memory_mb for p in adaptive.points if p.tied] == [1024]
    onefail = build_report(read_result(RESULTS / "onefail.json"), "x")
    assert [(p.memory_mb, p.errors) for p in onefail.failed] == [
        (512, (("Runtime.OutOfMemory", 1),))
    ]
    undecided = build_report(read_result(RESULTS / "undecided.json"), "x")
    assert undecided.verdict is None
    assert undecided.withheld is not None and undecided.withheld.startswith("no size meets")
    assert not any(w.startswith("no recommendation") for w in undecided.warnings)


def test_negative_interval_ends_of_old_files_are_clamped() -> None:
    report = build_report(read_result(RESULTS / "adaptive.json"), "x")
    assert all((p.duration_ms.low or 0) >= 0 for p in report.points)
    assert all((p.cost_per_million.low or 0) >= 0 for p in report.points)


def test_csv_has_one_row_per_invocation_in_sequence_order() -> None:
    result = read_result(RESULTS / "onefail.json")
    rows = list(csv.DictReader(io.StringIO(render_csv(result))))
    assert len(rows) == len(result.invocations)
    assert tuple(rows[0]) == COLUMNS
    assert [int(r["sequence"]) for r in rows] == sorted(r.sequence for r in result.invocations)
    failed = [r for r in rows if r["error_type"]]
    assert {r["error_type"] for r in failed} == {"Runtime.OutOfMemory"}
    assert {r["cold_start"] for r in rows} <= {"true", "false"}


def test_box_stats_and_thinning() -> None:
    box = box_stats([1.0, 2.0, 3.0, 4.0, 100.0])
    assert box is not None
    assert (box.q1, box.median, box.q3) == (2.0, 3.0, 4.0)
    assert box.whisker_high == 4.0  # 100 is beyond 1.5 IQR
    assert box_stats([]) is None
    values = [float(i) for i in range(10_000)]
    kept = thinned(values)
    assert len(kept) == MAX_DOTS and kept[0] == 0.0 and kept[-1] == 9999.0
    assert thinned([3.0, 1.0]) == [3.0, 1.0]


def test_nice_ticks_cover_the_top() -> None:
    assert nice_ticks(2153.7) == [0, 500, 1000, 1500, 2000, 2500]
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(37.7)[-1] >= 37.7


def test_the_curves_chart_has_a_hover_value_for_every_point() -> None:
    report = build_report(read_result(RESULTS / "fixed.json"), "x")
    svg = curves_svg(report)
    assert svg.count('<circle class="point"') == 2 * len(report.points)
    assert svg.count("<title>") >= 2 * len(report.points)
    assert "★ recommended" in svg


def test_index_tolerates_unknown_and_broken_files() -> None:
    doc = json.loads((RESULTS / "fixed.json").read_text())
    files = [
        HistoryFile("tuning-20261201T100000Z.json", doc),
        HistoryFile("tuning-20261202T100000Z.json", {"function_arn": 3}),
        HistoryFile("power-tuner-20261201T100000Z.html"),
        HistoryFile("apply-20261202T110000Z.json", problem="unreadable: Expecting value"),
        HistoryFile("loadtest-20261203T100000Z.json", {"status": "done"}),
        HistoryFile("README.txt"),
    ]
    index = build_index(files)
    kinds = [(r.kind, r.stamp) for r in index.runs]
    assert kinds == [
        ("load test", "20261203T100000Z"),
        ("apply", "20261202T110000Z"),
        ("tuning", "20261202T100000Z"),
        ("tuning", "20261201T100000Z"),
    ]
    broken = next(r for r in index.runs if r.stamp == "20261202T100000Z")
    assert broken.problem is not None
    assert index.others == ("README.txt",)
    ((function, points),) = index.trends
    assert function == "my-fn"
    assert [(p.memory_mb, p.report) for p in points] == [
        (doc["recommendation"]["memory_mb"], "power-tuner-20261201T100000Z.html")
    ]
    first = next(r for r in index.runs if r.stamp == "20261201T100000Z")
    assert [label for label, _ in first.links] == ["report", "json"]


def test_a_large_many_size_result_stays_under_two_megabytes() -> None:
    """40 sizes × 1,000 records through the real analysis and builder: the dots are thinned."""
    from powertune.cli.analysis import analyze_run
    from powertune.reports.html import render_html
    from powertune.results.build import Measured, build_result
    from powertune.results.model import Settings
    from powertune.storage import price_tables
    from powertune.tuning.models import Architecture, InvocationRecord, StrategySpec

    records = [
        InvocationRecord(
            memory_mb=128 + 64 * size,
            architecture=Architecture.X86_64,
            payload_index=0,
            duration_ms=100.0 + (i * 7919 % 1000) / 10,
            billed_duration_ms=201,
            sequence=size * 1000 + i,
        )
        for size in range(40)
        for i in range(1000)
    ]
    prices = price_tables.load_default()
    analysis, rate_for = analyze_run(
        records, region="us-east-1", prices=prices, spec=StrategySpec(), allowed_errors=frozenset()
    )
    measured = Measured("arn:aws:lambda:us-east-1:1:function:f", "us-east-1", records)
    result = build_result(measured, analysis, rate_for, Settings(decision=None))
    page = render_html(build_report(result, "x"))
    assert len(page.encode()) < 2_000_000
    assert page.count('class="sample"') <= 6000


def test_index_reads_a_fleets_per_function_folders(tmp_path: Path) -> None:
    from powertune.storage.reports import read_history

    doc = json.loads((RESULTS / "fixed.json").read_text())
    stamp = "20261201T100000Z"
    for name in ("fn-a", "fn-b"):  # two functions tuned in the same second
        folder = tmp_path / name
        folder.mkdir()
        one = {**doc, "function_arn": f"arn:aws:lambda:us-east-1:1:function:{name}"}
        (folder / f"tuning-{stamp}.json").write_text(json.dumps(one))
        (folder / f"power-tuner-{stamp}.html").write_text("<html></html>")
    statuses = [{"function": "fn-a", "status": "tuned"}, {"function": "fn-b", "status": "failed"}]
    fleet = {"kind": "fleet", "tags": {"team": "x"}, "transitions": 40, "functions": statuses}
    (tmp_path / "fleet-20261201T100500Z.json").write_text(json.dumps(fleet))

    index = build_index(list(read_history(tmp_path)))

    tunings = sorted((r.function, r.links) for r in index.runs if r.kind == "tuning")
    assert tunings == [
        (f, (("report", f"history/{f}/power-tuner-{stamp}.html"),
             ("json", f"history/{f}/tuning-{stamp}.json")))
        for f in ("fn-a", "fn-b")
    ]  # fmt: skip
    assert [(fn, [p.report for p in ps]) for fn, ps in index.trends] == [
        (f, [f"{f}/power-tuner-{stamp}.html"]) for f in ("fn-a", "fn-b")
    ]
    [run] = [r for r in index.runs if r.kind == "fleet"]
    assert run.summary == "team=x: 1 of 2 functions tuned (failed: fn-b), 40 transitions"
    assert index.others == ()
