"""Prices for every region, currency, ephemeral storage, SnapStart restores, compat mode."""

from __future__ import annotations

import botocore.session
import pytest

from powertune.errors import ConfigError, PricingError
from powertune.storage import price_tables
from powertune.tuning.analysis import analyze, summarize_cold_starts
from powertune.tuning.billing import (
    bind_function,
    bind_recorded,
    require_rates,
    snapstart_restore_charged,
)
from powertune.tuning.models import Architecture, Configuration, InvocationRecord, StrategySpec
from powertune.tuning.ports import FunctionConfig
from powertune.tuning.pricing import (
    FunctionBilling,
    PriceRate,
    cold_invocation_cost_usd,
    invocation_cost_usd,
)

X86 = Architecture.X86_64
ARM = Architecture.ARM64
US_EAST_1_STORAGE_GB_S = 0.0000000309  # lambda-model.md §2.3
US_EAST_1_RESTORE_PER_GB = 0.0001397998


def function(ephemeral_storage_mb: int = 512, runtime: str = "python3.12") -> FunctionConfig:
    return FunctionConfig(
        function_name="fn",
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:fn",
        version="$LATEST",
        memory_mb=1024,
        architecture=X86,
        timeout_s=30,
        runtime=runtime,
        code_sha256="x",
        revision_id="r",
        ephemeral_storage_mb=ephemeral_storage_mb,
    )


def lambda_regions() -> set[str]:
    session = botocore.session.get_session()
    return {
        region
        for partition in ("aws", "aws-us-gov", "aws-cn")
        for region in session.get_available_regions("lambda", partition_name=partition)
    }


def test_every_lambda_region_is_priced_or_named_as_not_sourced() -> None:
    data = price_tables.bundled_data()
    priced = set(data["regions"])
    unsourced = set(data["not_sourced"]["regions"])
    assert not priced & unsourced
    assert lambda_regions() <= priced | unsourced
    for name in ("ap-northeast-2", "ap-south-2", "il-central-1", "me-central-1", "ca-west-1"):
        assert name in priced


def test_every_region_says_where_its_prices_come_from_and_when() -> None:
    table = price_tables.load_default()
    for region in table.rates:
        described = table.only(region).describe()
        assert described["region"] == region
        assert described["source"] and described["source"] != "unknown"
        assert described["copied_on"]


def test_china_is_priced_in_cny_and_the_result_says_so() -> None:
    table = require_rates(price_tables.load_default(), "cn-northwest-1", [X86], compat=False)
    rate = table.rate("cn-northwest-1", X86)
    assert rate.currency == "CNY"
    assert rate.usd_per_gb_second == pytest.approx(0.000113477)
    assert table.describe()["currency"] == "CNY"
    us = require_rates(price_tables.load_default(), "us-east-1", [X86], compat=False)
    assert us.describe()["currency"] == "USD"


def test_unknown_region_outside_compat_is_refused_with_the_price_table_hint() -> None:
    with pytest.raises(PricingError) as err:
        require_rates(price_tables.load_default(), "mars-west-1", [X86], compat=False)
    assert "'mars-west-1'" in str(err.value)
    assert "--price-table FILE" in str(err.value)


def test_unsourced_lambda_region_is_refused_outside_compat() -> None:
    with pytest.raises(PricingError, match="'mx-central-1'"):
        require_rates(price_tables.load_default(), "mx-central-1", [X86], compat=False)


def test_compat_mode_prices_any_region_from_upstreams_table() -> None:
    table = require_rates(price_tables.load_default(), "mx-central-1", [X86, ARM], compat=True)
    # upstream's default: 2.1e-9 USD per ms at 128 MB = 2.1e-9 × 1000 × 8 per GB-s
    assert table.rate("mx-central-1", X86).usd_per_gb_second == pytest.approx(2.1e-9 * 8000)
    assert table.rate("mx-central-1", ARM).usd_per_gb_second == pytest.approx(1.7e-9 * 8000)
    assert "Power Tuning" in table.describe()["source"]
    # a region our table has keeps our prices in compat mode too
    ours = require_rates(price_tables.load_default(), "us-east-1", [X86], compat=True)
    assert ours.rate("us-east-1", X86).usd_per_request == pytest.approx(2e-7)


def test_storage_above_512_mb_is_billed_for_the_duration() -> None:
    table = bind_function(
        require_rates(price_tables.load_default(), "us-east-1", [X86], compat=False),
        function(ephemeral_storage_mb=10240),
    )
    rate = table.rate("us-east-1", X86)
    free = PriceRate(rate.usd_per_gb_second, rate.usd_per_request)
    extra = invocation_cost_usd(1000, 1024, rate) - invocation_cost_usd(1000, 1024, free)
    assert extra == pytest.approx(1.0 * (10240 - 512) / 1024 * US_EAST_1_STORAGE_GB_S)
    assert table.describe()["ephemeral_storage_mb"] == 10240


