"""`powertune loadtest --local` against the reference stack on a real local cloud, at two sizes.

A short load (seconds) per size through Locust in its own process, over the API
Gateway data plane into the real function (awslambdaric processes under cgroups);
billed durations from the REPORT lines in the local cloud's CloudWatch Logs.
Checks: every file is written, the PDFs parse and hold their sections, their
numbers agree with the raw samples in the CSV, the function's memory was
restored, and a broken threshold exits 1 (also restoring).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("reference_stack")]


@dataclass(frozen=True)
class Stack:
    state_dir: Path
    endpoint_url: str
    region: str
    function_name: str
    memory_mb: int


def _powertune(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*POWERTUNE, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


@pytest.fixture(scope="module")
def stack(local_cloud: Any, reference_stack: Callable[[], dict[str, Any]]) -> Stack:
    """The reference stack on the session's local cloud (conftest.py), as the load test sees it.

    Shared with test_reference_stack.py (same xdist group): one Terraform apply for both.
    """
    outputs = reference_stack()
    deployed = boto3.client(
        "lambda",
        endpoint_url=local_cloud.endpoint_url,
        region_name=local_cloud.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).get_function_configuration(FunctionName=outputs["function_name"])
    return Stack(
        local_cloud.state_dir,
        local_cloud.endpoint_url,
        local_cloud.region,
        outputs["function_name"],
        int(deployed["MemorySize"]),
    )


def _memory_now(stack: Stack) -> int:
    client = boto3.client(
        "lambda",
        endpoint_url=stack.endpoint_url,
        region_name=stack.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return int(client.get_function_configuration(FunctionName=stack.function_name)["MemorySize"])


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _raw_times(path: Path) -> list[float]:
    with path.open(newline="") as src:
        return [float(row["response_time_ms"]) for row in csv.DictReader(src)]


@pytest.fixture(scope="module")
def run(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("loadtest-out")
    journals = tmp_path_factory.mktemp("loadtest-journals")
    proc = _powertune(
        "loadtest", "--memory", "512,1024", "--users", "3", "--spawn-rate", "3",
        "--duration", "5s", "--local", "--local-state-dir", str(stack.state_dir),
        "--output", str(out), "--threshold", "errors<50%", "--logs-wait", "15s",
        env={"POWERTUNE_STATE_DIR": str(journals)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert list(journals.glob("journals/*.json")) == []
    result = json.loads(next(out.glob("loadtest-*.json")).read_text())
    return out, result


def test_every_file_of_the_run_is_in_the_output_folder(run: tuple[Path, dict[str, Any]]) -> None:
    out, result = run
    names = {p.name for p in out.iterdir()}
    run_id = result["setup"]["run_id"]
    assert {"512MB.pdf", "1024MB.pdf", "comparison-512-vs-1024MB.pdf",
            "comparison-512-vs-1024MB.md", f"loadtest-{run_id}.json",
            f"loadtest-{run_id}-512MB.csv", f"loadtest-{run_id}-1024MB.csv"} <= names  # fmt: skip
    assert result["format_version"] == 1
    assert [t["passed"] for t in result["thresholds"]] == [True, True]


def test_the_memory_was_restored(stack: Stack, run: tuple[Path, dict[str, Any]]) -> None:
    assert _memory_now(stack) == stack.memory_mb
    assert run[1]["setup"]["original_memory_mb"] == stack.memory_mb


@pytest.mark.parametrize("memory_mb", [512, 1024])
def test_size_pdf_agrees_with_the_raw_samples(
    run: tuple[Path, dict[str, Any]], memory_mb: int
) -> None:
    out, result = run
    entry = next(s for s in result["sizes"] if s["memory_mb"] == memory_mb)
    times = _raw_times(out / entry["samples_csv"])
    assert len(times) == entry["summary"]["requests"] > 0
    assert len(PdfReader(out / f"{memory_mb}MB.pdf").pages) >= 2
    text = _pdf_text(out / f"{memory_mb}MB.pdf")
    for section in (
        "Setup",
        "Summary",
        "Cost per million requests",
        "Response time over time",
        "Throughput over time",
        "Per endpoint",
        "Slowest requests",
        "Errors",
    ):
        assert section in text, section  # fmt: skip
    assert f"{memory_mb} MB" in text
    for q in (50, 90, 95, 99):
        assert f"{float(np.percentile(times, q)):,.1f} ms" in text, q
    assert f"{np.mean(times):,.1f} ms" in text
    assert f"{len(times):,}" in text
    assert f"{max(times):,.1f} ms" in text  # the slowest request
    assert entry["billed_ms"], "no REPORT line was read from CloudWatch Logs"
    cost = entry["cost_per_million"]
    assert f"{cost['lambda_compute_usd']:,.4f} USD" in text


def test_comparison_pdf_and_markdown(run: tuple[Path, dict[str, Any]]) -> None:
    out, result = run
    text = _pdf_text(out / "comparison-512-vs-1024MB.pdf")
    markdown = (out / "comparison-512-vs-1024MB.md").read_text()
    for section in ("Verdict", "Side by side", "Cost per million requests", "p95 per endpoint"):
        assert section in text, section
    for entry in result["sizes"]:
        p95 = f"{entry['summary']['p95_ms']:,.1f} ms"
        assert p95 in text and p95 in markdown


def test_a_broken_threshold_exits_1_naming_it_and_still_restores(
    stack: Stack, tmp_path: Path
) -> None:
    proc = _powertune(
        "loadtest", "--memory", "640", "--users", "1", "--duration", "2s", "--local",
        "--local-state-dir", str(stack.state_dir), "--output", str(tmp_path),
        "--threshold", "p50<0.001ms", "--logs-wait", "2s",
        env={"POWERTUNE_STATE_DIR": str(tmp_path / "journals")},
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "p50<0.001ms at 640 MB" in proc.stderr
    assert (tmp_path / "640MB.pdf").is_file()
    assert _memory_now(stack) == stack.memory_mb


def test_bad_threshold_syntax_exits_2_before_any_change(stack: Stack, tmp_path: Path) -> None:
    proc = _powertune(
        "loadtest", "--memory", "512", "--local", "--local-state-dir", str(stack.state_dir),
        "--output", str(tmp_path), "--threshold", "p95>300",
    )  # fmt: skip
    assert proc.returncode == 2
    assert "p50|p90|p95|p99|avg<N ms" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_sigterm_during_the_load_stops_it_and_restores(stack: Stack, tmp_path: Path) -> None:
    command = [
        *POWERTUNE, "loadtest", "--memory", "768", "--users", "2", "--duration", "60s",
        "--local", "--local-state-dir", str(stack.state_dir), "--output", str(tmp_path),
    ]  # fmt: skip
    env = {**os.environ, "POWERTUNE_STATE_DIR": str(tmp_path / "journals")}
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env) as child:
        assert child.stderr is not None
        seen = []
        for line in child.stderr:
            seen.append(line)
            if "768 MB: 2 users" in line:  # the load has started at the changed size
                break
        assert _memory_now(stack) == 768, "".join(seen)
        child.send_signal(signal.SIGTERM)
        rest = child.stderr.read()
        assert child.wait(timeout=60) == 130, rest
    assert f"restored {stack.function_name} to {stack.memory_mb} MB" in rest
    assert _memory_now(stack) == stack.memory_mb
    assert list((tmp_path / "journals").glob("journals/*.json")) == []
