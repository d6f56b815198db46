"""Fixes to moto's Step Functions interpreter, applied in the moto child process only.

moto's ASL interpreter is LocalStack's, with its service integrations' request
and response normalisation left out. For `arn:aws:states:::states:startExecution`
(`.sync`, `.sync:2`: nested workflows, which the fleet's items are) that breaks
it: the state's parameters are PascalCase as in AWS (`StateMachineArn`, `Input`),
boto3 wants camelCase (`stateMachineArn`), and botocore fails with
`KeyError: 'StateMachineArn'`; the task's result must be PascalCase again
(`ExecutionArn`, `Output`, dates in epoch milliseconds), as AWS returns it to the
state machine.

The fix does what LocalStack does: rename the parameters after the operation's
input shape, and the response's keys after AWS's integration convention. It is
idempotent, and checked by the fleet's tests against moto's own interpreter.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import botocore.session

_APPLIED = {"done": False}


@functools.cache
def _input_members(service: str, action: str) -> dict[str, str]:
    """Lower-case member name -> the member's own name, for `service`'s `action`."""
    model = botocore.session.get_session().get_service_model(service)
    operation = model.operation_model(_operation_name(model, action))
    shape = operation.input_shape
    members = [] if shape is None else list(shape.members)
    return {m.lower(): m for m in members}


def _operation_name(model: Any, action: str) -> str:
    wanted = action.replace("_", "").lower()
    return next(str(n) for n in model.operation_names if n.lower() == wanted)


def _value(value: Any) -> Any:
    """Timestamps as AWS's integrations return them: epoch milliseconds."""
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return value


def _pascal(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    return {(k[:1].upper() + k[1:]) if isinstance(k, str) else k: _value(v) for k, v in doc.items()}


def apply() -> None:
    """Patch the Step Functions service integration (once per process)."""
    if _APPLIED["done"]:
        return
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_sfn as sfn_module,
    )

    cls = sfn_module.StateTaskServiceSfn
    original_params = cls._normalise_parameters

    def normalise_parameters(
        self: Any,
        parameters: dict[str, Any],
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        original_params(self, parameters, boto_service_name, service_action_name)
        action = service_action_name or self._get_boto_service_action()
        members = _input_members("stepfunctions", action)
        for key in list(parameters):
            named = members.get(key.lower())
            if named is not None and named != key:
                parameters[named] = parameters.pop(key)

    def normalise_response(
        self: Any,
        response: Any,
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        if isinstance(response, dict):
            renamed = _pascal(response)
            response.clear()
            response.update(renamed)

    cls._normalise_parameters = normalise_parameters  # type: ignore[method-assign]
    cls._normalise_response = normalise_response  # type: ignore[method-assign]
    _APPLIED["done"] = True
