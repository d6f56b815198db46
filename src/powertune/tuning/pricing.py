"""Lambda prices and the exact cost of one invocation.

A `PriceTable` is built from plain data (the bundled `prices.json`, or a newer
table given with `--price-table FILE`; `powertune.storage.price_tables` reads files).
A region missing from the table is an error that names it; a price is never
guessed. Cost per invocation follows AWS's pricing page
(https://aws.amazon.com/lambda/pricing/):

- duration: billed ms rounded up to 1 ms × memory GB × price per GB-second;
- ephemeral storage: the configured /tmp above the free 512 MB, in GB × the
  same billed seconds × the storage price per GB-second;
- SnapStart: the Billed Restore Duration at the duration price, plus (Python
  and .NET only) a restore charge per GB of memory restored (`cold_invocation_cost_usd`);
- the request charge.

Amounts are in the rate's `currency` (USD, or CNY in the China regions). The
`usd_` field names predate China support and are kept so that callers and result
files do not change; the result file says which currency it holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from powertune.errors import ConfigError, PricingError
from powertune.tuning.models import Architecture, InvocationRecord

#: Lambda's free ephemeral storage (https://aws.amazon.com/lambda/pricing/, "Ephemeral Storage").
FREE_EPHEMERAL_STORAGE_MB = 512


@dataclass(frozen=True, slots=True)
class PriceRate:
    """Prices for one region and architecture, in `currency`, as applied to one function.

    `usd_per_ephemeral_gb_second` / `usd_per_snapstart_restore_gb` are None when the
    table does not publish them. `ephemeral_storage_mb` and `snapstart_restore_charged`
    describe the function being priced (`PriceTable.for_function`).
    """

    usd_per_gb_second: float
    usd_per_request: float
    #: whether a cold start's INIT phase is billed (on-demand ZIP functions since 2025-08-01)
    init_billed: bool = True
    currency: str = "USD"
    usd_per_ephemeral_gb_second: float | None = None
    usd_per_snapstart_restore_gb: float | None = None
    ephemeral_storage_mb: int = FREE_EPHEMERAL_STORAGE_MB
    #: Python/.NET SnapStart functions pay per restore; Java ones do not
    snapstart_restore_charged: bool = False

    def usd_per_ms(self, memory_mb: int) -> float:
        """Price of one billed ms at `memory_mb`: memory, plus /tmp above 512 MB when priced."""
        extra_gb = max(0, self.ephemeral_storage_mb - FREE_EPHEMERAL_STORAGE_MB) / 1024.0
        storage = extra_gb * (self.usd_per_ephemeral_gb_second or 0.0)
        return (memory_mb / 1024.0 * self.usd_per_gb_second + storage) / 1000.0


@dataclass(frozen=True, slots=True)
class FunctionBilling:
    """What about the function itself changes its bill: /tmp size and SnapStart restore charge."""

    ephemeral_storage_mb: int = FREE_EPHEMERAL_STORAGE_MB
    snapstart_restore_charged: bool = False


@dataclass(frozen=True, slots=True)
class RegionSource:
    """Where one region's prices were copied from, and when."""

    source: str
    copied_on: str | None
    currency: str = "USD"


def _region_rates(
    entry: Mapping[str, Any], init_billed: bool
) -> tuple[dict[Architecture, PriceRate], str]:
    currency = str(entry.get("currency", "USD"))
    unit = currency.lower()  # a CNY region names its prices cny_per_...
    per_request = float(entry[f"{unit}_per_request"])
    storage = entry.get(f"{unit}_per_ephemeral_gb_second")
    restore = entry.get(f"{unit}_per_snapstart_restore_gb")
    rates = {
        Architecture(arch): PriceRate(
            float(entry[arch][f"{unit}_per_gb_second"]),
            per_request,
            init_billed,
            currency=currency,
            usd_per_ephemeral_gb_second=None if storage is None else float(storage),
            usd_per_snapstart_restore_gb=None if restore is None else float(restore),
        )
        for arch in ("x86_64", "arm64")
        if arch in entry
    }
    return rates, currency


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Per-region, per-architecture Lambda prices with their provenance."""

    rates: Mapping[str, Mapping[Architecture, PriceRate]]
    source: str
    source_snapshot_date: str | None
    copied_on: str | None
    init_billed: bool
    regions: Mapping[str, RegionSource] = field(default_factory=dict)
    billing: FunctionBilling = FunctionBilling()
    #: set by `only`: the one region a run is priced in (its provenance goes in the result)
    region: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PriceTable:
        """Build a table from the `prices.json` format; raise ConfigError on a malformed one."""
        try:
            init_billed = bool(data.get("init_billed", True))
            source = str(data.get("source", "unknown"))
            rates: dict[str, dict[Architecture, PriceRate]] = {}
            regions: dict[str, RegionSource] = {}
            for region, entry in data["regions"].items():
                rates[region], currency = _region_rates(entry, init_billed)
                regions[region] = RegionSource(
                    str(entry.get("source", source)),
                    entry.get("copied_on", data.get("copied_on")),
                    currency,
                )
            return cls(
                rates=rates,
                source=source,
                source_snapshot_date=data.get("source_snapshot_date"),
                copied_on=data.get("copied_on"),
                init_billed=init_billed,
                regions=regions,
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
        return replace(
            per_arch[architecture],
            ephemeral_storage_mb=self.billing.ephemeral_storage_mb,
            snapstart_restore_charged=self.billing.snapstart_restore_charged,
        )

    def for_function(self, billing: FunctionBilling) -> PriceTable:
        """This table, applied to a function with `billing`'s /tmp size and SnapStart charge."""
        return replace(self, billing=billing)

    def only(self, region: str) -> PriceTable:
        """This table narrowed to `region`, so that `describe()` gives that region's source."""
        return replace(self, rates={region: self.rates[region]}, region=region)

    def currency(self, region: str) -> str:
        """The currency of `region`'s prices (USD unless the table says otherwise)."""
        known = self.regions.get(region)
        return known.currency if known else "USD"

    def describe(self) -> dict[str, Any]:
        """Provenance and the function's billing facts, for the result file (settings.price_table).

        `currency` says what unit every cost of the result is in: a reviewer reading
        `mean_cost_usd` of a China run must see that it holds CNY.
        """
        doc: dict[str, Any] = {
            "source": self.source,
            "source_snapshot_date": self.source_snapshot_date,
            "copied_on": self.copied_on,
            "init_billed": self.init_billed,
            "currency": "USD",
            "ephemeral_storage_mb": self.billing.ephemeral_storage_mb,
            "snapstart_restore_charged": self.billing.snapstart_restore_charged,
        }
        known = self.regions.get(self.region) if self.region else None
        if self.region and known:
            doc.update(
                region=self.region,
                source=known.source,
                copied_on=known.copied_on,
                currency=known.currency,
            )
        return doc


