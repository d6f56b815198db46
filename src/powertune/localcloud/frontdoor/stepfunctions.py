"""Step Functions calls moto does not serve, answered at the front door.

`ListStateMachineVersions`: the provider reads it after every create and read;
moto answers 500. The local cloud never publishes state machine versions
(moto has no PublishStateMachineVersion), so the true answer is an empty list.

`ValidateStateMachineDefinition`: Terraform's AWS provider (5.x) calls it while
planning an `aws_sfn_state_machine` whose definition is known, and moto answers
500, which the provider retries for ever. AWS answers `result` OK or FAIL with
diagnostics (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html);
here the definition is checked by the same ASL parser that moto's interpreter runs
executions with, so what validates here is what runs here.
"""

from __future__ import annotations

import json

from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse, json_response

_VALIDATE = "AWSStepFunctions.ValidateStateMachineDefinition"
_LIST_VERSIONS = "AWSStepFunctions.ListStateMachineVersions"
_AWS_JSON = (("Content-Type", "application/x-amz-json-1.0"),)


def _diagnostics(definition: str) -> list[dict[str, str]]:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    try:
        AmazonStateLanguageParser.parse(definition)
    except Exception as exc:  # noqa: BLE001 - the parser raises several types; each is a FAIL
        return [
            {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": str(exc)[:1000]}
        ]
    return []


def answer(request: HttpRequest) -> HttpResponse | None:
    """The answer to a Step Functions call moto lacks, or None to forward the request."""
    target = request.header("X-Amz-Target")
    if target == _LIST_VERSIONS:
        return HttpResponse(200, json.dumps({"stateMachineVersions": []}).encode(), _AWS_JSON)
    if target != _VALIDATE:
        return None
    try:
        definition = str(json.loads(request.body or b"{}")["definition"])
    except (ValueError, KeyError, TypeError):
        return json_response(
            400,
            {"__type": "ValidationException", "message": "definition is required"},
        )
    problems = _diagnostics(definition)
    document = {"result": "FAIL" if problems else "OK", "diagnostics": problems}
    return HttpResponse(200, json.dumps(document).encode(), _AWS_JSON)
