"""What to run for an Invoke: function configuration read from moto, code from the store.

The configuration (memory, timeout, environment, handler, runtime, architecture) is read
with GetFunctionConfiguration(Qualifier) through boto3 against moto, never from moto's
internals. Results are cached per (region, function, qualifier) and the cache is dropped
whenever a Lambda control-plane call that changes something passes the front door.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from powertune.localcloud.aws_errors import AwsError, function_not_found
from powertune.localcloud.engine import FunctionSpec
from powertune.localcloud.lambda_plane.code_store import CodeStore
from powertune.localcloud.lambda_plane.names import FunctionRef

ACCOUNT_ID = "123456789012"  # moto's default account


def moto_client(service: str, moto_url: str, region: str) -> Any:
    """A boto3 client that talks to moto directly (not through the front door).

    Each gets its own session: boto3's default session is not safe to create clients
    from several threads at once.
    """
    return boto3.session.Session().client(  # type: ignore[call-overload]
        service,
        endpoint_url=moto_url,
        region_name=region,
        aws_access_key_id="powertune",
        aws_secret_access_key="powertune",  # noqa: S106 - moto accepts any credentials
        config=Config(retries={"max_attempts": 1}, max_pool_connections=50),
    )


def function_arn(name: str, region: str, qualifier: str | None = None) -> str:
    base = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


class FunctionDirectory:
    """Builds the engine's FunctionSpec for a function reference, with a cache."""

    def __init__(self, moto_url: str, code_store: CodeStore, default_region: str) -> None:
        self._moto_url = moto_url
        self._code_store = code_store
        self._default_region = default_region
        self._clients: dict[str, Any] = {}
        self._cache: dict[tuple[str, str, str], FunctionSpec] = {}
        self._logging: dict[tuple[str, str], Mapping[str, str]] = {}
        self._lock = threading.Lock()
        self._generation = 0  # bumped by invalidate(): a read that overlaps one is not cached

    def client(self, region: str) -> Any:
        with self._lock:
            if region not in self._clients:
                self._clients[region] = moto_client("lambda", self._moto_url, region)
            return self._clients[region]

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()
            self._generation += 1

    def remember_logging_config(
        self, name: str, version: str, logging_config: Mapping[str, str]
    ) -> None:
        """moto drops LoggingConfig, so the front door keeps it per function version."""
        with self._lock:
            self._logging[(name, version)] = dict(logging_config)

    def logging_config(self, name: str, version: str) -> Mapping[str, str] | None:
        with self._lock:
            return self._logging.get((name, version))

    def spec_for(self, ref: FunctionRef, region: str | None = None) -> FunctionSpec:
        """The spec for `ref` (qualifier: version, alias or $LATEST)."""
        region = ref.region or region or self._default_region
        qualifier = ref.qualifier or "$LATEST"
        key = (region, ref.name, qualifier)
        with self._lock:
            cached = self._cache.get(key)
            generation = self._generation
        if cached is not None:
            return cached
        spec = self._read_spec(ref.name, qualifier, region, ref.qualifier)
        with self._lock:
            if generation == self._generation:
                self._cache[key] = spec
        return spec

    def _read_spec(self, name: str, qualifier: str, region: str, given: str | None) -> FunctionSpec:
        client = self.client(region)
        try:
            config = client.get_function_configuration(FunctionName=name, Qualifier=qualifier)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                raise function_not_found(function_arn(name, region, given)) from exc
            raise AwsError(
                exc.response["Error"]["Code"],
                exc.response["Error"].get("Message", ""),
                int(exc.response["ResponseMetadata"]["HTTPStatusCode"]),
            ) from exc
        version = str(config["Version"])
        reserved: int | None = None
        try:
            concurrency = client.get_function_concurrency(FunctionName=name)
            reserved = concurrency.get("ReservedConcurrentExecutions")
        except ClientError:
            reserved = None
        logging_config = self.logging_config(name, version) or {}
        arn = str(config["FunctionArn"])
        return FunctionSpec(
            function_name=str(config["FunctionName"]),
            function_arn=arn,
            version=version,
            runtime=str(config.get("Runtime", "")),
            handler=str(config.get("Handler", "")),
            memory_mb=int(config.get("MemorySize", 128)),
            timeout_s=int(config.get("Timeout", 3)),
            architecture=str((config.get("Architectures") or ["x86_64"])[0]),
            environment=dict(config.get("Environment", {}).get("Variables", {})),
            code_dir=self._code_store.code_dir(str(config["CodeSha256"]), arn),
            code_sha256=str(config["CodeSha256"]),
            log_format=logging_config.get("LogFormat", "Text"),
            log_group=logging_config.get("LogGroup", f"/aws/lambda/{config['FunctionName']}"),
            reserved_concurrency=reserved,
        )
