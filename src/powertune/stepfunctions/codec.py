"""The JSON an execution carries between its steps: the request, rates, configs and records.

Step Functions passes state between steps as JSON (at most 256 KB per state,
https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html), so
records travel as short lists rather than objects: about 60 bytes each, a few
thousand invocations per execution. Pure.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, fields
from typing import Any

from powertune.tuning.models import (
    Architecture,
    Configuration,
    InvocationRecord,
    Payload,
    StrategyName,
    StrategySpec,
)
from powertune.tuning.ports import FunctionConfig
from powertune.tuning.pricing import PriceRate
from powertune.tuning.request import TuningRequest

Json = dict[str, Any]

#: the order of a record's fields in its list form
_RECORD_FIELDS = (
    "memory_mb",
    "architecture",
    "payload_index",
    "duration_ms",
    "billed_duration_ms",
    "init_duration_ms",
    "restore_duration_ms",
    "max_memory_used_mb",
    "error_type",
    "sequence",
    "billed_restore_duration_ms",
)


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """How to build the run's sampling policy (the CLI's `--invocations`/adaptive options).

    `seed` is never None here: each step rebuilds the policy, and only a seeded one
    makes the same choices again.
    """

    seed: int
    invocations: int | None = None
    tolerance: float = 0.01
    budget_invocations: int | None = None
    budget_usd: float | None = None


def request_to_json(request: TuningRequest) -> Json:
    return {
        "function": request.function,
        "memory_sizes": list(request.memory_sizes),
        "architectures": [a.value for a in request.architectures],
        "payloads": [
            {"body": base64.b64encode(p.body).decode(), "weight": p.weight}
            for p in request.payloads
        ],
        "strategy": {**asdict(request.strategy), "name": request.strategy.name.value},
        "allowed_errors": sorted(request.allowed_errors),
        "scratch_copy": request.scratch_copy,
        "run_id": request.run_id,
        "seed": request.seed,
    }


def request_from_json(doc: Json) -> TuningRequest:
    strategy = dict(doc["strategy"])
    strategy["name"] = StrategyName(strategy["name"])
    return TuningRequest(
        function=str(doc["function"]),
        memory_sizes=tuple(int(m) for m in doc["memory_sizes"]),
        architectures=tuple(Architecture(a) for a in doc["architectures"]),
        payloads=tuple(
            Payload(base64.b64decode(p["body"]), float(p["weight"])) for p in doc["payloads"]
        ),
        strategy=StrategySpec(**strategy),
        allowed_errors=frozenset(doc["allowed_errors"]),
        scratch_copy=bool(doc["scratch_copy"]),
        run_id=str(doc["run_id"]),
        seed=doc.get("seed"),
    )


def policy_to_json(spec: PolicySpec) -> Json:
    return asdict(spec)


def policy_from_json(doc: Json) -> PolicySpec:
    known = {f.name for f in fields(PolicySpec)}
    return PolicySpec(**{k: v for k, v in doc.items() if k in known})


def rates_to_json(rates: dict[Architecture, PriceRate]) -> Json:
    return {arch.value: asdict(rate) for arch, rate in rates.items()}


def rates_from_json(doc: Json) -> dict[Architecture, PriceRate]:
    return {Architecture(arch): PriceRate(**rate) for arch, rate in doc.items()}


def config_to_json(config: FunctionConfig) -> Json:
    return {**asdict(config), "architecture": config.architecture.value}


def config_from_json(doc: Json) -> FunctionConfig:
    known = {f.name for f in fields(FunctionConfig)}
    values = {k: v for k, v in doc.items() if k in known}
    values["architecture"] = Architecture(doc["architecture"])
    return FunctionConfig(**values)


def record_to_json(record: InvocationRecord) -> list[Any]:
    return [
        record.architecture.value if name == "architecture" else getattr(record, name)
        for name in _RECORD_FIELDS
    ]


def record_from_json(row: list[Any]) -> InvocationRecord:
    values = dict(zip(_RECORD_FIELDS, row, strict=True))
    values["architecture"] = Architecture(values["architecture"])
    return InvocationRecord(**values)


def configuration_key(configuration: Configuration) -> str:
    """A configuration as a JSON object key (its label, e.g. `512MB/x86_64`)."""
    return configuration.label


def configuration_from_key(key: str) -> Configuration:
    memory, _, arch = key.partition("MB/")
    return Configuration(int(memory), Architecture(arch))
