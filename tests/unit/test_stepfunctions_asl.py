"""The ASL AWS runs: valid for the ASL schema (cfn-lint's), for moto's parser, sound as a graph."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from powertune.stepfunctions.asl import (
    CLEANUP_STATE,
    CONCURRENCY_PLACEHOLDER,
    HANDLER_PLACEHOLDER,
    render,
    structural_problems,
)

HANDLER = "arn:aws:lambda:us-east-1:123456789012:function:powertune-steps"
MODULE = Path(__file__).resolve().parents[2] / "infra/terraform/modules/powertune-stepfunctions"


@pytest.fixture
def definition() -> dict[str, Any]:
    return render(HANDLER, 3)


def test_the_definition_matches_the_step_functions_schema(definition: dict[str, Any]) -> None:
    # cfn-lint ships the ASL schema it checks AWS::StepFunctions::StateMachine with.
    schema_file = resources.files("cfnlint") / "data/schemas/other/step_functions/statemachine.json"
    schema = json.loads(schema_file.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(definition)] == []


def test_moto_parses_the_definition(definition: dict[str, Any]) -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    program, _ = AmazonStateLanguageParser.parse(json.dumps(definition))
    assert program is not None


def test_the_graph_is_sound_and_every_failure_is_cleaned_up(definition: dict[str, Any]) -> None:
    assert structural_problems(definition) == []
    states = definition["States"]
    assert states["Measure"]["MaxConcurrency"] == 3
    assert states["Failed"] == {
        "Type": "Fail",
        "ErrorPath": "$.error.Error",
        "CausePath": "$.error.Cause",
    }
    throttled = states["Measure"]["ItemProcessor"]["States"]["InvokeSize"]["Retry"][0]
    assert "Lambda.TooManyRequestsException" in throttled["ErrorEquals"]
    assert throttled["BackoffRate"] > 1


def test_a_dangling_next_and_a_missing_catch_are_found(definition: dict[str, Any]) -> None:
    broken = copy.deepcopy(definition)
    broken["States"]["Prepare"]["Next"] = "Nowhere"
    del broken["States"]["Analyse"]["Catch"]
    problems = structural_problems(broken)
    assert "Prepare: goes to 'Nowhere', which is not a state" in problems
    assert f"Analyse: no Catch of States.ALL to {CLEANUP_STATE}" in problems
    assert any(p.startswith("Measure: unreachable") for p in problems)


def test_a_clean_up_that_can_end_succeeded_is_refused(definition: dict[str, Any]) -> None:
    broken = copy.deepcopy(definition)
    broken["States"][CLEANUP_STATE]["Next"] = "Tuned"
    assert f"{CLEANUP_STATE}: must go on (and on its own error too) to a Fail state" in (
        structural_problems(broken)
    )


def test_terraform_renders_the_same_two_placeholders() -> None:
    main_tf = (MODULE / "main.tf").read_text()
    assert f'"{HANDLER_PLACEHOLDER}"' in main_tf
    assert CONCURRENCY_PLACEHOLDER.replace('"', '\\"') in main_tf
