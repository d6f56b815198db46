"""`powertune tune` and `powertune analyze` end to end on the simulator backend.

The CLI runs in-process through `powertune.cli.main.main` (what the console script
calls), so exit codes and the one-line error mapping are the real ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import cli, isolate, only_result

from powertune.results import parse_result, validate_document
from powertune.tuning.compat.analysis import analyze_compat

PROFILE = "benchmarks/decision/profiles/01-cpu-single-1.yaml"
ROOT = Path(__file__).parents[2]
ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def tune_args(output: Path, *extra: str, profile: str = PROFILE) -> list[str]:
    return [
        "tune",
        "my-fn",
        "--region",
        "us-east-1",
        "--backend",
        f"simulate:{profile}",
        "--invocations",
        "5",
        "--seed",
        "1",
        "--output",
        str(output),
        *extra,
    ]


def test_tune_writes_a_valid_result_with_the_compat_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(tune_args(tmp_path / "out"), capsys, monkeypatch)
    assert code == 0, err
    doc = only_result(tmp_path / "out")
    validate_document(doc)
    assert doc["function_arn"] == ARN
    assert doc["region"] == "us-east-1"
    assert doc["synthetic"] is True
    assert doc["power"] == doc["recommendation"]["memory_mb"]
    assert doc["cost"] > 0
    assert doc["duration"] > 0
    assert set(doc["stateMachine"]) == {"executionCost", "lambdaCost", "visualization"}
    assert doc["stateMachine"]["visualization"].startswith("https://lambda-power-tuning.show/#")
    assert [s["value"] for s in doc["stats"]] == [128, 256, 512, 1024, 1536, 1769, 3008]
    assert doc["settings"]["seed"] == 1
    assert doc["settings"]["sampling"] == "fixed(5)"
    assert len(doc["invocations"]) == 7 * 6  # 5 samples + 1 warm-up per size
    assert "recommended:" in err
    assert not list((tmp_path / "state").glob("journals/*.json"))  # journal removed


def test_same_seed_same_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a", "b"):
        assert cli(tune_args(tmp_path / name, "--memory", "256,512"), capsys, monkeypatch)[0] == 0
    a, b = only_result(tmp_path / "a"), only_result(tmp_path / "b")
    assert a["invocations"] == b["invocations"]


def test_memory_range_is_inclusive_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = cli(tune_args(tmp_path, "--memory", "1024..2048:512"), capsys, monkeypatch)
    assert code == 0
    assert only_result(tmp_path)["settings"]["memory_sizes"] == [1024, 1536, 2048]


def test_dry_run_prints_the_plan_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli(
        tune_args(tmp_path / "out", "--memory", "128,1024", "--dry-run"), capsys, monkeypatch
    )
    assert code == 0
    plan = json.loads(out)
    assert plan["configurations"] == ["128MB/x86_64", "1024MB/x86_64"]
    assert plan["max_invocations"] == 2 * 5 + 2
    assert plan["changes"] == "none (dry run)"
    assert plan["timeout_s"] > 0
    # upper bound: every invocation runs to the timeout
    per_gb_s, per_request = 0.0000166667, 0.0000002
    bound = sum(6 * (plan["timeout_s"] * m / 1024 * per_gb_s + per_request) for m in (128, 1024))
    assert plan["cost_upper_bound_usd"] == pytest.approx(bound)
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "state").exists()


def test_analyze_re_decides_from_the_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(tune_args(tmp_path), capsys, monkeypatch)[0] == 0
    path = next(tmp_path.glob("tuning-*.json"))
    tuned = json.loads(path.read_text())
    code, out, _ = cli(["analyze", str(path)], capsys, monkeypatch)
    assert code == 0
    same = json.loads(out)
    validate_document(same)
    assert same["invocations"] == tuned["invocations"]
    assert (same["power"], same["cost"], same["duration"]) == (
        tuned["power"],
        tuned["cost"],
        tuned["duration"],
    )
    code, out, _ = cli(["analyze", str(path), "--strategy", "speed"], capsys, monkeypatch)
    assert code == 0
    fast = json.loads(out)
    assert fast["settings"]["strategy"]["name"] == "speed"
    fastest = min(tuned["statistics"], key=lambda s: s["mean_duration_ms"])
    assert fast["power"] == fastest["memory_mb"]


def test_analyze_accepts_a_minimal_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    invocations = [
        {"memory_mb": m, "duration_ms": d + i, "billed_duration_ms": int(d + i) + 1}
        for m, d in ((128, 400.0), (512, 100.0))
        for i in range(6)
    ]
    path = tmp_path / "minimal.json"
    path.write_text(
        json.dumps({"function_arn": ARN, "region": "eu-west-1", "invocations": invocations})
    )
    code, out, err = cli(["analyze", str(path)], capsys, monkeypatch)
    assert code == 0, err
    doc = json.loads(out)
    validate_document(doc)
    assert doc["region"] == "eu-west-1"
    assert doc["power"] in (128, 512)
    assert [s["warm_samples"] for s in doc["statistics"]] == [6, 6]


def test_compat_mode_puts_upstream_numbers_at_the_top(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = cli(
        tune_args(tmp_path, "--compat", "aws-lambda-power-tuning"), capsys, monkeypatch
    )
    assert code == 0
    doc = only_result(tmp_path)
    validate_document(doc)
    records = parse_result(doc).invocations
    upstream = analyze_compat(records, strategy="cost", lambda_region="us-east-1")
    for key in ("power", "cost", "duration", "stateMachine", "stats"):
        assert doc[key] == upstream[key]
    assert doc["powertune"]["power"] == doc["recommendation"]["memory_mb"]
    # upstream's averageDuration is a trimmed mean that includes init time
    one = next(s for s in doc["stats"] if s["value"] == 1024)
    durations = sorted(
        r["duration_ms"] + (r["init_duration_ms"] or 0)
        for r in doc["invocations"]
        if r["memory_mb"] == 1024
    )
    trimmed = durations[1:-1]  # floor(6 × 0.2) = 1 from each end
    assert one["averageDuration"] == pytest.approx(sum(trimmed) / len(trimmed))


def test_analyze_in_compat_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(tune_args(tmp_path), capsys, monkeypatch)[0] == 0
    path = next(tmp_path.glob("tuning-*.json"))
    code, out, _ = cli(
        ["analyze", str(path), "--compat", "aws-lambda-power-tuning", "--discard-top-bottom", "0"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    doc = json.loads(out)
    records = parse_result(doc).invocations
    upstream = analyze_compat(
        records, strategy="cost", lambda_region="us-east-1", discard_top_bottom=0.0
    )
    assert doc["power"] == upstream["power"]
    assert doc["stats"] == upstream["stats"]


def test_every_size_failing_exits_1_and_keeps_the_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hungry = "benchmarks/decision/profiles/37-memory-hungry-1.yaml"  # needs 700 MB
    code, _, err = cli(
        tune_args(tmp_path, "--memory", "128,256", profile=hungry), capsys, monkeypatch
    )
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: every memory size failed: 128 MB:")
    assert "Runtime.OutOfMemory" in last
    doc = only_result(tmp_path)
    assert doc["recommendation"] is None
    assert [f["memory_mb"] for f in doc["failed"]] == [128, 256]
    code, out, err = cli(
        ["analyze", str(next(tmp_path.glob("tuning-*.json")))], capsys, monkeypatch
    )
    assert code == 1
    assert json.loads(out)["power"] is None


def test_one_failing_size_does_not_sink_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hungry = "benchmarks/decision/profiles/37-memory-hungry-1.yaml"
    code, _, _ = cli(
        tune_args(tmp_path, "--memory", "512,1024,2048", profile=hungry), capsys, monkeypatch
    )
    assert code == 0
    doc = only_result(tmp_path)
    assert [f["memory_mb"] for f in doc["failed"]] == [512]
    assert "Runtime.OutOfMemory" in doc["failed"][0]["failure"]
    assert doc["power"] in (1024, 2048)


def test_a_budget_nobody_meets_keeps_the_measurements(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = tune_args(tmp_path, "--memory", "512,1024", "--strategy", "latency-budget")
    args[args.index("--invocations") + 1] = "10"
    code, _, err = cli([*args, "--latency-budget-ms", "1"], capsys, monkeypatch)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: no size meets the p90 budget of 1.0 ms")
    path = next(tmp_path.glob("tuning-*.json"))
    assert f"measurements are saved in {path}" in last
    doc = json.loads(path.read_text())
    validate_document(doc)
    assert doc["recommendation"] is None
    assert doc["power"] is None
    assert len(doc["invocations"]) == 2 * 11
    assert doc["settings"]["strategy"]["name"] == "latency-budget"
    # re-decided later with a budget that can be met, from the saved records
    code, out, _ = cli(
        ["analyze", str(path), "--strategy", "latency-budget", "--latency-budget-ms", "100000"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert json.loads(out)["power"] in (512, 1024)


def test_compat_mode_when_every_size_fails_still_writes_the_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hungry = "benchmarks/decision/profiles/37-memory-hungry-1.yaml"
    args = tune_args(
        tmp_path, "--memory", "128,256", "--compat", "aws-lambda-power-tuning", profile=hungry
    )
    code, _, err = cli(args, capsys, monkeypatch)
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("error: every memory size failed")
    doc = only_result(tmp_path)
    validate_document(doc)
    assert doc["power"] is None
    assert doc["settings"]["compat"] == "aws-lambda-power-tuning"
    assert len(doc["failed"]) == 2


def test_analyze_keeps_sizes_that_failed_without_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A size whose Invoke itself failed has no record; re-deciding must not drop it."""
    invocations = [
        {"memory_mb": 128, "duration_ms": 100.0 + i, "billed_duration_ms": 101 + i}
        for i in range(5)
    ]
    failed = {
        "memory_mb": 256,
        "architecture": "x86_64",
        "warm_samples": 0,
        "mean_duration_ms": None,
        "mean_cost_usd": None,
        "failure": "Invoke failed: NoReportLine: no REPORT line",
    }
    path = tmp_path / "result.json"
    path.write_text(
        json.dumps(
            {
                "function_arn": ARN,
                "region": "us-east-1",
                "invocations": invocations,
                "failed": [failed],
            }
        )
    )
    code, out, _ = cli(["analyze", str(path)], capsys, monkeypatch)
    assert code == 0
    doc = json.loads(out)
    assert [(f["memory_mb"], f["failure"]) for f in doc["failed"]] == [
        (256, "Invoke failed: NoReportLine: no REPORT line")
    ]
    assert doc["power"] == 128


def test_default_adaptive_run_writes_a_valid_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = tune_args(tmp_path, "--memory", "512,1024,2048")
    i = args.index("--invocations")
    del args[i : i + 2]  # no --invocations: adaptive sampling
    code, _, err = cli(args, capsys, monkeypatch)
    assert code == 0, err
    doc = only_result(tmp_path)
    validate_document(doc)
    assert doc["settings"]["sampling"].startswith("adaptive")
    assert doc["power"] in (512, 1024, 2048)
