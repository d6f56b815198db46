"""The steps, driven in the order the state machine runs them, against the scripted fake backend.

`execute` plays the ASL's part (Plan, Prepare, the Map over each batch's sizes,
Analyse until done, CleanUp), passing the state through JSON as Step Functions
does; the steps themselves are the production handlers' `run_step`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from powertune.backends.fake import FakeBackend, cpu_bound_script
from powertune.clock import ManualClock
from powertune.errors import BackendError, ConfigError, TuningFailed
from powertune.stepfunctions.codec import PolicySpec
from powertune.stepfunctions.handler import run_step
from powertune.stepfunctions.lifecycle import clean_up, plan_of
from powertune.stepfunctions.policy import build_policy
from powertune.stepfunctions.run import execution_input, run_from_output
from powertune.tuning.ledger import RunLedger
from powertune.tuning.models import Architecture, Payload, StrategyName, StrategySpec
from powertune.tuning.ports import InvokeOutcome
from powertune.tuning.preparation import Preparation
from powertune.tuning.pricing import PriceRate
from powertune.tuning.request import TuningRequest
from powertune.tuning.session import run_tuning

RATE = PriceRate(usd_per_gb_second=0.0000166667, usd_per_request=0.0000002)
SIZES = (128, 512, 1024, 1769)
RATES = {Architecture.X86_64: RATE}


def _json(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(doc))
    return out


def _step(event: dict[str, Any], backend: FakeBackend) -> dict[str, Any]:
    return _json(run_step(_json(event), backend, lambda: 900_000.0))


def execute(event: dict[str, Any], backend: FakeBackend) -> dict[str, Any]:
    state = _step({"step": "plan", "state": event}, backend)
    state = _step({"step": "prepare", "state": state}, backend)
    while True:
        state["batch"] = [
            _step(
                {
                    "step": "invoke",
                    "work": work,
                    "function": state["function"],
                    "payloads": state["request"]["payloads"],
                    "allowed_errors": state["request"]["allowed_errors"],
                    "timeout_ms": state["timeout_ms"],
                },
                backend,
            )
            for work in state["work"]
        ]
        state = _step({"step": "analyse", "state": state}, backend)
        if state["done"]:
            return _step({"step": "cleanup", "state": state}, backend)


def _request(run_id: str) -> TuningRequest:
    return TuningRequest(
        function="fn",
        memory_sizes=SIZES,
        architectures=(Architecture.X86_64,),
        payloads=(Payload(b"{}"),),
        strategy=StrategySpec(StrategyName.COST),
        allowed_errors=frozenset(),
        scratch_copy=False,
        run_id=run_id,
    )


def _left_behind(backend: FakeBackend) -> tuple[int, list[Any]]:
    return backend.get_configuration("fn").memory_mb, backend.list_versions("fn")


@pytest.mark.parametrize("invocations", [None, 10])
def test_an_execution_measures_as_the_cli_does(invocations: int | None) -> None:
    spec = PolicySpec(seed=7, invocations=invocations)
    rate_for = {Architecture.X86_64: RATE}.__getitem__
    cli_backend, sfn_backend = FakeBackend(), FakeBackend()
    for b in (cli_backend, sfn_backend):
        b.add_function("fn", memory_mb=640)
    policy = build_policy(spec, StrategySpec(), rate_for, timeout_ms=30_000.0)
    cli = run_tuning(_request("clirun"), cli_backend, policy, clock=ManualClock())

    output = execute(execution_input(_request("sfnrun"), spec, RATES), sfn_backend)
    run, replayed = run_from_output(output)

    assert [(r.memory_mb, r.payload_index) for r in run.records] == [
        (r.memory_mb, r.payload_index) for r in cli.records
    ]
    assert [r.sequence for r in run.records] == list(range(len(run.records)))
    assert [e.message for e in replayed.events] == [e.message for e in cli.events]
    assert output["cleanup"] == {"complete": True, "problems": []}
    assert _left_behind(sfn_backend) == (640, [])


def test_a_failed_prepare_undoes_its_own_changes_and_the_clean_up_finds_nothing_left() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=640)
    backend.fail_always[("CreateAlias", "fn", "pt-badrun-1024-x86_64")] = "ServiceException"
    spec = PolicySpec(seed=1, invocations=3)
    state = _step(
        {
            "step": "plan",
            "state": execution_input(_request("badrun"), spec, RATES),
        },
        backend,
    )
    with pytest.raises(BackendError):
        run_step({"step": "prepare", "state": state}, backend, lambda: 900_000.0)
    assert _left_behind(backend) == (640, [])
    # The Catch then runs the clean-up on the state before Prepare (its changes unknown).
    cleaned = clean_up({**state, "error": {"Error": "BackendError"}}, backend, now=0.0)
    assert cleaned["cleanup"]["complete"] is True
    assert _left_behind(backend) == (640, [])


def test_a_function_that_always_fails_ends_the_run_failed() -> None:
    def failing(memory_mb: int, arch: Architecture, payload: bytes, call: int) -> InvokeOutcome:
        return InvokeOutcome(b"{}", 3.0, 3, function_error="Unhandled", error_type="Exception")

    backend = FakeBackend(failing)
    backend.add_function("fn", memory_mb=640)
    spec = PolicySpec(seed=1, invocations=3)
    with pytest.raises(TuningFailed, match="every memory size failed: 1024MB/x86_64: Exception"):
        execute(execution_input(_request("failrun"), spec, RATES), backend)


def _invoke_event(state: dict[str, Any], work: dict[str, Any]) -> dict[str, Any]:
    return {
        "step": "invoke",
        "work": work,
        "function": state["function"],
        "payloads": state["request"]["payloads"],
        "allowed_errors": state["request"]["allowed_errors"],
        "timeout_ms": state["timeout_ms"],
    }


def test_a_size_short_of_time_is_continued_in_the_next_round() -> None:
    backend = FakeBackend(cpu_bound_script())
    backend.add_function("fn", memory_mb=640, timeout_s=1)
    event = execution_input(_request("slowrun"), PolicySpec(seed=2, invocations=4), RATES)
    state = _step(
        {"step": "prepare", "state": _step({"step": "plan", "state": event}, backend)}, backend
    )
    warmed = [_step(_invoke_event(state, w), backend) for w in state["work"]]
    state = _step({"step": "analyse", "state": {**state, "batch": warmed}}, backend)
    first = state["work"][0]
    # 16.5 s left: one invocation of a 1 s function (plus the 15 s reserve), then 0.1 s.
    ticks = iter([16_500.0, 16_500.0, 100.0])
    result = run_step(_invoke_event(state, first), backend, lambda: next(ticks))
    assert result["done"] == 1 and len(result["records"]) == 1
    later = _step({"step": "analyse", "state": {**state, "batch": [result]}}, backend)
    # (the other sizes, absent from this batch, are re-issued whole)
    assert later["work"] == [{**first, "requests": first["requests"][1:]}, *state["work"][1:]]
    assert later["done"] is False


def test_a_state_over_the_step_functions_limit_is_refused_by_the_step() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=640)
    request = _request("bigrun")
    big = TuningRequest(
        **{
            **{f: getattr(request, f) for f in request.__slots__},
            "payloads": (Payload(b"x" * 300_000),),
        }
    )
    event = execution_input(big, PolicySpec(seed=1, invocations=3), RATES)
    with pytest.raises(ConfigError, match="over Step Functions' 256 KiB per state"):
        run_step({"step": "plan", "state": event}, backend, lambda: 900_000.0)


def lifecycle_prepare_without_its_own_undo(state: dict[str, Any], backend: FakeBackend) -> None:
    """Prepare's core work as a killed Lambda leaves it: no `except` of the step runs."""
    ledger = RunLedger.from_dict(state["ledger"])
    Preparation(plan_of(state), backend, ledger, lambda _: None).run(ledger.original)


def test_the_clean_up_after_a_killed_prepare_restores_latest_and_deletes_what_landed() -> None:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=640)
    event = execution_input(_request("killrun"), PolicySpec(seed=1, invocations=3), RATES)
    state = _step({"step": "plan", "state": event}, backend)

    def killed(operation: str) -> None:
        if operation == "CreateAlias" and len(backend.list_versions("fn")) == 2:
            raise SystemExit("killed by Lambda's timeout")  # no except of ours runs

    backend.after_call = killed
    with pytest.raises(SystemExit):
        lifecycle_prepare_without_its_own_undo(state, backend)
    backend.after_call = None
    assert backend.get_configuration("fn").memory_mb == 512  # $LATEST left at a tuned size
    cleaned = clean_up({**state, "error": {"Error": "States.Timeout"}}, backend, now=0.0)
    assert cleaned["cleanup"]["complete"] is True
    assert _left_behind(backend) == (640, [])
