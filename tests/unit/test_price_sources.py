"""Provenance of the bundled prices: each Lambda region is priced from a named source or refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from powertune.errors import PricingError
from powertune.storage import price_tables
from powertune.tuning.billing import require_rates
from powertune.tuning.models import Architecture

X86 = Architecture.X86_64
ARM = Architecture.ARM64
DOCS = Path(__file__).resolve().parents[2] / "docs" / "tuning.md"
DATA: dict[str, Any] = price_tables.bundled_data()
UNSOURCED_REGIONS: list[str] = DATA["not_sourced"]["regions"]
UNSOURCED_ARM64: list[str] = DATA["not_sourced"]["arm64"]


@pytest.mark.parametrize("region", UNSOURCED_REGIONS)
def test_an_unsourced_region_is_refused_with_the_price_table_hint(region: str) -> None:
    for arch in (X86, ARM):
        with pytest.raises(PricingError) as err:
            require_rates(price_tables.load_default(), region, [arch], compat=False)
        assert err.value.region == region
        assert "--price-table FILE" in str(err.value)


@pytest.mark.parametrize("region", UNSOURCED_ARM64)
def test_an_unsourced_arm64_price_is_refused_while_x86_is_priced(region: str) -> None:
    table = require_rates(price_tables.load_default(), region, [X86], compat=False)
    assert table.rate(region, X86).usd_per_gb_second > 0
    with pytest.raises(PricingError) as err:
        require_rates(price_tables.load_default(), region, [ARM], compat=False)
    assert (err.value.region, err.value.architecture) == (region, "arm64")


def test_every_refusal_says_what_was_and_was_not_found() -> None:
    reasons = DATA["not_sourced"]["reasons"]
    assert set(reasons) == set(UNSOURCED_REGIONS) | {"arm64"}
    for region in UNSOURCED_ARM64:
        assert region in reasons["arm64"]
    assert all(text.strip() for text in reasons.values())


def test_a_source_without_its_repository_says_so() -> None:
    # "a public GitHub ..." with no owner/name must admit the repository is unknown
    for region, entry in DATA["regions"].items():
        source = entry["source"]
        if "a public GitHub" in source:
            assert "repository not identified" in source, region
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["copied_on"]), region


def test_china_names_the_repositories_its_prices_were_copied_from() -> None:
    source = DATA["regions"]["cn-northwest-1"]["source"]
    assert "catersai/AWSCN-PhD-Notification" in source
    assert "awslabs/aws-ai-solution-kit" in source
    # the copied text itself, so a reviewer can find it
    assert "¥0.000113477/GB-秒" in source and "¥1.36/百万次请求" in source


def docs_table() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    text = DOCS.read_text(encoding="utf-8")
    # the first table of the Prices section
    section = text.split("### Prices", 1)[1].split("| Region |", 1)[1].split("\n\n", 1)[0]
    for line in section.splitlines():
        match = re.match(r"\| `([a-z0-9-]+)` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def test_the_docs_table_lists_every_region_with_the_bundled_prices() -> None:
    rows = docs_table()
    assert set(rows) == set(DATA["regions"]) | set(UNSOURCED_REGIONS)
    for region in UNSOURCED_REGIONS:
        assert rows[region][:3] == ["refused"] * 3, region
    table = price_tables.load_default()
    for region in DATA["regions"]:
        x86_cell, arm_cell, request_cell = rows[region][:3]
        currency = table.currency(region)
        x86 = table.rate(region, X86)
        assert x86_cell == f"{x86.usd_per_gb_second:.10f}".rstrip("0") + f" {currency}"
        assert request_cell == f"{x86.usd_per_request * 1e6:.2f} {currency}", region
        if region in UNSOURCED_ARM64:
            assert arm_cell == "refused", region
        else:
            arm = table.rate(region, ARM).usd_per_gb_second
            assert arm_cell == f"{arm:.10f}".rstrip("0") + f" {currency}", region
