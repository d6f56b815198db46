"""Build what a command runs with: the backend, the price table and the sampling policy.

The backend is AWS (boto3, any endpoint, or the running local cloud) or a
simulator; the price table is the bundled one or `--price-table`; the policy is
fixed (`--invocations`) or adaptive.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from botocore.config import Config

from powertune.backends.aws import AwsBackend
from powertune.errors import ConfigError
from powertune.storage import price_tables
from powertune.tuning.models import Architecture, StrategyName, StrategySpec
from powertune.tuning.ports import Backend
from powertune.tuning.pricing import PriceRate, PriceTable
from powertune.tuning.sampling import FixedSampling, SamplingPolicy
from powertune.tuning.stats import min_samples_for

if TYPE_CHECKING:
    from powertune.tuning.adaptive import AdaptiveSampling

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")


def known_regions() -> list[str]:
    """Regions botocore knows for Lambda (from its bundled endpoint data; no network)."""
    session = botocore.session.get_session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("lambda", partition))
    return sorted(regions)


def resolve_region(explicit: str | None, from_arn: str | None, *, endpoint_url: str | None) -> str:
    """ARN region > --region > AWS_REGION > AWS_DEFAULT_REGION; validated."""
    region = (
        from_arn or explicit or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    if not region:
        raise ConfigError(
            "no region: pass --region (e.g. us-east-1), set AWS_REGION, or use a full ARN"
        )
    if explicit and from_arn and explicit != from_arn:
        raise ConfigError(
            f"--region {explicit} disagrees with the ARN's region {from_arn}; drop --region"
        )
    if not _REGION.match(region) or (endpoint_url is None and region not in known_regions()):
        raise ConfigError(
            f"unknown region {region!r}; use an AWS region name such as us-east-1 or eu-west-1"
        )
    return region


def build_backend(
    spec: str,
    *,
    region: str,
    endpoint_url: str | None,
    seed: int | None,
    credentials: tuple[str, str] | None = None,
) -> tuple[Backend, bool]:
    """(backend, synthetic?) for `--backend aws` or `--backend simulate:PROFILE.yaml`."""
    if spec == "aws":
        # `credentials` are the local cloud's placeholders (any value works there);
        # otherwise boto3 finds the user's own the usual way.
        access_key, secret_key = credentials or (None, None)
        client = boto3.client(
            "lambda",
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            # One attempt at the botocore level: the adapter retries throttling and
            # conflicts itself (with the injected clock), and a retried Invoke would
            # run the function twice.
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=960),
        )
        return AwsBackend(client), False
    if spec.startswith("simulate:"):
        from powertune.backends.simulator import SimulatorBackend

        profile = Path(spec.split(":", 1)[1])
        if not profile.is_file():
            raise ConfigError(
                f"simulator profile {str(profile)!r} not found; see docs/simulator.md"
            )
        return SimulatorBackend.from_profile(profile, seed=seed, region=region), True
    raise ConfigError(f"unknown backend {spec!r}; use 'aws' or 'simulate:PROFILE.yaml'")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where Lambda is reached: AWS's own endpoint (all None) or another one."""

    endpoint_url: str | None = None
    region: str | None = None
    #: the local cloud's placeholder keys; None: boto3 finds the user's own
    credentials: tuple[str, str] | None = None


def resolve_endpoint(
    *,
    use_local: bool,
    local_state_dir: Path | None,
    endpoint_url: str | None,
    region: str | None,
) -> Endpoint:
    """`--local` (the running local cloud's endpoint, region and keys) or `--endpoint-url`."""
    if not use_local:
        return Endpoint(endpoint_url, region)
    if endpoint_url:
        raise ConfigError("use --local or --endpoint-url, not both")
    from powertune.localcloud.state import read_endpoint

    local = read_endpoint(local_state_dir)
    return Endpoint(
        local.endpoint_url,
        region or local.region,
        (local.access_key_id, local.secret_access_key),
    )


def endpoint_client(service: str, endpoint: Endpoint, region: str) -> Any:
    """A boto3 client of `service` at `endpoint` (AWS's own, or the local cloud's with its keys)."""
    access_key, secret_key = endpoint.credentials or (None, None)
    client: Any = getattr(boto3, "client")  # noqa: B009 - the service is chosen at run time
    return client(
        service,
        region_name=region,
        endpoint_url=endpoint.endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    )


def load_prices(path: Path | None) -> PriceTable:
    """`--price-table`, or the table bundled with powertune."""
    return price_tables.load_file(path) if path else price_tables.load_default()


def rates_in(prices: PriceTable, region: str) -> Callable[[Architecture], PriceRate]:
    """Look up (once per architecture) the rates of `region`."""
    cache: dict[Architecture, PriceRate] = {}

    def rate_for(arch: Architecture) -> PriceRate:
        if arch not in cache:
            cache[arch] = prices.rate(region, arch)
        return cache[arch]

    return rate_for


def check_percentile_budget(spec: StrategySpec, invocations: int) -> None:
    """Refuse a p90/p99 budget that a fixed run cannot reach, before anything is invoked."""
    if spec.name is not StrategyName.LATENCY_BUDGET:
        return
    need = min_samples_for(spec.latency_percentile)
    if invocations < need:
        raise ConfigError(
            f"p{spec.latency_percentile} needs at least {need} warm samples per size; "
            f"--invocations {invocations} cannot give them. Raise --invocations to {need} "
            "or more"
            + (", or use --latency-percentile 90" if spec.latency_percentile != 90 else "")
        )


@dataclass(frozen=True, slots=True)
class SamplingOptions:
    """`--invocations` (fixed) or the adaptive policy's stopping rules."""

    invocations: int | None = None
    tolerance: float = 0.01
    budget_invocations: int | None = None
    budget_usd: float | None = None
    seed: int | None = None


def build_policy(
    spec: StrategySpec,
    options: SamplingOptions,
    rate_for: Callable[[Architecture], PriceRate],
) -> SamplingPolicy:
    """Fixed sampling when `--invocations` is given, adaptive otherwise."""
    if options.invocations is not None:
        check_percentile_budget(spec, options.invocations)
        return FixedSampling(options.invocations, seed=options.seed)
    from powertune.tuning.adaptive import AdaptiveSampling

    return AdaptiveSampling(
        spec,
        tolerance=options.tolerance,
        budget_invocations=options.budget_invocations,
        budget_usd=options.budget_usd,
        seed=options.seed,
        rate_for=rate_for,
    )


def adaptive_policy(policy: SamplingPolicy | None) -> AdaptiveSampling | None:
    """`policy` if it is the adaptive one, else None."""
    if policy is None or isinstance(policy, FixedSampling):
        return None  # (and no import of the adaptive policy's scipy.stats on this path)
    from powertune.tuning.adaptive import AdaptiveSampling

    return policy if isinstance(policy, AdaptiveSampling) else None
