"""Prices: the bundled table, provenance, exact per-invocation cost, missing regions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powertune.errors import ConfigError, PricingError
from powertune.storage import price_tables
from powertune.tuning.models import Architecture
from powertune.tuning.pricing import PriceRate, PriceTable, invocation_cost_usd

# lambda-model.md §2.3 / AWS's pricing page: first tier, us-east-1
X86_GB_S = 0.0000166667
ARM_GB_S = 0.0000133334
PER_REQUEST = 0.0000002


def test_bundled_table_has_us_east_1_prices() -> None:
    table = price_tables.load_default()
    x86 = table.rate("us-east-1", Architecture.X86_64)
    arm = table.rate("us-east-1", Architecture.ARM64)
    assert x86.usd_per_gb_second == pytest.approx(X86_GB_S)
    assert arm.usd_per_gb_second == pytest.approx(ARM_GB_S)
    assert x86.usd_per_request == pytest.approx(PER_REQUEST)


def test_bundled_table_records_its_provenance() -> None:
    described = price_tables.load_default().describe()
    assert described["source"] and described["source"] != "unknown"
    assert described["source_snapshot_date"] is None  # unknown, and said so
    assert described["copied_on"]
    assert described["init_billed"] is True


def test_invocation_cost_is_billed_ms_times_gb_times_price_plus_request() -> None:
    rate = PriceRate(X86_GB_S, PER_REQUEST)
    # 100 ms at 1024 MB = 0.1 GB-s
    assert invocation_cost_usd(100, 1024, rate) == pytest.approx(0.1 * X86_GB_S + PER_REQUEST)
    # 128 MB, 1 ms: the request charge dominates
    assert invocation_cost_usd(1, 128, rate) == pytest.approx(
        0.001 * 0.125 * X86_GB_S + PER_REQUEST
    )


def test_invocation_cost_rounds_billed_duration_up_to_a_millisecond() -> None:
    rate = PriceRate(1.0, 0.0)
    assert invocation_cost_usd(1.2, 1024, rate) == pytest.approx(0.002)
    assert invocation_cost_usd(2.0, 1024, rate) == pytest.approx(0.002)


def test_missing_region_is_a_pricing_error_naming_it_and_the_fix() -> None:
    table = price_tables.load_default()
    with pytest.raises(PricingError) as err:
        table.rate("xx-nowhere-1", Architecture.X86_64)
    message = str(err.value)
    assert "'xx-nowhere-1'" in message
    assert "--price-table FILE" in message
    assert "us-east-1" in message  # the known regions are listed
    assert err.value.exit_code == 2


def test_missing_architecture_in_region_is_a_pricing_error() -> None:
    table = PriceTable.from_dict(
        {"regions": {"eu-west-1": {"x86_64": {"usd_per_gb_second": 1e-5}, "usd_per_request": 0}}}
    )
    assert table.rate("eu-west-1", Architecture.X86_64).usd_per_gb_second == 1e-5
    with pytest.raises(PricingError, match="'eu-west-1' on arm64"):
        table.rate("eu-west-1", Architecture.ARM64)


def test_price_table_file_overrides_and_keeps_init_billed_flag(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps(
            {
                "source": "my invoice",
                "init_billed": False,
                "regions": {
                    "xx-test-1": {
                        "x86_64": {"usd_per_gb_second": 2e-5},
                        "arm64": {"usd_per_gb_second": 1e-5},
                        "usd_per_request": 3e-7,
                    }
                },
            }
        )
    )
    table = price_tables.load_file(path)
    rate = table.rate("xx-test-1", Architecture.ARM64)
    assert rate == PriceRate(1e-5, 3e-7, init_billed=False)
    assert table.describe()["source"] == "my invoice"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"regions": {"us-east-1": {"x86_64": {"usd_per_gb_second": 1}}}},
        {"regions": {"us-east-1": {"x86_64": {}, "usd_per_request": 0}}},
        {"regions": {"eu-west-1": {"x86_64": {"usd_per_gb_second": "x"}, "usd_per_request": 0}}},
    ],
)
def test_malformed_price_table_is_a_config_error(data: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="malformed price table"):
        PriceTable.from_dict(data)


def test_unreadable_price_table_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(ConfigError, match="cannot read price table"):
        price_tables.load_file(missing)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="is not valid JSON"):
        price_tables.load_file(bad)