def records(memory_mb: int, duration_ms: int, n: int = 5) -> list[InvocationRecord]:
    return [InvocationRecord(memory_mb, X86, 0, duration_ms, duration_ms) for _ in range(n)]


def test_ten_gb_of_tmp_reverses_the_order_of_two_sizes() -> None:
    # 1024 MB at 400 ms (0.400 GB-s) vs 2048 MB at 201 ms (0.402 GB-s): 1024 MB is cheaper
    # on compute; with 9.5 GB of billed /tmp the faster 2048 MB pays 0.199 s less storage.
    runs = records(1024, 400) + records(2048, 201)
    base = require_rates(price_tables.load_default(), "us-east-1", [X86], compat=False)
    picks = {}
    for tmp_mb in (512, 10240):
        table = bind_function(base, function(ephemeral_storage_mb=tmp_mb))
        result = analyze(
            runs, strategy=StrategySpec(), rate_for=lambda a, t=table: t.rate("us-east-1", a)
        )
        assert result.recommendation is not None
        picks[tmp_mb] = result.recommendation.configuration.memory_mb
    assert picks == {512: 1024, 10240: 2048}


def test_ephemeral_storage_without_a_price_is_refused_before_the_run() -> None:
    table = require_rates(price_tables.load_default(), "cn-northwest-1", [X86], compat=False)
    with pytest.raises(ConfigError, match="10240 MB of ephemeral storage"):
        bind_function(table, function(ephemeral_storage_mb=10240))


def test_recorded_billing_facts_are_applied_again_on_reanalysis() -> None:
    table = bind_recorded(
        price_tables.load_default(),
        {"price_table": {"ephemeral_storage_mb": 2048, "snapstart_restore_charged": True}},
    )
    assert table.billing == FunctionBilling(2048, True)
    assert bind_recorded(price_tables.load_default(), {}).billing == FunctionBilling()


SNAP_COLD = InvocationRecord(
    512,
    X86,
    0,
    20.1,
    21,
    restore_duration_ms=310.55,
    billed_restore_duration_ms=120,
)


@pytest.mark.parametrize(
    ("runtime", "charged"), [("java21", False), ("python3.12", True), ("dotnet8", True)]
)
def test_snapstart_restore_charge_applies_to_python_and_dotnet_only(
    runtime: str, charged: bool
) -> None:
    assert snapstart_restore_charged(runtime) is charged


def test_snapstart_cold_start_bills_the_billed_restore_not_the_whole_restore() -> None:
    base = require_rates(price_tables.load_default(), "us-east-1", [X86], compat=False)
    java = bind_function(base, function(runtime="java21")).rate("us-east-1", X86)
    python = bind_function(base, function(runtime="python3.12")).rate("us-east-1", X86)
    # Java: duration + billed restore at the duration price, no restore charge
    assert cold_invocation_cost_usd(SNAP_COLD, 512, java) == pytest.approx(
        invocation_cost_usd(21 + 120, 512, java)
    )
    # Python: plus the restore charge per GB of memory restored
    assert cold_invocation_cost_usd(SNAP_COLD, 512, python) == pytest.approx(
        invocation_cost_usd(21 + 120, 512, python) + 0.5 * US_EAST_1_RESTORE_PER_GB
    )
    # the cold-start table uses it: no longer 331 ms (duration + whole restore)
    stats = summarize_cold_starts(Configuration(512), [SNAP_COLD], java)
    assert stats is not None
    assert stats.mean_cost_usd == pytest.approx(invocation_cost_usd(141, 512, java))
    assert stats.mean_cost_usd < invocation_cost_usd(331, 512, java)


def test_snapstart_without_the_billed_figure_is_charged_the_whole_restore() -> None:
    rate = PriceRate(1.0, 0.0)
    old = InvocationRecord(1024, X86, 0, 20.1, 21, restore_duration_ms=310.55)
    assert cold_invocation_cost_usd(old, 1024, rate) == pytest.approx((21 + 311) / 1000)


def test_nan_billed_duration_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="nan"):
        invocation_cost_usd(float("nan"), 128, PriceRate(1.0, 0.0))


def test_compat_billed_duration_adds_the_billed_restore_as_upstream_does() -> None:
    from powertune.tuning.compat.analysis import analyze_compat

    out = analyze_compat([SNAP_COLD], lambda_region="us-east-1", discard_top_bottom=0.0)
    # upstream: ceil(Billed Duration + Billed Restore Duration) × 2.1e-9 × (512 / 128)
    assert out["cost"] == pytest.approx((21 + 120) * 2.1e-9 * 4)


def test_price_per_ms_includes_billed_tmp_as_invocation_cost_does() -> None:
    rate = PriceRate(1.6e-5, 0.0, usd_per_ephemeral_gb_second=3e-8, ephemeral_storage_mb=10240)
    assert rate.usd_per_ms(2048) * 250 == pytest.approx(invocation_cost_usd(250, 2048, rate))
