"""`powertune report` and the reports `powertune tune` writes, through the real entry point."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_runner import ROOT, cli, isolate

RESULTS = ROOT / "tests" / "data" / "results"
PROFILE = "benchmarks/decision/profiles/01-cpu-single-1.yaml"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def history_with(tmp_path: Path, *fixtures: str) -> Path:
    history = tmp_path / "reports" / "history"
    history.mkdir(parents=True)
    for i, name in enumerate(fixtures):
        shutil.copy(RESULTS / f"{name}.json", history / f"tuning-2026120{i + 1}T193000Z.json")
    return history


def test_report_writes_every_format_named_by_the_results_stamp(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    history = history_with(tmp_path, "fixed")
    code, out, err = cli(
        ["report", str(history / "tuning-20261201T193000Z.json")], capsys, monkeypatch
    )
    assert code == 0, err
    names = sorted(Path(line).name for line in out.splitlines())
    assert names == [f"power-tuner-20261201T193000Z.{ext}" for ext in ("csv", "html", "md", "png")]
    html = (history / "power-tuner-20261201T193000Z.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "Recommended:" in html
    assert len(html.encode()) < 2_000_000


def test_report_format_and_output_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    history = history_with(tmp_path, "onefail")
    out_dir = tmp_path / "elsewhere"
    code, _, err = cli(
        [
            "report",
            str(history / "tuning-20261201T193000Z.json"),
            "--format",
            "md,csv",
            "--output",
            str(out_dir),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "power-tuner-20261201T193000Z.csv",
        "power-tuner-20261201T193000Z.md",
    ]
    assert not list(history.glob("power-tuner-*"))


@pytest.mark.parametrize(
    "args",
    [["report"], ["report", "x.json", "--index", "h"], ["report", "R", "--format", "pdf"]],
)
def test_bad_usage_exits_2_with_one_line(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    history = history_with(tmp_path, "fixed")
    args = [str(history / "tuning-20261201T193000Z.json") if a == "R" else a for a in args]
    code, _, err = cli(args, capsys, monkeypatch)
    assert code == 2
    assert err.startswith("error: ")


def test_a_records_only_file_is_refused_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(["report", str(RESULTS / "minimal.json")], capsys, monkeypatch)
    assert code == 2
    assert "powertune analyze" in err


def test_index_lists_the_history_in_its_parent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    history = history_with(tmp_path, "fixed", "onefail")
    (history / "newman-20261201T180000Z.json").write_text("{not json")
    code, out, err = cli(["report", "--index", str(history)], capsys, monkeypatch)
    assert code == 0, err
    assert out.strip() == str(history.parent / "index.html")
    page = (history.parent / "index.html").read_text()
    assert page.count('<tr class="') >= 3
    assert 'href="history/tuning-20261202T193000Z.json"' in page


def tune(output: Path, *extra: str) -> list[str]:
    return [
        "tune",
        "my-fn",
        "--region",
        "us-east-1",
        "--backend",
        f"simulate:{PROFILE}",
        "--invocations",
        "3",
        "--memory",
        "256,512",
        "--seed",
        "1",
        "--output",
        str(output),
        *extra,
    ]


def test_tune_writes_html_png_md_beside_its_json_and_no_report_skips_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = cli(tune(tmp_path / "a"), capsys, monkeypatch)
    assert code == 0, err
    assert out == ""  # stdout stays as it was
    (result,) = (tmp_path / "a").glob("tuning-*.json")
    stamp = result.stem.removeprefix("tuning-")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        [result.name, *(f"power-tuner-{stamp}.{ext}" for ext in ("html", "md", "png"))]
    )
    assert "reports: " in err
    code, _, err = cli(tune(tmp_path / "b", "--no-report"), capsys, monkeypatch)
    assert code == 0, err
    assert [p.suffix for p in (tmp_path / "b").iterdir()] == [".json"]
