"""Compatibility mode against AWS Lambda Power Tuning's 421 exact vectors.

Every vector is in exactly one class, decided by tests/data/compat-deviations.json:
- reproduced: not listed; our reimplementation must give `expected` (floats with ==,
  dict key order included) or `expected_error` (message equal when exact);
- deviated: listed with a reason naming the deviation; the vector must NOT pass as
  upstream (so the file stays honest), and our own behaviour is asserted;
- out of scope: listed with "out of scope: ..."; its function must really be one
  of the out-of-scope ones (initializer/publisher/cleaner/optimizer, S3 payloads).
`test_vector_counts` carries the three counts in its test id (visible with -v).
"""

from __future__ import annotations

import collections
import copy
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from powertune.errors import ConfigError, PowertuneError
from powertune.tuning.compat import logs, payloads, prices
from powertune.tuning.compat.analyzer import analyzer_handler
from powertune.tuning.compat.errors import UpstreamError
from powertune.tuning.compat.executor import executor_handler
from powertune.tuning.compat.jsvalues import UNDEFINED
from powertune.tuning.compat.visualization import build_visualization_url_from_stats

DATA = Path(__file__).resolve().parent.parent / "data"
VECTORS_FILE = json.loads((DATA / "power-tuning-vectors.json").read_text())
VECTORS: list[dict[str, Any]] = VECTORS_FILE["vectors"]
DEFAULT_ENV: dict[str, str] = VECTORS_FILE["meta"]["default_env"]
FIXTURES: dict[str, Any] = VECTORS_FILE["fixtures"]
DEVIATIONS: dict[str, str] = json.loads((DATA / "compat-deviations.json").read_text())

OUT_OF_SCOPE_FUNCTIONS = frozenset(
    {
        "initializer.handler",
        "publisher.handler",
        "cleaner.handler",
        "optimizer.handler",
        "utils.fetchPayloadFromS3",
    }
)
OUT_OF_SCOPE = "out of scope: "
FIX_305 = "fix #305: "
VALIDATION = "validation: "
EXECUTION_COST = "executionCost: "

# What we return where upstream throws on a JSON log without init/restore keys (#305):
# the absent key counts as 0, as it does in the text format. Values are the logs' own.
OURS_305: dict[str, list[float]] = {
    "utils.parseLogAndExtractDurations#74": [1.317 + 10.0 + 0.0],  # jsonLog
    "utils.parseLogAndExtractDurations#76": [147.156 + 0.0 + 500.795],  # SnapStart, no init
    "utils.parseLogAndExtractDurations#78": [1.317 + 20.0 + 0.0],  # jsonMixedLog
    "utils.parseLogAndExtractDurations#80": [8.5 + 0.0 + 0.0],  # warm start
    "utils.parseLogAndExtractBilledDurations#75": [2.0 + 0.0],
    "utils.parseLogAndExtractBilledDurations#79": [4.0 + 0.0],
    "utils.parseLogAndExtractBilledDurations#81": [9.0 + 0.0],
}


