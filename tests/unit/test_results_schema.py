"""The result document: compat top-level keys, our additions, the schema, reading back."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from powertune.errors import ConfigError
from powertune.results import (
    SCHEMA_VERSION,
    build_result,
    parse_result,
    record_to_json,
    schema,
    to_json,
    validate_document,
)
from powertune.results.build import Measured
from powertune.results.json_form import RECORD_FIELDS
from powertune.results.model import Settings
from powertune.tuning.analysis import analyze
from powertune.tuning.models import (
    SANDBOX_TIMEDOUT,
    Architecture,
    InvocationRecord,
    StrategySpec,
)
from powertune.tuning.pricing import PriceRate, invocation_cost_usd

RATE = PriceRate(0.0000166667, 0.0000002)
ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"


def rate_for(arch: Architecture) -> PriceRate:
    return RATE


def _records() -> list[InvocationRecord]:
    out: list[InvocationRecord] = []
    seq = 0
    for memory, base in ((128, 400.0), (256, 200.0), (512, 110.0)):
        out.append(
            InvocationRecord(memory, Architecture.X86_64, 0, base, math.ceil(base), 150.0, None, 60)
        )
        for i in range(5):
            seq += 1
            d = base + i
            out.append(
                InvocationRecord(
                    memory, Architecture.X86_64, 0, d, math.ceil(d), None, None, 60, None, seq
                )
            )
    out.append(
        InvocationRecord(
            1024, Architecture.X86_64, 0, 3000.0, 3000, None, None, 50, SANDBOX_TIMEDOUT, 99
        )
    )
    return out


def _doc(records: list[InvocationRecord] | None = None, **kwargs: Any) -> dict[str, Any]:
    records = _records() if records is None else records
    analysis = analyze(records, strategy=StrategySpec(), rate_for=rate_for)
    settings = Settings(decision=None, extra={"sampling": "fixed(5)"})
    measured = Measured(function_arn=ARN, region="us-east-1", records=records)
    return to_json(build_result(measured, analysis, rate_for, settings, **kwargs))


def test_document_validates_and_keeps_power_tuning_keys() -> None:
    doc = _doc()
    validate_document(doc)
    assert doc["schema_version"] == SCHEMA_VERSION
    for key in ("power", "cost", "duration", "stateMachine", "stats", "function_arn", "region"):
        assert key in doc
    assert set(doc["stateMachine"]) == {"executionCost", "lambdaCost", "visualization"}
    assert doc["stateMachine"]["executionCost"] == 0
    assert doc["stateMachine"]["visualization"].startswith("https://lambda-power-tuning.show/#")
    assert all(set(s) == {"value", "averagePrice", "averageDuration"} for s in doc["stats"])


def test_top_level_numbers_are_the_winner_warm_means() -> None:
    doc = _doc()
    winner = next(s for s in doc["statistics"] if s["memory_mb"] == doc["power"])
    assert doc["power"] == doc["recommendation"]["memory_mb"]
    assert doc["cost"] == winner["mean_cost_usd"]
    assert doc["duration"] == winner["mean_duration_ms"]


def test_lambda_cost_is_every_invocation_including_cold_and_failed() -> None:
    records = _records()
    doc = _doc(records)
    expected = sum(invocation_cost_usd(r.billed_duration_ms, r.memory_mb, RATE) for r in records)
    assert doc["stateMachine"]["lambdaCost"] == pytest.approx(expected)


def test_failed_sizes_are_listed_with_reason_and_not_in_stats() -> None:
    doc = _doc()
    assert [f["memory_mb"] for f in doc["failed"]] == [1024]
    assert doc["failed"][0]["failure"] == "1 of 1 invocations failed: Sandbox.Timedout ×1"
    assert 1024 not in [s["value"] for s in doc["stats"]]


def test_records_keep_every_required_field() -> None:
    doc = _doc()
    first = doc["invocations"][0]
    assert tuple(first) == RECORD_FIELDS
    assert first["cold_start"] is True
    assert first["init_duration_ms"] == 150.0
    assert first["error_type"] is None
    assert doc["invocations"][-1]["error_type"] == SANDBOX_TIMEDOUT


def test_no_nan_in_the_json() -> None:
    records = [InvocationRecord(128, Architecture.X86_64, 0, 5.0, 5, error_type="Boom")]
    doc = _doc(records)
    text = json.dumps(doc, allow_nan=False)  # raises on NaN
    assert doc["recommendation"] is None
    assert doc["power"] is None
    assert doc["stateMachine"]["visualization"] is None
    validate_document(json.loads(text))


def test_compat_replaces_top_level_and_keeps_ours_beside() -> None:
    compat = {
        "power": 256,
        "cost": 1.0e-6,
        "duration": 200.0,
        "stateMachine": {"executionCost": 0, "lambdaCost": 1.0, "visualization": "u"},
        "stats": [],
    }
    ours = _doc()
    doc = _doc(compat=compat)
    assert doc["power"] == 256
    assert doc["stateMachine"]["visualization"] == "u"
    assert doc["powertune"]["power"] == ours["power"]
    assert doc["powertune"]["stateMachine"] == ours["stateMachine"]
    validate_document(doc)


def test_round_trip_of_records() -> None:
    records = _records()
    result = parse_result(_doc(records))
    assert (result.function_arn, result.region) == (ARN, "us-east-1")
    assert list(result.invocations) == records


def test_minimal_input_is_accepted() -> None:
    doc = {
        "function_arn": ARN,
        "region": "eu-west-1",
        "invocations": [{"memory_mb": 128, "duration_ms": 10.5, "billed_duration_ms": 11}],
    }
    result = parse_result(doc)
    assert result.region == "eu-west-1"
    assert result.invocations == (InvocationRecord(128, Architecture.X86_64, 0, 10.5, 11),)
    assert not result.analysed
    with pytest.raises(ConfigError):
        validate_document(doc)  # a full result needs more


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d.pop("region"), ("region",)),
        (lambda d: d.update(region="moon"), ("region",)),
        (lambda d: d["invocations"][0].update(memory_mb=64), ("invocations", "0", "memory_mb")),
        (lambda d: d["invocations"][0].pop("duration_ms"), ("invocations", "0", "duration_ms")),
        (lambda d: d["invocations"][1].update(architecture="ia64"), ("invocations", "1")),
    ],
)
def test_schema_errors_say_where(mutate: Any, where: tuple[str, ...]) -> None:
    doc = {
        "function_arn": ARN,
        "region": "us-east-1",
        "invocations": [
            {"memory_mb": 128, "duration_ms": 1.0, "billed_duration_ms": 1},
            {"memory_mb": 256, "duration_ms": 1.0, "billed_duration_ms": 1},
        ],
    }
    mutate(doc)
    with pytest.raises(ConfigError) as err:
        parse_result(doc)
    message = str(err.value)
    assert message.startswith(f"result file does not match schema {SCHEMA_VERSION} at ")
    for part in where:
        assert part in message


def test_schema_is_versioned_and_documents_top_level_meaning() -> None:
    sch = schema()
    assert sch["$id"].endswith(f"/{SCHEMA_VERSION}")
    assert "request charge" in sch["description"]
    assert "schema_version" in sch["required"]


def test_record_json_matches_dataclass() -> None:
    r = InvocationRecord(
        256, Architecture.ARM64, 2, 9.5, 10, None, 33.0, 70, "Runtime.ExitError", 4
    )
    assert record_to_json(r) == {
        "memory_mb": 256,
        "architecture": "arm64",
        "payload_index": 2,
        "duration_ms": 9.5,
        "billed_duration_ms": 10,
        "init_duration_ms": None,
        "restore_duration_ms": 33.0,
        "billed_restore_duration_ms": None,
        "max_memory_used_mb": 70,
        "error_type": "Runtime.ExitError",
        "cold_start": True,
        "sequence": 4,
    }
