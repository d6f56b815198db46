"""Lambda prices and the exact cost of one invocation.

A `PriceTable` is built from plain data (the bundled `prices.json`, or a newer
table given with `--price-table FILE`; `powertune.storage.price_tables` reads files).
A region missing from the table is an error that names it; a price is never
guessed. Cost per invocation follows AWS's pricing page:
billed ms rounded up to 1 ms × GB × price per GB-second + the request charge
(https://aws.amazon.com/lambda/pricing/).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from powertune.errors import ConfigError, PricingError
from powertune.tuning.models import Architecture


@dataclass(frozen=True, slots=True)
class PriceRate:
    """Prices for one region and architecture."""

    usd_per_gb_second: float
    usd_per_request: float
    #: whether a cold start's INIT phase is billed (on-demand ZIP functions since 2025-08-01)
    init_billed: bool = True


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Per-region, per-architecture Lambda prices with their provenance."""

    rates: Mapping[str, Mapping[Architecture, PriceRate]]
    source: str
    source_snapshot_date: str | None
    copied_on: str | None
    init_billed: bool

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PriceTable:
        """Build a table from the `prices.json` format; raise ConfigError on a malformed one."""
        try:
            init_billed = bool(data.get("init_billed", True))
            rates: dict[str, dict[Architecture, PriceRate]] = {}
            for region, entry in data["regions"].items():
                per_request = float(entry["usd_per_request"])
                rates[region] = {
                    Architecture(arch): PriceRate(
                        float(entry[arch]["usd_per_gb_second"]), per_request, init_billed
                    )
                    for arch in ("x86_64", "arm64")
                    if arch in entry
                }
            return cls(
                rates=rates,
                source=str(data.get("source", "unknown")),
                source_snapshot_date=data.get("source_snapshot_date"),
                copied_on=data.get("copied_on"),
                init_billed=init_billed,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"malformed price table ({exc!r}); it must look like powertune/tuning/prices.json: "
                '{"regions": {"us-east-1": {"x86_64": {"usd_per_gb_second": ...}, '
                '"usd_per_request": ...}}}'
            ) from exc

    def rate(self, region: str, architecture: Architecture) -> PriceRate:
        """The rate for `region` on `architecture`, or PricingError naming what is missing."""
        per_arch = self.rates.get(region)
        if per_arch is None or architecture not in per_arch:
            known = [r for r, a in self.rates.items() if architecture in a]
            raise PricingError(region, architecture.value, known)
        return per_arch[architecture]

    def describe(self) -> dict[str, Any]:
        """Provenance, for the result file."""
        return {
            "source": self.source,
            "source_snapshot_date": self.source_snapshot_date,
            "copied_on": self.copied_on,
            "init_billed": self.init_billed,
        }


def invocation_cost_usd(billed_duration_ms: float, memory_mb: int, rate: PriceRate) -> float:
    """Exact cost of one invocation: duration charge plus request charge.

    `billed_duration_ms` is rounded up to a whole millisecond (Lambda bills in
    1 ms steps since 2020-12-01).
    """
    billed_ms = math.ceil(billed_duration_ms)
    return billed_ms / 1000.0 * (memory_mb / 1024.0) * rate.usd_per_gb_second + rate.usd_per_request