def _undefined(value: Any) -> Any:
    """The vectors write an explicit JS undefined as "__undefined__"."""
    if value == "__undefined__":
        return UNDEFINED
    if isinstance(value, dict):
        return {k: _undefined(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_undefined(v) for v in value]
    return value


def _env(vector: Mapping[str, Any]) -> dict[str, str]:
    return {**DEFAULT_ENV, **vector.get("env", {})}


class FakeLambda:
    """Stands in for the Invoke API the way the vectors' stubs did, recording calls."""

    def __init__(self, stubs: Mapping[str, Any]) -> None:
        if "invoke_response" in stubs:
            self.responses: list[dict[str, Any]] = [stubs["invoke_response"]]
        else:
            self.responses = FIXTURES["EXEC_LOGS_10"]
        self.aliases: list[str] = []
        self.payloads: list[object] = []

    def invoke(self, function_arn: str, qualifier: str, payload: object) -> Mapping[str, object]:
        response = self.responses[len(self.aliases) % len(self.responses)]
        self.aliases.append(qualifier)
        self.payloads.append(payload)
        return response


def _run_executor(vector: Mapping[str, Any], observed: dict[str, Any]) -> object:
    stubs = vector.get("stubs", {})
    fake = FakeLambda(stubs)
    observed["fake"] = fake
    return executor_handler(
        _undefined(vector["input"]["event"]),
        architecture=stubs.get("architecture", "x86_64"),
        invoke=fake.invoke,
    )


def _run_analyzer(vector: Mapping[str, Any], step_functions_ran: bool) -> object:
    return analyzer_handler(
        _undefined(copy.deepcopy(vector["input"]["event"])),
        tool_region=_env(vector)["AWS_REGION"],
        step_functions_ran=step_functions_ran,
        visualization_url=_env(vector)["visualizationURL"],
    )


Runner = Callable[[dict[str, Any], dict[str, Any]], object]
RUNNERS: dict[str, Runner] = {
    "utils.extractDuration": lambda i, _: logs.extract_duration(i["log"], i["durationType"]),
    "utils.extractDurationFromJSON": lambda i, _: logs.extract_duration_from_json(
        i["log"], i["durationType"]
    ),
    "utils.parseLogAndExtractDurations": lambda i, _: logs.parse_log_and_extract_durations(
        i["results"]
    ),
    "utils.parseLogAndExtractBilledDurations": lambda i, _: (
        logs.parse_log_and_extract_billed_durations(i["results"])
    ),
    "utils.computeAverageDuration": lambda i, _: prices.compute_average_duration(
        list(i["durations"]), i["discardTopBottom"]
    ),
    "utils.computePrice": lambda i, _: prices.compute_price(
        i["minCost"], i["minRAM"], i["value"], i["duration"]
    ),
    "utils.computeTotalCost": lambda i, _: prices.compute_total_cost(
        i["minCost"], i["minRAM"], i["value"], i["durations"]
    ),
    "utils.stepFunctionsCost": lambda i, env: prices.step_functions_cost(
        i["nPower"], i["onlyColdStarts"], i["num"], env["AWS_REGION"]
    ),
    "utils.lambdaBaseCost": lambda i, _: prices.lambda_base_cost(i["region"], i["architecture"]),
    "utils.baseCostForRegion": lambda i, _: prices.base_cost_for_region(i["priceMap"], i["region"]),
    "utils.buildVisualizationURL": lambda i, env: build_visualization_url_from_stats(
        copy.deepcopy(i["stats"]), i["baseURL"], env["AWS_REGION"]
    ),
    "utils.convertPayload": lambda i, _: payloads.convert_payload(i["payload"]),
    "utils.isWeightedPayload": lambda i, _: payloads.is_weighted_payload(i["payload"]),
    "utils.generatePayloads": lambda i, _: payloads.generate_payloads(i["num"], i["payloadInput"]),
    "utils.regionFromARN": lambda i, _: payloads.region_from_arn(i["arn"]),
    "utils.range": lambda i, _: payloads.range_values(i["n"]),
    "utils.allPowerValues": lambda i, _: payloads.all_power_values(),
    "utils.buildAliasString": lambda i, _: payloads.build_alias_string(
        i["baseAlias"], i["onlyColdStarts"], i["index"]
    ),
    "utils.base64decode": lambda i, _: logs.base64decode(i["str"]),
}


def run(vector: dict[str, Any], observed: dict[str, Any]) -> tuple[str, object]:
    """Run a vector through our reimplementation: ("value", v) or ("error", exception)."""
    try:
        function = vector["function"]
        if function == "executor.handler":
            result = _run_executor(vector, observed)
        elif function == "analyzer.handler":
            result = _run_analyzer(vector, step_functions_ran=False)
        else:
            result = RUNNERS[function](_undefined(vector["input"]), _env(vector))
    except PowertuneError as error:
        return "error", error
    return "value", None if result is UNDEFINED else result


def same(actual: object, expected: object) -> bool:
    """Deep equality with float ==, bool kept apart from numbers, dict key order included."""
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and list(actual) == list(expected)
            and all(same(actual[k], expected[k]) for k in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if expected is None or actual is None:
        return actual is expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return actual == expected
    return type(actual) is type(expected) and actual == expected


def matches_upstream(
    vector: dict[str, Any], outcome: tuple[str, object], observed: dict[str, Any]
) -> bool:
    """True when the outcome is what upstream produced, for every observation recorded."""
    kind, result = outcome
    if "expected_error" in vector:
        wanted: dict[str, str] = vector["expected_error"]
        if kind != "error":
            return False
        return wanted.get("match", "exact") != "exact" or str(result) == wanted["message"]
    if kind == "error":
        return False
    if "expected" in vector and not same(result, vector["expected"]):
        return False
    if "expected_counts" in vector:
        assert isinstance(result, list)
        counts = collections.Counter(json.loads(str(p))["test"] for p in result)
        if dict(counts) != vector["expected_counts"] or len(result) != vector["expected_length"]:
            return False
    fake: FakeLambda | None = observed.get("fake")
    wanted_calls: dict[str, Callable[[FakeLambda], object]] = {
        "expected_invoked_aliases": lambda f: f.aliases,
        "expected_invocation_payloads": lambda f: f.payloads,
        "expected_invocations": lambda f: len(f.aliases),
    }
    for key, observe in wanted_calls.items():
        if key in vector and (fake is None or observe(fake) != vector[key]):
            return False
    return True


def classify(vector_id: str) -> str:
    reason = DEVIATIONS.get(vector_id)
    if reason is None:
        return "reproduced"
    return "out of scope" if reason.startswith(OUT_OF_SCOPE) else "deviated"


def assert_our_behaviour(vector: dict[str, Any], outcome: tuple[str, object]) -> None:
    reason = DEVIATIONS[vector["id"]]
    kind, result = outcome
    if reason.startswith(FIX_305):
        assert kind == "value", f"still throws: {result}"
        assert same(result, OURS_305[vector["id"]])
    elif reason.startswith(VALIDATION):
        assert kind == "error" and isinstance(result, ConfigError), outcome
        assert "outside" in str(result) and "silently" in str(result)
    elif reason.startswith(EXECUTION_COST):
        assert kind == "value" and isinstance(result, dict), outcome
        expected = copy.deepcopy(vector["expected"])
        expected["stateMachine"]["executionCost"] = 0.0
        assert same(result, expected), "only executionCost may differ"
        # Had Step Functions run, upstream's own estimate is reproduced exactly.
        assert same(_run_analyzer(vector, step_functions_ran=True), vector["expected"])
    else:
        pytest.fail(f"{vector['id']}: deviation reason has no known category: {reason!r}")


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    category = classify(vector["id"])
    if category == "out of scope":
        assert vector["function"] in OUT_OF_SCOPE_FUNCTIONS, "an in-scope vector is listed"
        return
    observed: dict[str, Any] = {}
    outcome = run(vector, observed)
    if category == "reproduced":
        assert matches_upstream(vector, outcome, observed), (outcome, vector.get("expected"))
        kind, result = outcome
        if kind == "error" and vector["expected_error"].get("match", "exact") == "exact":
            assert isinstance(result, UpstreamError), "upstream's message, upstream's error"
        return
    assert not matches_upstream(vector, outcome, observed), "listed as deviation but matches"
    assert_our_behaviour(vector, outcome)


def test_deviation_file_names_only_real_vectors() -> None:
    ids = {v["id"] for v in VECTORS}
    assert sorted(set(DEVIATIONS) - ids) == []
    assert all(isinstance(reason, str) and reason.strip() for reason in DEVIATIONS.values())


def test_every_out_of_scope_function_is_listed() -> None:
    unlisted = [
        v["id"]
        for v in VECTORS
        if v["function"] in OUT_OF_SCOPE_FUNCTIONS and classify(v["id"]) != "out of scope"
    ]
    assert unlisted == []


COUNTS = collections.Counter(classify(v["id"]) for v in VECTORS)
COUNT_ID = "reproduced={reproduced}-deviated={deviated}-out_of_scope={oos}".format(
    reproduced=COUNTS["reproduced"], deviated=COUNTS["deviated"], oos=COUNTS["out of scope"]
)


@pytest.mark.parametrize("counts", [dict(COUNTS)], ids=[COUNT_ID])
def test_vector_counts(counts: dict[str, int]) -> None:
    print(f"\ncompat vectors: {COUNT_ID}")
    # Pinned so that docs/compat.md, which quotes them, is updated with any change.
    assert counts == {"reproduced": 324, "deviated": 41, "out of scope": 56}
    assert sum(counts.values()) == len(VECTORS) == 421
