"""`powertune tune` in regions the price table does or does not price, with and without compat.

In-process CLI on the simulator backend (as test_cli_tune.py): the price check runs
before any change, and compat mode, which prices like upstream, is never refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import cli, isolate, only_result

PROFILE = "benchmarks/decision/profiles/01-cpu-single-1.yaml"
ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def tune_in(region: str, output: Path, *extra: str) -> list[str]:
    return [
        "tune",
        "my-fn",
        "--region",
        region,
        "--backend",
        f"simulate:{PROFILE}",
        "--memory",
        "128,256",
        "--invocations",
        "3",
        "--seed",
        "1",
        "--output",
        str(output),
        *extra,
    ]


def test_unpriced_lambda_region_is_refused_before_any_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(tune_in("mx-central-1", tmp_path / "out"), capsys, monkeypatch)
    assert code == 2
    assert "'mx-central-1'" in err
    assert "--price-table" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("compat", [(), ("--compat", "aws-lambda-power-tuning")])
def test_a_region_that_does_not_exist_is_a_clear_error(
    compat: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = cli(tune_in("mars-west-1", tmp_path / "out", *compat), capsys, monkeypatch)
    assert code == 2
    assert "unknown region 'mars-west-1'" in err
    assert not (tmp_path / "out").exists()


def test_compat_mode_tunes_a_region_our_table_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = tune_in("mx-central-1", tmp_path / "out", "--compat", "aws-lambda-power-tuning")
    code, _, err = cli(args, capsys, monkeypatch)
    assert code == 0, err
    doc = only_result(tmp_path / "out")
    assert doc["region"] == "mx-central-1"
    assert doc["power"] in (128, 256)
    assert "Power Tuning" in doc["settings"]["price_table"]["source"]


def test_a_china_run_says_its_costs_are_in_cny(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = cli(tune_in("cn-northwest-1", tmp_path / "out"), capsys, monkeypatch)
    assert code == 0, err
    assert "CNY" in out + err and "USD" not in out + err  # the summary table's cost columns
    prices = only_result(tmp_path / "out")["settings"]["price_table"]
    assert prices["currency"] == "CNY"
    assert prices["region"] == "cn-northwest-1"
    assert prices["ephemeral_storage_mb"] == 512
