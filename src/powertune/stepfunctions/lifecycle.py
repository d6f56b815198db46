"""The steps around the measurement: plan, prepare (publish + alias), clean up.

Each takes the execution's state (JSON) and a Backend and returns the next state;
the changes go through the core's `Preparation`, `RunLedger` and `undo`, exactly
as in `Tuner.run`. The ledger travels in the state (`RunLedger.to_dict`). A step
that fails after changing something undoes its own changes before it raises (its
in-memory ledger is complete, the one in the state is not), as `Tuner.run` does in
its `finally`; the state machine's Catch then runs `clean_up` on the state as it
was before the step, which also covers a step killed by Lambda's timeout.
"""

from __future__ import annotations

from collections.abc import Callable

from powertune.errors import ConfigError
from powertune.stepfunctions.codec import (
    Json,
    config_from_json,
    config_to_json,
    configuration_key,
    policy_from_json,
    rates_from_json,
    request_from_json,
)
from powertune.stepfunctions.policy import build_policy
from powertune.tuning.ledger import (
    RunLedger,
    alias_created,
    function_created,
    latest_updated,
    version_published,
)
from powertune.tuning.plan import TuningPlan
from powertune.tuning.ports import Backend, FunctionConfig
from powertune.tuning.preparation import Preparation, check_target
from powertune.tuning.session import plan_tuning
from powertune.tuning.undo import Problem, ProblemKind, restore_latest, undo

TimeLeft = Callable[[], float]
#: time kept back in every step beyond one invocation of the target (Lambda's own overhead)
RESERVE_MS = 15_000.0


def plan_of(state: Json) -> TuningPlan:
    """The run's frozen plan, rebuilt from the request in the state (pure, cheap)."""
    request = request_from_json(state["request"])
    rates = rates_from_json(state["rates"])
    policy = build_policy(
        policy_from_json(state["policy"]), request.strategy, rates.__getitem__, timeout_ms=None
    )
    return plan_tuning(request, policy)


def plan(event: Json, backend: Backend, *, now: float, time_left_ms: TimeLeft) -> Json:
    """Validate the request, read the target, open the ledger: nothing is changed yet."""
    state = dict(event)
    tuning_plan = plan_of(state)
    latest, source = check_target(tuning_plan, backend)
    timeout_ms = source.timeout_s * 1000.0
    if timeout_ms + RESERVE_MS > time_left_ms():
        raise ConfigError(
            f"{latest.function_name} may run {source.timeout_s} s per invocation, longer than "
            f"a handler step can wait ({time_left_ms() / 1000:.0f} s left of its timeout); "
            "tune it with `powertune tune` (the CLI engine), or lower its timeout"
        )
    ledger = RunLedger(latest, tuning_plan.run_id)
    state.update(
        phase="planned",
        target=config_to_json(latest),
        source=config_to_json(source),
        function=latest.function_name,
        timeout_ms=timeout_ms,
        ledger=ledger.to_dict(),
        region=backend.region,
        backend=backend.describe(),
        started_at=now,
        warnings=[],
        records=[],
        calls=[],
        failed=[],
        backend_failures={},
        done=False,
    )
    return state


def prepare(state: Json, backend: Backend) -> Json:
    """Publish one version per configuration behind its alias, then restore `$LATEST`."""
    tuning_plan = plan_of(state)
    ledger = RunLedger.from_dict(state["ledger"])
    warnings: list[str] = list(state["warnings"])
    try:
        start = _start(tuning_plan, ledger, backend, config_from_json(state["source"]))
        aliases = Preparation(tuning_plan, backend, ledger, warnings.append).run(start)
        if not tuning_plan.scratch_copy:
            _report([restore_latest(ledger, backend, start.function_name)], warnings)
    except BaseException:
        undo(ledger, backend)
        raise
    labels = [configuration_key(c) for c in tuning_plan.configurations]
    by_label = {configuration_key(c): a for c, a in aliases.items()}
    return {
        **state,
        "phase": "prepared",
        "function": start.function_name,
        "ledger": ledger.to_dict(),
        "warnings": warnings,
        "aliases": by_label,
        # one warm-up per configuration, payload 0, as `Measurement.run` starts
        "work": [
            {"configuration": label, "alias": by_label[label], "requests": [0]} for label in labels
        ],
        "order": labels,
    }


def _start(
    tuning_plan: TuningPlan, ledger: RunLedger, backend: Backend, source: FunctionConfig
) -> FunctionConfig:
    """The function to publish on: the target's `$LATEST`, or a new scratch copy."""
    if not tuning_plan.scratch_copy:
        return ledger.original
    entry = ledger.record(function_created(tuning_plan.scratch_name()))
    copy = backend.create_scratch_copy(source, tuning_plan.scratch_name())
    ledger.done(entry)
    return copy


def _fallback_ledger(state: Json, backend: Backend) -> RunLedger:
    """The ledger to undo when `prepare` never returned (e.g. killed by Lambda's timeout).

    Its changes were not carried out of the step, so every change it may have made is
    added as INTENDED: undo then finds out what landed (a missing alias is no error,
    versions are found by the run's description prefix). For `$LATEST`, the attempt
    recorded is the plan's size it now has with the original code, if any: that is
    the step's own update (undo restores it), anything else someone else's (left alone).
    """
    ledger = RunLedger.from_dict(state["ledger"])
    if state.get("phase") != "planned":
        return ledger
    tuning_plan = plan_of(state)
    original = ledger.original
    target = original.function_name
    if tuning_plan.scratch_copy:
        ledger.record(function_created(tuning_plan.scratch_name()))
        return ledger
    now = backend.get_configuration(target)
    attempted = next(
        (
            c
            for c in tuning_plan.configurations
            if (c.memory_mb, c.architecture, original.code_sha256)
            == (now.memory_mb, now.architecture, now.code_sha256)
        ),
        tuning_plan.configurations[0],
    )
    ledger.record(
        latest_updated(original, attempted.memory_mb, attempted.architecture, original.revision_id)
    )
    for configuration in tuning_plan.configurations:
        ledger.record(version_published(target, tuning_plan.version_description(configuration)))
        ledger.record(alias_created(target, tuning_plan.alias_for(configuration), ""))
    return ledger


def clean_up(state: Json, backend: Backend, *, now: float) -> Json:
    """Undo every pending change of the run (the same `undo` as the CLI); return the run.

    After an error (`state["error"]`, put there by the state machine's Catch) the
    state is returned too, with what was undone: the Fail state that follows ends
    the execution FAILED with the original error.
    """
    if "ledger" not in state:  # failed before the target was read: nothing was changed
        return {**state, "cleanup": {"complete": True, "problems": []}}
    ledger = _fallback_ledger(state, backend)
    problems = undo(ledger, backend)
    warnings: list[str] = list(state.get("warnings", []))
    _report(problems, warnings)
    outstanding = [p.message for p in problems if p.outstanding]
    return {
        **state,
        "ledger": ledger.to_dict(),
        "warnings": warnings,
        "finished_at": now,
        "cleanup": {"complete": not outstanding, "problems": outstanding},
        "work": [],
    }


def _report(problems: list[Problem | None] | list[Problem], warnings: list[str]) -> None:
    """As `Tuner._report`: someone else's change left alone, or clean-up to finish."""
    failed: list[Problem] = []
    for problem in problems:
        if problem is None:
            continue
        if problem.kind is ProblemKind.LEFT_ALONE:
            warnings.append(problem.message)
        else:
            failed.append(problem)
    if failed:
        warnings.append(
            "clean-up incomplete; run `powertune cleanup` on the function to finish: "
            + "; ".join(p.message for p in failed)
        )
