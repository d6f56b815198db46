"""`parse_result`: every version of the file, records-only inputs, and errors naming the key."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from result_versions import as_1_1

from powertune.results import SCHEMA_VERSION, parse_result, to_json
from powertune.results.fields import ResultFormatError
from powertune.results.model import RunSettings
from powertune.tuning.models import Architecture, Configuration, InvocationRecord, StrategyName

DATA = Path(__file__).parents[2] / "tests" / "data" / "results"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"


def load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return doc


def test_a_full_result_is_typed_throughout() -> None:
    result = parse_result(load("fixed"))
    assert result.schema_version == SCHEMA_VERSION
    assert result.analysed
    assert result.figures is not None and result.compat_figures is None
    assert result.recommendation is not None
    assert result.figures.power_mb == result.recommendation.memory_mb
    assert result.recommendation.strategy.name is StrategyName.COST
    assert isinstance(result.settings.run, RunSettings)
    assert result.settings.run.architectures == (Architecture.X86_64,)
    assert result.settings.run.memory_sizes == (128, 256, 512, 1024, 1536, 1769, 3008)
    assert result.settings.decision is not None
    assert result.settings.decision.compat is None
    assert [s.memory_mb for s in result.statistics] == [128, 256, 512, 1024, 1536, 1769, 3008]
    assert all(s.warm_samples == 5 for s in result.statistics)
    assert len(result.invocations) == 42
    assert isinstance(result.started_at, datetime)
    assert result.started_at.tzinfo is UTC or result.started_at.utcoffset() is not None
    assert result.synthetic is True


def test_compat_mode_keeps_both_sets_of_figures() -> None:
    doc = load("compat")
    result = parse_result(doc)
    assert result.compat_figures is not None and result.figures is not None
    assert result.compat_figures.power_mb == doc["power"]
    assert result.figures.power_mb == doc["powertune"]["power"]
    assert result.settings.decision is not None
    assert result.settings.decision.compat == "aws-lambda-power-tuning"


def test_failed_sizes_and_an_undecided_run() -> None:
    failed = parse_result(load("allfail"))
    assert failed.recommendation is None
    assert [f.configuration for f in failed.failed] == [Configuration(128), Configuration(256)]
    assert all(f.failure for f in failed.failed)
    undecided = parse_result(load("undecided"))
    assert undecided.recommendation is None
    assert undecided.figures is not None and undecided.figures.power_mb is None
    assert undecided.settings.decision is not None
    assert undecided.settings.decision.strategy.name is StrategyName.LATENCY_BUDGET


def test_a_records_only_file_parses_to_an_unanalysed_result() -> None:
    doc = {
        "function_arn": ARN,
        "region": "eu-west-1",
        "invocations": [{"memory_mb": 128, "duration_ms": 10.5, "billed_duration_ms": 11}],
    }
    result = parse_result(doc)
    assert result.schema_version is None
    assert not result.analysed
    assert result.settings.decision is None and result.settings.run is None
    assert result.invocations == (InvocationRecord(128, Architecture.X86_64, 0, 10.5, 11),)
    assert result.statistics == () and result.recommendation is None


def test_a_records_only_file_with_failed_sizes_keeps_them() -> None:
    result = parse_result(load("minimalfailed"))
    assert [(f.memory_mb, f.warm_samples, f.cold_samples) for f in result.failed] == [(256, 0, 0)]
    assert result.failed[0].duration_ci_ms == (None, None)


def test_a_later_minor_version_is_read_and_unknown_settings_are_kept() -> None:
    doc = load("fixed")
    doc["schema_version"] = "1.7"
    doc["settings"]["future_knob"] = {"x": 1}
    result = parse_result(doc)
    assert result.schema_version == "1.7"
    assert result.settings.extra == {"future_knob": {"x": 1}}
    assert to_json(result) == as_1_1(doc) | {"schema_version": "1.7"}


def test_settings_missing_run_keys_are_carried_over_as_read() -> None:
    doc = load("fixed")
    del doc["settings"]["run_id"]
    result = parse_result(doc)
    assert result.settings.run is None
    assert result.settings.extra["sampling"] == "fixed(5)"
    assert to_json(result)["settings"] == as_1_1(doc)["settings"]


def test_a_newer_major_version_is_refused_by_name() -> None:
    doc = load("fixed")
    doc["schema_version"] = "2.0"
    with pytest.raises(ResultFormatError) as err:
        parse_result(doc)
    assert err.value.key == "schema_version"
    assert err.value.exit_code == 2


Mutation = Callable[[dict[str, Any]], object]


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d.pop("function_arn"), "(top level)"),
        (lambda d: d["invocations"][3].update(memory_mb="big"), "invocations[3].memory_mb"),
        (lambda d: d["statistics"][2].update(warm_samples=1.5), "statistics[2].warm_samples"),
        (lambda d: d["statistics"][1].update(cold_samples="1"), "statistics[1].cold_samples"),
        (lambda d: d["statistics"][0].update(duration_ci_ms=[1.0]), "statistics[0].duration_ci_ms"),
        (lambda d: d["cold_starts"][0].update(init_billed="yes"), "cold_starts[0].init_billed"),
        (lambda d: d["settings"]["strategy"].update(name="cheapest"), "settings.strategy.name"),
        (lambda d: d["settings"]["backend"].update(seed=1), "settings.backend.seed"),
        (lambda d: d["settings"].update(memory_sizes=["128"]), "settings.memory_sizes"),
        (lambda d: d["recommendation"].pop("reasons"), "recommendation"),
        (
            lambda d: d["recommendation"].update(tied_with=[{"memory_mb": 256}]),
            "recommendation.tied_with[0].architecture",
        ),
        (lambda d: d["stateMachine"].pop("lambdaCost"), "stateMachine"),
        (lambda d: d.update(started_at="yesterday"), "started_at"),
        (
            lambda d: d["sampling_events"].append({"action": "x"}),
            "sampling_events[1].after_invocations",
        ),
    ],
)
def test_bad_input_names_the_key(mutate: Mutation, key: str) -> None:
    doc = copy.deepcopy(load("fixed"))
    mutate(doc)
    with pytest.raises(ResultFormatError) as err:
        parse_result(doc)
    assert err.value.key == key
    assert err.value.exit_code == 2
