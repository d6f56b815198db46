"""Bad input: exit code 2 and one line on stderr that names the value and the fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import cli, isolate

from powertune.cli.factory import resolve_region
from powertune.errors import ConfigError

PROFILE = "benchmarks/decision/profiles/01-cpu-single-1.yaml"
ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def tune(*extra: str, function: str = "my-fn", region: str | None = "us-east-1") -> list[str]:
    args = ["tune", function, "--backend", f"simulate:{PROFILE}", "--invocations", "3"]
    if region is not None:
        args += ["--region", region]
    return [*args, *extra]


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (["--memory", "64"], ["memory size 64 MB", "use 128–10240 MB"]),
        (["--memory", "128,20000"], ["memory size 20000 MB", "128–10240"]),
        (["--memory", "128,256,128"], ["128 MB is listed twice", "list each size once"]),
        (["--memory", "128..64:32"], ["bad memory range '128..64:32'", "END >= START"]),
        (["--strategy", "cheapest"], ["unknown strategy 'cheapest'", "use one of: cost"]),
        (["--balanced-weight", "1.5"], ["balanced weight 1.5", "outside [0, 1]"]),
        (["--balanced-weight", "-0.2"], ["balanced weight -0.2", "0 means speed"]),
        (["--architectures", "amd64"], ["'amd64'", "use x86_64, arm64"]),
        (["--payload", "{bad"], ["payload is not valid JSON", "'{bad'", "quote it"]),
        (["--payload", "@/nonexistent/event.json"], ["'/nonexistent/event.json'", "after '@'"]),
        (
            [
                "--strategy",
                "latency-budget",
                "--latency-budget-ms",
                "100",
                "--latency-percentile",
                "99",
            ],
            ["p99 needs at least 100 warm samples", "--invocations 3", "Raise --invocations"],
        ),
        (["--strategy", "latency-budget"], ["needs --latency-budget-ms"]),
        (["--invocations", "0"], ["at least 1, got 0"]),
        (["--payload", "{}", "--payload-http", "GET /x"], ["use one of --payload"]),
        (["--backend", "lambda"], ["unknown backend 'lambda'", "simulate:PROFILE.yaml"]),
    ],
)
def test_bad_tune_input_exits_2_with_one_line(
    extra: list[str],
    needles: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = cli(tune(*extra, "--output", str(tmp_path / "out")), capsys, monkeypatch)
    assert code == 2
    line = one_error_line(err)
    for needle in needles:
        assert needle in line
    assert out == ""
    assert not (tmp_path / "out").exists()  # refused before anything ran


@pytest.mark.parametrize(
    ("function", "needle"),
    [
        ("my function", "'my function' is not a Lambda function name or ARN"),
        ("arn:aws:lambda:us-east-1:12:function:f", "is not a Lambda function name or ARN"),
        ("f" * 65, "at most 64"),
    ],
)
def test_bad_function_names(
    function: str, needle: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(tune(function=function), capsys, monkeypatch)
    assert code == 2
    assert needle in one_error_line(err)


def test_unknown_region(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(tune(region="us-middle-9"), capsys, monkeypatch)
    assert code == 2
    line = one_error_line(err)
    assert "unknown region 'us-middle-9'" in line
    assert "such as us-east-1" in line


def test_no_region_at_all(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(tune(region=None), capsys, monkeypatch)
    assert code == 2
    assert "no region: pass --region" in one_error_line(err)


def test_region_missing_from_the_price_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "prices.json"
    table.write_text(
        json.dumps(
            {
                "regions": {
                    "eu-west-1": {"x86_64": {"usd_per_gb_second": 1e-5}, "usd_per_request": 2e-7}
                }
            }
        )
    )
    code, _, err = cli(tune("--price-table", str(table)), capsys, monkeypatch)
    assert code == 2
    line = one_error_line(err)
    assert "no Lambda price for region 'us-east-1' on x86_64" in line
    assert "--price-table FILE" in line


def test_analyze_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.json"
    code, _, err = cli(["analyze", str(missing)], capsys, monkeypatch)
    assert code == 2
    assert f"cannot read {str(missing)!r}" in one_error_line(err)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{oops")
    code, _, err = cli(["analyze", str(garbage)], capsys, monkeypatch)
    assert code == 2
    assert "is not JSON" in one_error_line(err)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"function_arn": "x", "region": "us-east-1", "invocations": [{}]}))
    code, _, err = cli(["analyze", str(wrong)], capsys, monkeypatch)
    assert code == 2
    assert "does not match schema" in one_error_line(err)


def test_click_usage_errors_also_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(tune("--invocations", "many"), capsys, monkeypatch)
    assert code == 2
    assert "'many' is not a valid integer" in err


@pytest.mark.parametrize(
    ("explicit", "from_arn", "endpoint", "expected"),
    [
        ("eu-west-1", None, None, "eu-west-1"),
        (None, "ap-south-1", None, "ap-south-1"),
        ("eu-west-1", "eu-west-1", None, "eu-west-1"),
        ("xx-local-1", None, "http://127.0.0.1:1", "xx-local-1"),  # any endpoint, any region
    ],
)
def test_resolve_region(
    explicit: str | None, from_arn: str | None, endpoint: str | None, expected: str
) -> None:
    assert resolve_region(explicit, from_arn, endpoint_url=endpoint) == expected


def test_resolve_region_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert resolve_region(None, None, endpoint_url=None) == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    assert resolve_region(None, None, endpoint_url=None) == "eu-north-1"


@pytest.mark.parametrize(
    ("explicit", "from_arn", "endpoint", "needle"),
    [
        ("us-middle-9", None, None, "unknown region 'us-middle-9'"),
        ("useast1", None, "http://127.0.0.1:1", "unknown region 'useast1'"),
        ("eu-west-1", "us-east-1", None, "--region eu-west-1 disagrees with the ARN's region"),
    ],
)
def test_resolve_region_errors(
    explicit: str | None, from_arn: str | None, endpoint: str | None, needle: str
) -> None:
    with pytest.raises(ConfigError, match=needle):
        resolve_region(explicit, from_arn, endpoint_url=endpoint)


def test_console_script_maps_errors_to_exit_codes(tmp_path: Path) -> None:
    """The installed `powertune` entry point, as a real process."""
    exe = Path(sys.executable).with_name("powertune")
    done = subprocess.run(
        [str(exe), "tune", "my-fn", "--region", "us-east-1", "--memory", "64"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        env={"PATH": "/usr/bin:/bin", "POWERTUNE_STATE_DIR": str(tmp_path)},
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: memory size 64 MB is outside Lambda's range; use 128–10240 MB "
        "(accounts limited to 3,008 MB need a quota increase above that)"
    ]


def test_an_architecture_the_backend_cannot_run_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = tune("--architectures", "x86_64,arm64", "--output", str(tmp_path / "out"))
    code, _, err = cli(args, capsys, monkeypatch)
    assert code == 1
    line = one_error_line(err)
    assert "cannot run arm64 at real speed" in line
    assert "Drop it from --architectures" in line
    assert not (tmp_path / "out").exists()
