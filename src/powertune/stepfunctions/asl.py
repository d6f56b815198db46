"""The state machine's ASL (package data), rendered for one deploy, and its structural checks.

`statemachine.asl.json` holds two placeholders, kept as JSON strings so the file
itself stays valid JSON: `__HANDLER_ARN__` (the steps' Lambda) and
`"__MAX_CONCURRENCY__"` (the Map's concurrency limit, an integer once rendered).
Terraform renders it with the same two `replace()` calls as `render` here.

`structural_problems` checks what a JSON schema cannot: every `Next`, `Default`
and Catch target names a state of the same scope, every state is reachable,
every non-terminal state has a way on, and every Task and Map that can fail
is caught by a path that runs the clean-up before a Fail state. (No Python ASL
validator exists on PyPI; `asl-validator` is an npm package. The tests also
check the ASL against cfn-lint's Step Functions schema and moto's ASL parser.)
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from powertune.errors import ConfigError

HANDLER_PLACEHOLDER = "__HANDLER_ARN__"
CONCURRENCY_PLACEHOLDER = '"__MAX_CONCURRENCY__"'
CLEANUP_STATE = "CleanUpAfterError"
_TERMINAL = {"Succeed", "Fail"}
_CATCHABLE = {"Task", "Map", "Parallel"}


TUNER_PLACEHOLDER = "__TUNER_ARN__"
FLEET_CONCURRENCY_PLACEHOLDER = '"__FLEET_CONCURRENCY__"'
ITEM_TIMEOUT_PLACEHOLDER = '"__ITEM_TIMEOUT_S__"'
TUNER_FILE = "statemachine.asl.json"
FLEET_FILE = "fleet.asl.json"


def template(name: str = TUNER_FILE) -> str:
    """An ASL file with its placeholders, as shipped (the tuner's, or the fleet's)."""
    return (resources.files("powertune.stepfunctions") / name).read_text()


def render(handler_arn: str, max_concurrency: int) -> dict[str, Any]:
    """The definition for a handler and a Map concurrency limit (0: no limit, as on AWS)."""
    if max_concurrency < 0:
        raise ConfigError(f"max_concurrency {max_concurrency} must be 0 (no limit) or more")
    text = template().replace(HANDLER_PLACEHOLDER, handler_arn)
    definition: dict[str, Any] = json.loads(
        text.replace(CONCURRENCY_PLACEHOLDER, str(max_concurrency))
    )
    return definition


def render_fleet(
    handler_arn: str, tuner_arn: str, max_concurrency: int, item_timeout_s: int
) -> dict[str, Any]:
    """The fleet's definition, with the same replacements as the Terraform module's."""
    if max_concurrency < 0:
        raise ConfigError(f"fleet max_concurrency {max_concurrency} must be 0 (no limit) or more")
    if item_timeout_s < 60:
        raise ConfigError(f"fleet item timeout {item_timeout_s} s must be 60 s or more")
    text = (
        template(FLEET_FILE)
        .replace(HANDLER_PLACEHOLDER, handler_arn)
        .replace(TUNER_PLACEHOLDER, tuner_arn)
        .replace(FLEET_CONCURRENCY_PLACEHOLDER, str(max_concurrency))
        .replace(ITEM_TIMEOUT_PLACEHOLDER, str(item_timeout_s))
    )
    definition: dict[str, Any] = json.loads(text)
    return definition


def _targets(state: dict[str, Any]) -> list[str]:
    found = [state[k] for k in ("Next", "Default") if k in state]
    found += [c["Next"] for c in state.get("Choices", []) if "Next" in c]
    found += [c["Next"] for c in state.get("Catch", [])]
    return found


def _scope_problems(scope: dict[str, Any], where: str) -> list[str]:
    states: dict[str, dict[str, Any]] = scope.get("States", {})
    problems: list[str] = []
    if scope.get("StartAt") not in states:
        problems.append(f"{where}: StartAt {scope.get('StartAt')!r} is not a state")
    seen: set[str] = set()
    todo = [scope.get("StartAt")]
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        todo.extend(_targets(states[name]))
    for name, state in states.items():
        kind = state.get("Type")
        for target in _targets(state):
            if target not in states:
                problems.append(f"{where}{name}: goes to {target!r}, which is not a state")
        if name not in seen:
            problems.append(f"{where}{name}: unreachable from StartAt")
        ends = kind in _TERMINAL or state.get("End") is True or kind == "Choice"
        if not ends and "Next" not in state:
            problems.append(f"{where}{name}: a {kind} state needs Next or End")
        if kind == "Choice" and "Default" not in state:
            problems.append(f"{where}{name}: a Choice without Default fails on no match")
        for inner in (state.get("ItemProcessor"), state.get("Iterator")):
            if inner is not None:
                problems += _scope_problems(inner, f"{where}{name}/")
    return problems


def _cleanup_problems(definition: dict[str, Any]) -> list[str]:
    """Every failure at the top level goes to the clean-up, which ends in a Fail state."""
    states: dict[str, dict[str, Any]] = definition.get("States", {})
    problems = []
    for name, state in states.items():
        if state.get("Type") not in _CATCHABLE or name == CLEANUP_STATE:
            continue
        catches = state.get("Catch", [])
        if not any(
            "States.ALL" in c["ErrorEquals"] and c["Next"] == CLEANUP_STATE for c in catches
        ):
            problems.append(f"{name}: no Catch of States.ALL to {CLEANUP_STATE}")
    cleanup = states.get(CLEANUP_STATE, {})
    after = [cleanup.get("Next"), *(c["Next"] for c in cleanup.get("Catch", []))]
    if not cleanup or any(states.get(str(t), {}).get("Type") != "Fail" for t in after):
        problems.append(f"{CLEANUP_STATE}: must go on (and on its own error too) to a Fail state")
    return problems


def structural_problems(definition: dict[str, Any]) -> list[str]:
    """What is wrong with `definition`'s graph; empty when it is sound."""
    return _scope_problems(definition, "") + _cleanup_problems(definition)


def fleet_problems(definition: dict[str, Any]) -> list[str]:
    """What is wrong with the fleet's graph: a sound graph, and no item that can fail it.

    Every failure of an item's child workflow must be caught and swept, the sweep's own
    failure caught too, and the Map must tolerate failed items: one broken function must
    never end the fleet.
    """
    problems = _scope_problems(definition, "")
    maps = [(n, s) for n, s in definition.get("States", {}).items() if s.get("Type") == "Map"]
    for name, state in maps:
        processor = state.get("ItemProcessor", {})
        if processor.get("ProcessorConfig", {}).get("Mode") != "DISTRIBUTED":
            problems.append(f"{name}: the fleet's Map must be DISTRIBUTED (child workflows)")
        if state.get("ToleratedFailurePercentage") != 100:
            problems.append(f"{name}: ToleratedFailurePercentage must be 100")
        for inner, inner_state in processor.get("States", {}).items():
            if inner_state.get("Type") not in _CATCHABLE:
                continue
            if not any("States.ALL" in c["ErrorEquals"] for c in inner_state.get("Catch", [])):
                problems.append(f"{name}/{inner}: no Catch of States.ALL; a failure ends the fleet")
    if not maps:
        problems.append("the fleet has no Map state")
    return problems
