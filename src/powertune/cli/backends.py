"""Build the Backend a command asked for: AWS (boto3, any endpoint) or a simulator."""

from __future__ import annotations

import os
import re
from pathlib import Path

import boto3
import botocore.session
from botocore.config import Config

from powertune.backends.aws import AwsBackend
from powertune.errors import ConfigError
from powertune.tuning.ports import Backend

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
