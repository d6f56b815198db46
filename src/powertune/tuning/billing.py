"""Which prices a run uses: the checks made before any change, and the function's billing facts.

`require_rates` is what the CLI calls before touching the function: it fails on
a region or architecture our table cannot price (with the `--price-table` hint),
except in compat mode, where upstream's own table prices any region.
`bind_function` applies what the function itself adds to its bill (ephemeral
storage above 512 MB; the SnapStart restore charge of Python and .NET).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from powertune.errors import ConfigError
from powertune.tuning.compat.prices import upstream_price_table
from powertune.tuning.models import Architecture
from powertune.tuning.ports import FunctionConfig
from powertune.tuning.pricing import FREE_EPHEMERAL_STORAGE_MB, FunctionBilling, PriceTable

#: Runtimes whose SnapStart restores carry a per-GB restore charge; Java's do not
#: ("SnapStart pricing", https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html).
_RESTORE_CHARGED_RUNTIMES = ("python", "dotnet")


def snapstart_restore_charged(runtime: str | None) -> bool:
    """True for the runtimes whose SnapStart restores are charged (Python, .NET)."""
    return bool(runtime) and str(runtime).startswith(_RESTORE_CHARGED_RUNTIMES)


def require_rates(
    table: PriceTable, region: str, architectures: Iterable[Architecture], *, compat: bool
) -> PriceTable:
    """`table` narrowed to `region`, after checking it prices every architecture.

    Raises PricingError (naming the region and the `--price-table` fix) outside
    compat mode. In compat mode a region our table lacks is priced from upstream's
    own table, as AWS Lambda Power Tuning does, so the run is never refused.
    """
    archs = list(architectures)
    if compat and any(a not in table.rates.get(region, {}) for a in archs):
        return upstream_price_table(region, init_billed=table.init_billed)
    for arch in archs:
        table.rate(region, arch)  # a missing price fails before any change
    return table.only(region)


def bind_function(table: PriceTable, config: FunctionConfig) -> PriceTable:
    """`table` applied to `config`'s /tmp size and runtime; fails if a needed price is missing."""
    billing = FunctionBilling(
        ephemeral_storage_mb=config.ephemeral_storage_mb,
        snapstart_restore_charged=snapstart_restore_charged(config.runtime),
    )
    if billing.ephemeral_storage_mb > FREE_EPHEMERAL_STORAGE_MB:
        for region, per_arch in table.rates.items():
            if any(r.usd_per_ephemeral_gb_second is None for r in per_arch.values()):
                raise ConfigError(
                    f"{config.function_name} has {billing.ephemeral_storage_mb} MB of ephemeral "
                    f"storage, and the price table has no ephemeral storage price for {region}; "
                    "give --price-table FILE with usd_per_ephemeral_gb_second for it"
                )
    return table.for_function(billing)


def bind_recorded(table: PriceTable, settings: Mapping[str, Any]) -> PriceTable:
    """`table` applied to the billing facts a result file recorded (settings.price_table)."""
    recorded = settings.get("price_table") or {}
    return table.for_function(
        FunctionBilling(
            ephemeral_storage_mb=int(
                recorded.get("ephemeral_storage_mb", FREE_EPHEMERAL_STORAGE_MB)
            ),
            snapstart_restore_charged=bool(recorded.get("snapstart_restore_charged", False)),
        )
    )
