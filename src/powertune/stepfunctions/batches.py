"""The measurement as a loop of batches: invoke one size's share of a batch, then analyse.

`invoke_size` runs in each iteration of the state machine's Map (one per size,
under its MaxConcurrency): it invokes the size's alias for the requests it was
given, as `Measurement` does (the core's `to_record`; a size whose invocation
fails is marked failed and stops), and returns early when its time is up, so a
step stays well under Lambda's 15 minutes whatever the batch size. `analyse`
merges the Map's results into the records in the policy's order, re-issues
what a size had no time for, and otherwise asks the policy (rebuilt by replay,
`policy.py`) for the next batch; an empty batch ends the loop. Pure.
"""

from __future__ import annotations

import base64
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from powertune.errors import BackendError, TuningFailed
from powertune.stepfunctions.codec import (
    Json,
    configuration_from_key,
    configuration_key,
    policy_from_json,
    rates_from_json,
    record_from_json,
    record_to_json,
    request_from_json,
)
from powertune.stepfunctions.lifecycle import RESERVE_MS, TimeLeft
from powertune.stepfunctions.policy import Call, Sampler, build_policy
from powertune.tuning.measurement import to_record
from powertune.tuning.models import Configuration, InvocationRecord
from powertune.tuning.ports import Backend
from powertune.tuning.sampling import InvocationRequest

#: a Map iteration stops starting invocations after this long (Lambda allows 15 minutes)
BATCH_BUDGET_MS = 300_000.0


def invoke_size(item: Json, backend: Backend, *, time_left_ms: TimeLeft) -> Json:
    """Invoke one size's requests of a batch; stop at its first failure or when time is up."""
    work = item["work"]
    configuration = configuration_from_key(work["configuration"])
    payloads = [base64.b64decode(p["body"]) for p in item["payloads"]]
    allowed = frozenset(item["allowed_errors"])
    timeout_ms = float(item["timeout_ms"])
    began = time_left_ms()
    rows: list[list[Any]] = []
    failure: str | None = None
    for payload_index in work["requests"]:
        left = time_left_ms()
        if rows and (left < timeout_ms + RESERVE_MS or began - left > BATCH_BUDGET_MS):
            break  # the rest is re-issued by `analyse` in the next iteration of the loop
        try:
            outcome = backend.invoke(item["function"], work["alias"], payloads[payload_index])
        except BackendError as exc:
            failure = str(exc)
            break
        record = to_record(configuration, payload_index, outcome, 0)
        rows.append(record_to_json(record))
        if record.error_type is not None and record.error_type not in allowed:
            break
    return {
        "configuration": work["configuration"],
        "records": rows,
        "done": len(rows) + (failure is not None),
        "backend_failure": failure,
        # what the backend learnt from invoking (e.g. the local cloud's CPU control)
        "backend": backend.describe(),
    }


def _merge(state: Json) -> tuple[list[InvocationRecord], set[str], dict[str, str], list[str]]:
    """Records (in the batch's order), failed sizes, backend failures, and unrun positions."""
    request = request_from_json(state["request"])
    records = [record_from_json(r) for r in state["records"]]
    failed: set[str] = set(state["failed"])
    backend_failures: dict[str, str] = dict(state["backend_failures"])
    results = {r["configuration"]: r for r in state.get("batch", [])}
    queues = {label: deque(r["records"]) for label, r in results.items()}
    ran: dict[str, int] = defaultdict(int)
    unrun: list[str] = []
    for label in state["order"]:
        result = results.get(label)
        if result is None or label in failed or ran[label] >= result["done"]:
            if label not in failed:
                unrun.append(label)
            continue
        ran[label] += 1
        queue = queues[label]
        if not queue:  # the invocation itself failed (a BackendError)
            failed.add(label)
            backend_failures[label] = result["backend_failure"]
            continue
        record = replace(record_from_json(queue.popleft()), sequence=len(records))
        records.append(record)
        if record.error_type is not None and record.error_type not in request.allowed_errors:
            failed.add(label)
    return records, failed, backend_failures, [u for u in unrun if u not in failed]


def _work(
    batch: Sequence[InvocationRequest], aliases: dict[str, str]
) -> tuple[list[Json], list[str]]:
    """The Map's items (one per size, requests in the batch's order) and the batch's order."""
    grouped: dict[str, list[int]] = {}
    order: list[str] = []
    for r in batch:
        label = configuration_key(r.configuration)
        grouped.setdefault(label, []).append(r.payload_index)
        order.append(label)
    items = [
        {"configuration": label, "alias": aliases[label], "requests": requests}
        for label, requests in grouped.items()
    ]
    return items, order


def _leftovers(state: Json, unrun: list[str]) -> list[Json]:
    """What each size had no time for: its requests after the ones it ran, same order."""
    counts: dict[str, int] = defaultdict(int)
    for label in unrun:
        counts[label] += 1
    items = []
    for work in state["work"]:
        n = counts.get(work["configuration"], 0)
        if n:
            items.append({**work, "requests": work["requests"][-n:]})
    return items


def sampler_for(state: Json) -> Sampler:
    """The run's policy, replayed to the state's last call (also what the CLI reports from)."""
    request = request_from_json(state["request"])
    rates = rates_from_json(state["rates"])
    policy = build_policy(
        policy_from_json(state["policy"]),
        request.strategy,
        rates.__getitem__,
        timeout_ms=state.get("timeout_ms"),
    )
    configurations = tuple(
        Configuration(m, a) for a in request.architectures for m in request.memory_sizes
    )
    sampler = Sampler(policy, configurations, tuple(p.weight for p in request.payloads))
    records = [record_from_json(r) for r in state["records"]]
    sampler.replay(calls_of(state), records)
    return sampler


def calls_of(state: Json) -> list[Call]:
    return [
        Call(c["records"], tuple(configuration_from_key(f) for f in c["failed"]))
        for c in state["calls"]
    ]


def _every_size_failed(records: list[InvocationRecord], backend_failures: dict[str, str]) -> None:
    """End the execution FAILED (after its clean-up) rather than SUCCEEDED with nothing."""
    why = dict(backend_failures)
    for r in records:
        if r.error_type is not None:
            why.setdefault(
                configuration_key(Configuration(r.memory_mb, r.architecture)), r.error_type
            )
    raise TuningFailed(
        "every memory size failed: " + "; ".join(f"{k}: {v}" for k, v in sorted(why.items()))
    )


def analyse(state: Json) -> Json:
    """Merge the last batch; return the state with the next batch's work, or `done`."""
    records, failed, backend_failures, unrun = _merge(state)
    backend = dict(state["backend"])
    for result in state.get("batch", []):
        backend.update(result.get("backend", {}))
    merged = {
        **state,
        "backend": backend,
        "records": [record_to_json(r) for r in records],
        "failed": sorted(failed),
        "backend_failures": backend_failures,
        "batch": [],
    }
    if unrun:
        return {**merged, "work": _leftovers(state, unrun), "order": unrun}
    sampler = sampler_for(merged)
    failed_now = tuple(configuration_from_key(f) for f in sorted(failed))
    batch = sampler.next_batch(records, failed_now)
    call = {"records": len(records), "failed": sorted(failed)}
    work, order = _work(batch, merged["aliases"])
    if not work and len(failed) == len(sampler.configurations):
        _every_size_failed(records, backend_failures)
    return {
        **merged,
        "calls": [*state["calls"], call],
        "work": work,
        "order": order,
        "done": not work,
    }
