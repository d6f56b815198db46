"""The execution's input from a tuning request, and its output back into the core's `TuningRun`.

The execution's output is the run's final state: the raw records, the ledger
(with nothing pending once the clean-up is complete), the warnings and the
calls to the sampling policy. `run_from_output` turns it into the same
`TuningRun` that `session.run_tuning` returns, and the policy replayed to its
last call, so the result is built by the same code as a CLI run's.
"""

from __future__ import annotations

from powertune.errors import ConfigError
from powertune.stepfunctions.batches import sampler_for
from powertune.stepfunctions.codec import (
    Json,
    PolicySpec,
    config_from_json,
    configuration_from_key,
    policy_to_json,
    rates_to_json,
    record_from_json,
    request_to_json,
)
from powertune.stepfunctions.lifecycle import plan_of
from powertune.tuning.engine import TuningRun
from powertune.tuning.models import Architecture
from powertune.tuning.pricing import PriceRate
from powertune.tuning.request import TuningRequest
from powertune.tuning.sampling import SamplingPolicy


def execution_input(
    request: TuningRequest, policy: PolicySpec, rates: dict[Architecture, PriceRate]
) -> Json:
    """What `StartExecution` gets: everything the steps need, nothing they must look up."""
    missing = set(request.architectures) - set(rates)
    if missing:
        names = ", ".join(sorted(a.value for a in missing))
        raise ConfigError(f"no prices for {names}; pass a --price-table that has them")
    return {
        "request": request_to_json(request),
        "policy": policy_to_json(policy),
        "rates": rates_to_json(rates),
    }


def run_from_output(output: Json) -> tuple[TuningRun, SamplingPolicy]:
    """The `TuningRun` an execution measured, and its sampling policy as it ended."""
    if "records" not in output or "ledger" not in output:
        raise ConfigError(
            "the execution's output is not a powertune run (no records or ledger); was it "
            "started from another state machine?"
        )
    sampler = sampler_for(output)
    original = config_from_json(output["target"])
    plan = plan_of(output)
    run = TuningRun(
        plan=plan,
        function_name=plan.target.name,
        function_arn=original.function_arn,
        region=str(output["region"]),
        original=original,
        records=tuple(record_from_json(r) for r in output["records"]),
        events=tuple(sampler.policy.events),
        backend={**output["backend"], "engine": "stepfunctions"},
        started_at=float(output["started_at"]),
        finished_at=float(output.get("finished_at") or output["started_at"]),
        warnings=tuple(output.get("warnings", ())),
        backend_failures={
            configuration_from_key(k): v for k, v in output["backend_failures"].items()
        },
    )
    return run, sampler.policy
