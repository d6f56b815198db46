"""The fleet's pure parts: tags, its ASL, its input limit, item outcomes and sweeps' errors."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from powertune.errors import ConfigError
from powertune.stepfunctions.asl import (
    FLEET_CONCURRENCY_PLACEHOLDER,
    ITEM_TIMEOUT_PLACEHOLDER,
    TUNER_PLACEHOLDER,
    fleet_problems,
    render_fleet,
)
from powertune.stepfunctions.discovery import TagFilter, carries, parse_tag
from powertune.stepfunctions.fleet import (
    FleetItem,
    ItemStatus,
    fleet_input,
    item_transitions,
    outcomes,
)
from powertune.stepfunctions.sweep import child_error

HANDLER = "arn:aws:lambda:us-east-1:123456789012:function:powertune-steps"
TUNER = "arn:aws:states:us-east-1:123456789012:stateMachine:powertune-tuner"
MODULE = Path(__file__).resolve().parents[2] / "infra/terraform/modules/powertune-stepfunctions"


@pytest.fixture
def definition() -> dict[str, Any]:
    return render_fleet(HANDLER, TUNER, 5, 3600)


def test_the_fleet_matches_the_step_functions_schema(definition: dict[str, Any]) -> None:
    schema_file = resources.files("cfnlint") / "data/schemas/other/step_functions/statemachine.json"
    schema = json.loads(schema_file.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(definition)] == []


def test_moto_parses_the_fleet(definition: dict[str, Any]) -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    program, _ = AmazonStateLanguageParser.parse(json.dumps(definition))
    assert program is not None


def test_the_fleet_is_sound_and_no_item_can_fail_it(definition: dict[str, Any]) -> None:
    assert fleet_problems(definition) == []
    fleet = definition["States"]["TuneFleet"]
    assert fleet["MaxConcurrency"] == 5
    task = fleet["ItemProcessor"]["States"]["TuneFunction"]
    assert task["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert task["Parameters"]["StateMachineArn"] == TUNER
    assert task["TimeoutSeconds"] == 3600
    assert definition["States"]["FleetFailed"]["Type"] == "Fail"


def test_an_uncaught_item_and_an_intolerant_map_are_found(definition: dict[str, Any]) -> None:
    broken = copy.deepcopy(definition)
    fleet = broken["States"]["TuneFleet"]
    del fleet["ItemProcessor"]["States"]["SweepFunction"]["Catch"]
    fleet["ToleratedFailurePercentage"] = 0
    problems = fleet_problems(broken)
    assert "TuneFleet/SweepFunction: no Catch of States.ALL; a failure ends the fleet" in problems
    assert "TuneFleet: ToleratedFailurePercentage must be 100" in problems
    assert any("unreachable" in p for p in problems)  # NotSwept is no longer reached


def test_terraform_renders_the_fleets_placeholders() -> None:
    main_tf = (MODULE / "main.tf").read_text()
    for placeholder in (TUNER_PLACEHOLDER, FLEET_CONCURRENCY_PLACEHOLDER, ITEM_TIMEOUT_PLACEHOLDER):
        assert placeholder.replace('"', '\\"') in main_tf


@pytest.mark.parametrize(("concurrency", "timeout"), [(-1, 3600), (3, 59)])
def test_bad_fleet_settings_are_refused(concurrency: int, timeout: int) -> None:
    with pytest.raises(ConfigError):
        render_fleet(HANDLER, TUNER, concurrency, timeout)


def test_tags_are_parsed_and_matched_exactly() -> None:
    assert parse_tag("team=payments") == TagFilter("team", "payments")
    assert parse_tag("powertune=") == TagFilter("powertune", "")
    assert parse_tag("a=b=c") == TagFilter("a", "b=c")
    for bad in ("team", "=x", " team=x", "k" * 129 + "=v"):
        with pytest.raises(ConfigError, match="--tag"):
            parse_tag(bad)
    filters = [TagFilter("team", "payments"), TagFilter("env", "prod")]
    assert carries({"team": "payments", "env": "prod", "x": "y"}, filters)
    assert not carries({"team": "payments"}, filters)
    assert not carries({"team": "Payments", "env": "prod"}, filters)


def _item(name: str, payload_bytes: int = 10) -> FleetItem:
    return FleetItem(name, f"pt-x-{name}", {"request": {"pad": "x" * payload_bytes}}, {})


def test_a_fleet_input_over_the_limit_is_refused_with_how_many_fit() -> None:
    assert fleet_input([_item("a"), _item("b")])["items"][1]["function"] == "b"
    with pytest.raises(ConfigError, match="over Step Functions' 256 KiB") as caught:
        fleet_input([_item(f"f{i}", 5_000) for i in range(60)])
    assert "60 functions" in str(caught.value)


def test_outcomes_follow_the_items_and_name_a_failed_sweep() -> None:
    items = [_item("a"), _item("b"), _item("c")]
    output = [
        {"function": "a", "status": "tuned", "error": None, "execution_arn": "arn:a"},
        {"function": "b", "status": "failed", "error": "boom", "cleanup": {"complete": True}},
        {
            "function": "c",
            "status": "failed",
            "error": "States.TaskFailed",
            "cause": "child failed",
            "sweep_error": "Lambda.Unknown",
            "sweep_cause": "handler crashed",
            "cleanup": {"complete": False},
        },
    ]
    a, b, c = outcomes(output, items)
    assert (a.status, a.execution_arn, a.error) == (ItemStatus.TUNED, "arn:a", None)
    assert (b.status, b.error, b.cleanup_complete) == (ItemStatus.FAILED, "boom", True)
    assert c.error is not None and "its sweep failed: handler crashed" in c.error
    assert not c.cleanup_complete and not c.swept
    assert [item_transitions(o) for o in (a, b, c)] == [2, 2, 3]
    with pytest.raises(ConfigError, match="one outcome per function"):
        outcomes(output[:2], items)


def test_a_childs_error_is_told_from_its_description() -> None:
    lambda_error = json.dumps({"errorMessage": "every memory size failed", "errorType": "X"})
    for key in (str.lower, lambda k: k[:1].upper() + k[1:]):
        described = {key("status"): "FAILED", key("error"): "TuningFailed"}
        described[key("cause")] = lambda_error
        described[key("executionArn")] = "arn:child"
        message, arn = child_error({"Error": "States.TaskFailed", "Cause": json.dumps(described)})
        assert message == (
            "the tuning execution ended FAILED: TuningFailed: every memory size failed"
        )
        assert arn == "arn:child"
    timeout, none = child_error({"Error": "States.Timeout", "Cause": ""})
    assert "item timeout" in timeout and none is None
    assert child_error({"Error": "X.Y", "Cause": "plain"}) == ("X.Y: plain", None)


def test_each_child_gets_the_whole_execution_input_and_its_parents_id(
    definition: dict[str, Any],
) -> None:
    from powertune.stepfunctions.codec import PolicySpec
    from powertune.stepfunctions.run import execution_input
    from powertune.tuning.models import Architecture, Payload, StrategySpec
    from powertune.tuning.pricing import PriceRate
    from powertune.tuning.request import TuningRequest

    request = TuningRequest(
        function="fn",
        memory_sizes=(256,),
        architectures=(Architecture.X86_64,),
        payloads=(Payload(b"{}"),),
        strategy=StrategySpec(),
        allowed_errors=frozenset(),
        scratch_copy=False,
        run_id="r",
        seed=1,
    )
    doc = execution_input(request, PolicySpec(1), {Architecture.X86_64: PriceRate(1e-5, 2e-7)})
    task = definition["States"]["TuneFleet"]["ItemProcessor"]["States"]["TuneFunction"]
    sent = task["Parameters"]["Input"]
    assert {k.removesuffix(".$") for k in sent} == {
        *doc,
        "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID",
    }
    assert all(sent[f"{k}.$"] == f"$.input.{k}" for k in doc)


def test_the_deploy_root_passes_a_fleets_tags_and_needs_functions_or_tags(tmp_path: Path) -> None:
    from powertune.stepfunctions.deploy import DeployTarget, deploy, root_configuration

    target = DeployTarget("eu-west-1", tmp_path, function_tags=(("team", "payments"),))
    root = root_configuration(target, [])
    assert 'tuned_function_tags   = {"team": "payments"}' in root
    assert "tuned_function_arns   = []" in root
    with pytest.raises(ConfigError, match=r"--function ARN .* or --tag KEY=VALUE"):
        deploy(DeployTarget("eu-west-1", tmp_path), MODULE, [])
