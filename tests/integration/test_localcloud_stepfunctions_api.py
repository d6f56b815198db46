"""Step Functions calls Terraform needs and moto lacks, answered by the local cloud's front door."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

GOOD = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}


@pytest.mark.integration
def test_validate_state_machine_definition_checks_the_asl(
    boto3_client: Callable[..., Any],
) -> None:
    sfn = boto3_client("stepfunctions")
    ok = sfn.validate_state_machine_definition(definition=json.dumps(GOOD), type="STANDARD")
    assert (ok["result"], ok["diagnostics"]) == ("OK", [])
    bad = {"StartAt": "Done", "States": {"Done": {"Type": "NoSuchType"}}}
    failed = sfn.validate_state_machine_definition(definition=json.dumps(bad), type="STANDARD")
    assert failed["result"] == "FAIL"
    assert failed["diagnostics"][0]["severity"] == "ERROR"


@pytest.mark.integration
def test_a_state_machine_has_no_versions(
    boto3_client: Callable[..., Any], lambda_role: str
) -> None:
    sfn = boto3_client("stepfunctions")
    arn = sfn.create_state_machine(
        name="versionless", definition=json.dumps(GOOD), roleArn=lambda_role
    )["stateMachineArn"]
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []
