"""`analyze` reproduces `tune`'s pick on every profile of the decision suite (issue 9).

Each profile of `benchmarks/decision/profiles` is tuned with the default
(adaptive) policy on the simulator, seeded, through the real CLI; `analyze`
on the written result, with the same options, must recommend the same size.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import cli, isolate

ROOT = Path(__file__).parents[2]
PROFILES = sorted((ROOT / "benchmarks" / "decision" / "profiles").glob("*.yaml"))
GRID = "128,256,512,768,1024,1536,1769,2048,3008"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def test_the_suite_has_the_issue_profiles() -> None:
    assert len(PROFILES) == 100
    names = {p.stem for p in PROFILES}
    assert {"99-stall-issue", "100-one-size-outliers-issue"} <= names


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_analyze_reproduces_tune(
    profile: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["tune", "fn", "--region", "us-east-1", "--backend", f"simulate:{profile}"]
    args += ["--memory", GRID, "--seed", "1", "--output", str(tmp_path)]
    code, _, _ = cli(args, capsys, monkeypatch)
    path = next(tmp_path.glob("tuning-*.json"))
    tuned = json.loads(path.read_text())
    assert tuned["settings"]["decision"]["method"] == "adaptive"
    again, out, _ = cli(["analyze", str(path)], capsys, monkeypatch)
    redone = json.loads(out)
    assert (again, redone["power"], redone["recommendation"]) == (
        code,
        tuned["power"],
        tuned["recommendation"],
    )