def _whole_ms(value_ms: float, what: str) -> int:
    if not math.isfinite(value_ms) or value_ms < 0:
        raise ConfigError(f"{what} must be a finite number of ms >= 0, not {value_ms!r}")
    return math.ceil(value_ms)


def invocation_cost_usd(billed_duration_ms: float, memory_mb: int, rate: PriceRate) -> float:
    """Exact cost of one invocation: duration + ephemeral storage + request charge.

    `billed_duration_ms` is rounded up to a whole millisecond (Lambda bills in
    1 ms steps since 2020-12-01). Storage above 512 MB is billed for the same
    duration (https://aws.amazon.com/lambda/pricing/, "Lambda Ephemeral Storage Pricing").
    """
    billed_s = _whole_ms(billed_duration_ms, "billed duration") / 1000.0
    cost = billed_s * (memory_mb / 1024.0) * rate.usd_per_gb_second + rate.usd_per_request
    extra_mb = rate.ephemeral_storage_mb - FREE_EPHEMERAL_STORAGE_MB
    if extra_mb > 0:
        if rate.usd_per_ephemeral_gb_second is None:
            raise ConfigError(
                f"no ephemeral storage price for a function with {rate.ephemeral_storage_mb} MB "
                "of /tmp; give --price-table FILE with usd_per_ephemeral_gb_second"
            )
        cost += billed_s * (extra_mb / 1024.0) * rate.usd_per_ephemeral_gb_second
    return cost


def cold_invocation_cost_usd(record: InvocationRecord, memory_mb: int, rate: PriceRate) -> float:
    """Cost of a cold invocation, with INIT or SnapStart restore billed as AWS bills them.

    SnapStart (a Restore Duration on the REPORT line): AWS bills the *Billed
    Restore Duration* (loading the runtime and after-restore hooks; "You are not
    charged for the time it takes to restore a snapshot") at the duration price,
    for every runtime; Python and .NET functions also pay a restore charge per GB
    of memory restored, Java ones pay no SnapStart charge at all
    (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-monitoring.html and the
    "SnapStart pricing" section of https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html).
    A record without the billed figure (older result files) is charged its whole
    Restore Duration, an upper bound.

    Otherwise, when the table says INIT is billed, a cold invocation is charged for
    init + duration (rounded up), whatever the REPORT line's Billed Duration says.
    """
    if record.restore_duration_ms is not None:
        billed_restore = record.billed_restore_duration_ms
        if billed_restore is None:
            billed_restore = _whole_ms(record.restore_duration_ms, "restore duration")
        cost = invocation_cost_usd(record.billed_duration_ms + billed_restore, memory_mb, rate)
        if rate.snapstart_restore_charged:
            if rate.usd_per_snapstart_restore_gb is None:
                raise ConfigError(
                    "no SnapStart restore price in this region's price table; give "
                    "--price-table FILE with usd_per_snapstart_restore_gb"
                )
            cost += memory_mb / 1024.0 * rate.usd_per_snapstart_restore_gb
        return cost
    if rate.init_billed and record.init_duration_ms is not None:
        total = _whole_ms(record.duration_ms + record.init_duration_ms, "init + duration")
        return invocation_cost_usd(max(record.billed_duration_ms, total), memory_mb, rate)
    return invocation_cost_usd(record.billed_duration_ms, memory_mb, rate)
