"""`powertune decide`, `apply` and `rollback` end to end against the local cloud.

A real tuning run (`powertune tune --local`) of an I/O-bound function deployed at
1024 MB gives the result: its duration does not depend on memory, so the smallest
size is by far the cheapest, and the policy's other rules are reached by editing
that real result (a tie, a saving threshold) or the function (a deploy since).
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_runner import ROOT, cli, isolate, only_result

from conftest import LocalCloudHandle
from powertune.decision.records import record_schema
from powertune.storage.history import history_order

SLEEPY = """
import time

def handler(event, context):
    time.sleep(0.03)
    return {"ok": True}
"""

CliRun = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> CliRun:
    isolate(monkeypatch, tmp_path)

    def invoke(*args: str) -> tuple[int, str, str]:
        return cli(list(args), capsys, monkeypatch)

    return invoke


@pytest.fixture
def local(local_cloud: LocalCloudHandle) -> list[str]:
    return ["--local", "--local-state-dir", str(local_cloud.state_dir)]


@pytest.fixture
def function(
    boto3_client: Callable[..., Any], lambda_role: str, zip_package: Callable[..., bytes]
) -> str:
    name = f"sleepy-{secrets.token_hex(3)}"
    boto3_client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=lambda_role,
        Handler="app.handler",
        Code={"ZipFile": zip_package({"app.py": SLEEPY})},
        MemorySize=1024,
        Timeout=10,
    )
    return name


@pytest.fixture
def result(run: CliRun, local: list[str], function: str, tmp_path: Path) -> Path:
    """A real tuning result of `function` at 128, 256 and 1024 MB."""
    out = tmp_path / "tuned"
    code, _, err = run(
        "tune",
        function,
        *local,
        "--memory",
        "128,256,1024",
        "--invocations",
        "4",
        "--seed",
        "1",
        "--output",
        str(out),
    )
    assert code == 0, err
    doc = only_result(out)
    assert doc["recommendation"]["memory_mb"] == 128
    return next(out.glob("tuning-*.json"))


def memory_of(boto3_client: Callable[..., Any], name: str) -> int:
    return int(boto3_client("lambda").get_function_configuration(FunctionName=name)["MemorySize"])


def terraform_copy(tmp_path: Path, extra: dict[str, Any] | None = None) -> Path:
    folder = tmp_path / "terraform"
    shutil.copytree(ROOT / "infra" / "terraform", folder)
    if extra is not None:
        (folder / "memory.auto.tfvars.json").write_text(json.dumps(extra))
    return folder


def files(folder: Path, prefix: str) -> list[Path]:
    """The history files of one kind, oldest first (two in one second: `-1` comes after)."""
    return sorted(folder.glob(f"{prefix}-*"), key=history_order)


def test_auto_applies_writes_the_tfvars_and_records_everything(
    run: CliRun,
    local: list[str],
    function: str,
    result: Path,
    tmp_path: Path,
    boto3_client: Callable[..., Any],
) -> None:
    tf = terraform_copy(tmp_path, {"memory_size": 1024, "other": "kept"})
    history = tmp_path / "history"
    code, out, err = run(
        "decide",
        str(result),
        "--mode",
        "auto",
        *local,
        "--terraform-dir",
        str(tf),
        "--output",
        str(history),
    )
    assert code == 0, err
    assert memory_of(boto3_client, function) == 128
    assert json.loads((tf / "memory.auto.tfvars.json").read_text()) == {
        "memory_size": 128,
        "other": "kept",
    }
    [decision_file] = files(history, "decision")
    [apply_file] = files(history, "apply")
    [summary] = files(history, "memory-summary")
    decision = json.loads(decision_file.read_text())
    jsonschema.validate(decision, record_schema("decision"))
    jsonschema.validate(json.loads(apply_file.read_text()), record_schema("apply"))
    assert json.loads(out) == decision
    assert decision["outcome"] == "applied"
    assert (decision["current_memory_mb"], decision["recommended_memory_mb"]) == (1024, 128)
    assert decision["saving"]["objective"] == "cost"
    assert decision["saving"]["fraction"] > 0.5
    assert decision["apply_file"] == str(apply_file)
    assert decision["terraform"]["value"] == 128
    applied = json.loads(apply_file.read_text())
    assert (applied["before"]["memory_mb"], applied["after"]["memory_mb"]) == (1024, 128)
    assert applied["decision_file"] == str(decision_file)
    text = summary.read_text()
    assert "1024 MB → 128 MB" in text
    assert "Cost per million invocations" in text
    assert "p99 duration" in text
    assert "Monthly cost at 1,000,000 invocations" in text


def test_no_change_below_the_saving_threshold(
    run: CliRun,
    local: list[str],
    function: str,
    result: Path,
    tmp_path: Path,
    boto3_client: Callable[..., Any],
) -> None:
    history = tmp_path / "history"
    code, out, err = run(
        "decide",
        str(result),
        "--mode",
        "auto",
        *local,
        "--min-savings",
        "99.9%",
        "--output",
        str(history),
    )
    assert code == 0, err
    decision = json.loads(out)
    assert decision["outcome"] == "no-change"
    assert "below --min-savings 99.9%" in decision["reasons"][-1]
    assert memory_of(boto3_client, function) == 1024
    assert files(history, "apply") == []


def test_no_change_when_the_current_size_is_tied_with_the_recommendation(
    run: CliRun,
    local: list[str],
    function: str,
    result: Path,
    tmp_path: Path,
    boto3_client: Callable[..., Any],
) -> None:
    doc = json.loads(result.read_text())
    doc["recommendation"]["tied_with"] = [{"memory_mb": 1024, "architecture": "x86_64"}]
    doc["recommendation"]["settled"] = False
    tied = tmp_path / "tied.json"
    tied.write_text(json.dumps(doc))
    code, out, err = run("decide", str(tied), "--mode", "auto", *local, "--output", str(tmp_path))
    assert code == 0, err
    decision = json.loads(out)
    assert decision["outcome"] == "no-change"
    assert "statistically tied" in decision["reasons"][-1]
    assert decision["confidence"]["label"] == "low"
    assert memory_of(boto3_client, function) == 1024


def test_a_function_changed_after_tuning_exits_1_unless_forced(
    run: CliRun,
    local: list[str],
    function: str,
    result: Path,
    tmp_path: Path,
    boto3_client: Callable[..., Any],
) -> None:
    boto3_client("lambda").update_function_configuration(FunctionName=function, MemorySize=256)
    code, out, err = run("decide", str(result), "--mode", "auto", *local, "--output", str(tmp_path))
    assert code == 1
    assert out == ""
    assert "is at 256 MB now but was at 1024 MB when it was tuned" in err
    assert "--force" in err
    assert memory_of(boto3_client, function) == 256
    code, out, err = run(
        "decide", str(result), "--mode", "auto", *local, "--force", "--output", str(tmp_path)
    )
    assert code == 0, err
    decision = json.loads(out)
    assert decision["forced"] is True
    assert (decision["current_memory_mb"], decision["outcome"]) == (256, "applied")
    assert memory_of(boto3_client, function) == 128


def test_dry_run_changes_and_writes_nothing(
    run: CliRun,
    local: list[str],
    function: str,
    result: Path,
    tmp_path: Path,
    boto3_client: Callable[..., Any],
) -> None:
    tf = terraform_copy(tmp_path)
    before = (tf / "memory.auto.tfvars.json").read_text()
    history = tmp_path / "history"
    code, out, err = run(
        "decide",
        str(result),
        "--mode",
        "auto",
        *local,
        "--dry-run",
        "--terraform-dir",
        str(tf),
        "--output",
        str(history),
    )
    assert code == 0, err
    assert json.loads(out)["outcome"] == "dry-run"
    assert json.loads(out)["change"] is True
    assert memory_of(boto3_client, function) == 1024
    assert not history.exists()
    assert (tf / "memory.auto.tfvars.json").read_text() == before


def test_rollback_restores_the_size_and_the_alias(
    run: CliRun,
    local: list[str],
    function: str,
    tmp_path: Path,
    boto3_client: Callable[..., Any],
) -> None:
    lam = boto3_client("lambda")
    history = tmp_path / "history"
    for memory in ("256", "512"):
        code, _, err = run(
            "apply",
            function,
            "--memory",
            memory,
            "--alias",
            "live",
            *local,
            "--output",
            str(history),
        )
        assert code == 0, err
    first, second = files(history, "apply")
    v1 = json.loads(first.read_text())["alias"]["version_after"]
    v2 = json.loads(second.read_text())["alias"]["version_after"]
    assert lam.get_alias(FunctionName=function, Name="live")["FunctionVersion"] == v2
    assert json.loads(second.read_text())["alias"]["version_before"] == v1
    tf = terraform_copy(tmp_path)
    code, out, err = run(
        "rollback", function, *local, "--history", str(history), "--terraform-dir", str(tf)
    )
    assert code == 0, err
    assert memory_of(boto3_client, function) == 256
    assert lam.get_alias(FunctionName=function, Name="live")["FunctionVersion"] == v1
    record = json.loads(out)
    assert record["action"] == "rollback"
    assert record["rolls_back"] == str(second)
    assert json.loads((tf / "memory.auto.tfvars.json").read_text())["memory_size"] == 256
    # the next rollback walks further back: to the size before the first apply
    code, out, err = run("rollback", function, *local, "--history", str(history))
    assert code == 0, err
    assert memory_of(boto3_client, function) == 1024
    assert json.loads(out)["rolls_back"] == str(first)
    served = lam.get_alias(FunctionName=function, Name="live")["FunctionVersion"]
    config = lam.get_function_configuration(FunctionName=function, Qualifier=served)
    assert config["MemorySize"] == 1024
    code, _, err = run("rollback", function, *local, "--history", str(history))
    assert code == 2
    assert "no apply of" in err


def test_a_rollback_after_someone_else_changed_the_function_refuses(
    run: CliRun,
    local: list[str],
    function: str,
    tmp_path: Path,
    boto3_client: Callable[..., Any],
) -> None:
    history = tmp_path / "history"
    code, _, err = run("apply", function, "--memory", "256", *local, "--output", str(history))
    assert code == 0, err
    boto3_client("lambda").update_function_configuration(FunctionName=function, MemorySize=512)
    code, _, err = run("rollback", function, *local, "--history", str(history))
    assert code == 1
    assert "is at 512 MB, not the 256 MB" in err
    assert memory_of(boto3_client, function) == 512


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["decide", "missing.json", "--mode", "auto"], "cannot read 'missing.json'"),
        (["decide", "{result}", "--mode", "auto", "--min-savings", "abc"], "--min-savings 'abc'"),
        (["decide", "{result}", "--mode", "auto", "--min-savings", "150%"], "--min-savings '150%'"),
        (["decide", "{undecided}", "--mode", "auto"], "holds no recommendation"),
        (["decide", "{result}", "--mode", "auto", "--tfvar", "bad name"], "--tfvar 'bad name'"),
        (["decide", "{result}", "--mode", "auto", "--terraform-dir", "{tmp}"], "--terraform-dir"),
        (["apply", "fn", "--memory", "64", "--region", "us-east-1"], "--memory 64"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(
    run: CliRun, tmp_path: Path, args: list[str], message: str
) -> None:
    undecided = tmp_path / "undecided.json"
    undecided.write_text(
        json.dumps(
            {
                "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:fn",
                "region": "us-east-1",
                "invocations": [],
            }
        )
    )
    # the checks of the options come before the file is read: any file will do
    result = undecided
    filled = [a.format(result=result, undecided=undecided, tmp=tmp_path) for a in args]
    code, out, err = run(*filled)
    assert code == 2, (out, err)
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
