"""`powertune tune FUNCTION --engine stepfunctions`: the same tuning, run as an execution.

The request, prices and policy options are built as for a CLI run, sent as the
execution's input, and the execution is followed to its end. Its output (the
run's records and ledger) becomes the same `TuningRun`, decided and written by
`tune`'s own `finish`, with `stateMachine.executionCost` from the execution's
real state transitions. A FAILED execution has already run its clean-up: its
error is printed with what the clean-up did, and the command exits 1.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from powertune.cli.analysis import RunContext
from powertune.cli.factory import (
    Endpoint,
    build_backend,
    build_policy,
    endpoint_client,
    load_prices,
    rates_in,
    resolve_endpoint,
    resolve_region,
)
from powertune.cli.tune import finish
from powertune.cli.tune_options import TuneOptions
from powertune.clock import SystemClock
from powertune.errors import ConfigError
from powertune.results.model import TuningResult, UpstreamFigures
from powertune.stepfunctions.codec import Json, PolicySpec
from powertune.stepfunctions.deploy import recorded_state_machine
from powertune.stepfunctions.execution import (
    ExecutionFailed,
    Finished,
    error_message,
    execution_cost_usd,
    follow,
    start,
)
from powertune.stepfunctions.run import execution_input, run_from_output
from powertune.storage.journal import FileJournal, default_state_dir
from powertune.tuning.billing import bind_function, require_rates
from powertune.tuning.ledger import RunLedger
from powertune.tuning.plan import parse_function
from powertune.tuning.ports import Backend, FunctionConfig
from powertune.tuning.pricing import PriceTable
from powertune.tuning.request import TuningRequest
from powertune.tuning.session import plan_tuning

err_console = Console(stderr=True)
_CLEANUP_STATE = "CleanUpAfterError"


def _state_machine(o: TuneOptions) -> str:
    if o.state_machine_arn:
        return o.state_machine_arn
    if o.use_local:
        from powertune.localcloud.state import read_live_state

        return recorded_state_machine(Path(read_live_state(o.local_state_dir).state_dir))
    raise ConfigError(
        "--engine stepfunctions needs --state-machine-arn ARN (the output of "
        "'powertune stepfunctions deploy'), or --local for the local cloud's"
    )


class _Progress:
    """Prints each top-level state as the execution enters it."""

    def __init__(self) -> None:
        self._seen = 0

    def __call__(self, events: list[dict[str, Any]]) -> None:
        entered = [
            e["stateEnteredEventDetails"]["name"]
            for e in events
            if str(e["type"]).endswith("StateEntered")
            and e["stateEnteredEventDetails"]["name"] != "InvokeSize"
        ]
        for name in entered[self._seen :]:
            err_console.print(f"step: {name}")
        self._seen = len(entered)


def _cleanup_output(sfn: Any, finished: Finished) -> dict[str, Any] | None:
    """What the clean-up after the error returned (the state with its ledger), if it ran."""
    from powertune.stepfunctions.execution import history

    for event in reversed(history(sfn, finished.execution_arn)):
        details = event.get("stateExitedEventDetails") or {}
        if details.get("name") == _CLEANUP_STATE and "output" in details:
            doc: dict[str, Any] = json.loads(details["output"])
            return doc
    return None


def _keep_ledger(state: dict[str, Any] | None, name: str, run_id: str) -> str:
    """Say what the clean-up did; journal a ledger with changes left, for `powertune cleanup`."""
    if state is None or "ledger" not in state:
        return "the clean-up did not run or nothing had been changed"
    cleanup = state.get("cleanup", {})
    if cleanup.get("complete"):
        return "the clean-up ran: no temporary version or alias is left"
    FileJournal(default_state_dir(), name, run_id).save(RunLedger.from_dict(state["ledger"]))
    return (
        "the clean-up is incomplete (" + "; ".join(cleanup.get("problems", [])) + "); run "
        f"`powertune cleanup {name}` to finish it"
    )


def _costed(figures: UpstreamFigures | None, cost: float) -> UpstreamFigures | None:
    if figures is None:
        return None
    machine = replace(figures.state_machine, execution_cost_usd=cost)
    return replace(figures, state_machine=machine)


def _with_cost(result: TuningResult, cost: float) -> TuningResult:
    """`stateMachine.executionCost`: the execution's own transitions, priced."""
    return replace(
        result,
        figures=_costed(result.figures, cost),
        compat_figures=_costed(result.compat_figures, cost),
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    """One function's execution input, with the prices and configuration it was built from."""

    execution_input: Json
    prices: PriceTable
    config: FunctionConfig


def prepare_execution(
    o: TuneOptions,
    request: TuningRequest,
    backend: Backend,
    region: str,
    table: PriceTable | None = None,
) -> Prepared:
    """The execution's input for `request`: prices bound to the function, a seeded policy.

    Every check a CLI run makes before changing anything (prices, the plan) is made
    here, so a bad request fails before an execution starts.
    """
    target = parse_function(request.function)
    prices = require_rates(
        table or load_prices(o.price_table),
        region,
        request.architectures,
        compat=o.compat is not None,
    )
    config = backend.get_configuration(target.name, target.qualifier)
    prices = bind_function(prices, config)
    rate_for = rates_in(prices, region)
    plan_tuning(request, build_policy(request.strategy, o.sampling(), rate_for))  # fails early
    seed = o.seed if o.seed is not None else secrets.randbelow(2**31)
    spec = PolicySpec(seed, o.invocations, o.tolerance, o.budget_invocations, o.budget_usd)
    rates = {a: rate_for(a) for a in request.architectures}
    return Prepared(execution_input(request, spec, rates), prices, config)


def sfn_client(endpoint: Endpoint, region: str) -> Any:
    return endpoint_client("stepfunctions", endpoint, region)


def write_execution_result(
    o: TuneOptions,
    output: Json,
    execution_arn: str,
    prices: PriceTable,
    endpoint_url: str | None,
    cost_usd: float,
) -> Path:
    """The execution's output as `tune`'s result (and reports), decided by `tune`'s code."""
    run, policy = run_from_output(output)
    run = replace(run, backend={**run.backend, "execution_arn": execution_arn})
    ctx = RunContext(prices, False, endpoint_url)
    return finish(run, ctx, o, policy, adjust=lambda result: _with_cost(result, cost_usd))


def tune_on_stepfunctions(o: TuneOptions, request: TuningRequest) -> None:
    """Run `request` as an execution and write its result as `tune` does."""
    if o.backend_spec != "aws":
        raise ConfigError(f"--engine stepfunctions runs on Lambda; drop --backend {o.backend_spec}")
    target = parse_function(o.function)
    machine = _state_machine(o)
    endpoint = resolve_endpoint(
        use_local=o.use_local,
        local_state_dir=o.local_state_dir,
        endpoint_url=o.endpoint_url,
        region=o.region,
    )
    region = resolve_region(endpoint.region, target.region, endpoint_url=endpoint.endpoint_url)
    backend, _ = build_backend(
        "aws",
        region=region,
        endpoint_url=endpoint.endpoint_url,
        seed=None,
        credentials=endpoint.credentials,
    )
    prepared = prepare_execution(o, request, backend, region)
    sfn = sfn_client(endpoint, region)
    arn = start(sfn, machine, f"pt-{request.run_id}-{target.name}"[:80], prepared.execution_input)
    err_console.print(f"execution {arn}")
    finished = follow(sfn, arn, SystemClock(), _Progress())
    if finished.status != "SUCCEEDED" or finished.output is None:
        said = _keep_ledger(_cleanup_output(sfn, finished), target.name, request.run_id)
        raise ExecutionFailed(
            f"the execution {arn} ended {finished.status}: {error_message(finished)}; {said}"
        )
    _keep_ledger(finished.output, target.name, request.run_id)
    cost = execution_cost_usd(finished.transitions, region)
    write_execution_result(o, finished.output, arn, prepared.prices, endpoint.endpoint_url, cost)
