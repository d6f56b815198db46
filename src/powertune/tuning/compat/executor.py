"""Upstream's Executor: invoke one power value `num` times and compute its statistics.

Mirrors `executor.handler` of AWS Lambda Power Tuning with its AWS calls injected:
the caller supplies the function's architecture (upstream reads it with
GetFunctionConfiguration) and an `invoke(function_arn, qualifier, payload)` callable
returning an Invoke response (`FunctionError`, `Payload`, `LogResult`). Nothing here
does I/O. `statistics_from_samples` is the part our engine reuses on raw records.

Not modelled: `payloadS3` (S3 payloads), pre/post-processors, `sleepBetweenRunsMs`
and waiting for Pending aliases; all are I/O around the statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from powertune.errors import ConfigError
from powertune.tuning.compat.errors import UpstreamError
from powertune.tuning.compat.inputs import parse_discard_top_bottom
from powertune.tuning.compat.jsvalues import (
    UNDEFINED,
    js_json_parse,
    js_json_stringify,
    js_parse_int,
    js_to_string,
    js_truthy,
)
from powertune.tuning.compat.logs import (
    parse_log_and_extract_billed_durations,
    parse_log_and_extract_durations,
)
from powertune.tuning.compat.payloads import build_alias_string, generate_payloads, region_from_arn
from powertune.tuning.compat.prices import (
    MIN_RAM_MB,
    compute_average_duration,
    compute_price,
    compute_total_cost,
    lambda_base_cost,
)

#: (function ARN, qualifier, payload string) -> Lambda Invoke response.
Invoke = Callable[[str, str, object], Mapping[str, object]]


def statistics_from_samples(
    base_cost: float,
    durations_ms: Sequence[float],
    billed_durations_ms: Sequence[float],
    value: int,
    discard_top_bottom: float,
) -> dict[str, object]:
    """Upstream's `computeStatistics` for one power value.

    `durations_ms` are Duration + Init + Restore per invocation; `billed_durations_ms`
    are Billed Duration + Billed Restore Duration. The two trimmed means are
    independent; the price is the ceil of the *average* billed duration; the total
    cost sums every invocation, untrimmed, over the billed durations as sorted by
    the trimmed mean (upstream sorts in place, and float sums depend on order).
    """
    durations = [float(d) for d in durations_ms]
    billed = [float(b) for b in billed_durations_ms]
    average_duration = compute_average_duration(durations, discard_top_bottom)
    average_billed = compute_average_duration(billed, discard_top_bottom)
    return {
        "averagePrice": compute_price(base_cost, MIN_RAM_MB, value, average_billed),
        "averageDuration": average_duration,
        "totalCost": compute_total_cost(base_cost, MIN_RAM_MB, value, billed),
        "value": value,
    }


def _error_payload(response: Mapping[str, object]) -> Mapping[str, object]:
    """The function error's JSON body (`errorType`, `errorMessage`, `stackTrace`)."""
    body = response.get("Payload", "")
    text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    try:
        parsed = js_json_parse(text)
    except ValueError:  # upstream's JSON.parse would throw; report the fields as undefined
        return {}
    return parsed if isinstance(parsed, Mapping) else {}


def _invocation_error(
    details: Mapping[str, object], payload: object, parallel: bool, hide_payload: bool
) -> UpstreamError:
    """`handleLambdaInvocationError`'s message, verbatim."""
    message = f"Invocation error (running in {'parallel' if parallel else 'series'})"
    if not hide_payload:
        message += f" with payload {js_to_string(js_json_stringify(payload))}"
    trace = js_json_stringify(details.get("stackTrace", UNDEFINED))
    message += (
        f' - original error type: "{js_to_string(details.get("errorType", UNDEFINED))}", '
        f'original error message: "{js_to_string(details.get("errorMessage", UNDEFINED))}",'
        f'trace: "{js_to_string(trace)}"'
    )
    return UpstreamError(message)


def executor_handler(event: object, *, architecture: str, invoke: Invoke) -> dict[str, object]:
    """Upstream's `executor.handler(event)`: `{averagePrice, averageDuration, totalCost, value}`.

    Invocations run one after the other even with `parallelInvocation` (the result
    is the same; only the error message names the mode). A function error whose
    `errorType` is in `allowedExceptions` is kept in the statistics, any other one
    raises upstream's message. `discardTopBottom` outside [0, 0.4] is a ConfigError
    (upstream clamps it); with `onlyColdStarts` it is forced to 0, as upstream.
    """
    if not isinstance(event, Mapping) or not isinstance(event.get("input"), Mapping):
        raise ConfigError(  # upstream: TypeError reading 'input' or 'payloadS3'
            "the executor event must be a JSON object with 'value' and an 'input' object"
        )
    state: Mapping[str, object] = event["input"]
    if js_truthy(state.get("payloadS3", UNDEFINED)):
        raise ConfigError(
            "payloadS3 is not supported in compatibility mode: pass the payload inline"
        )
    payload = state["payload"] if js_truthy(state.get("payload", UNDEFINED)) else None
    only_cold_starts = js_truthy(state.get("onlyColdStarts", UNDEFINED))
    discard = parse_discard_top_bottom(state.get("discardTopBottom", UNDEFINED))
    if only_cold_starts:
        discard = 0.0  # every sample is a cold start: upstream trims nothing
    value = js_parse_int(event.get("value", UNDEFINED))
    num = js_parse_int(state.get("num", UNDEFINED))
    lambda_arn = state.get("lambdaARN", UNDEFINED)
    if not js_truthy(lambda_arn):
        raise UpstreamError("Missing or empty lambdaARN")
    if not js_truthy(value):
        raise UpstreamError("Invalid value: " + js_to_string(value))
    if not js_truthy(num):
        raise UpstreamError("Invalid num: " + js_to_string(num))
    # Upstream's first AWS call (GetFunctionConfiguration) builds its client from the
    # ARN's region, so a malformed ARN fails here, before any invocation.
    region = region_from_arn(lambda_arn)
    function_arn = str(lambda_arn)
    if state.get("dryRun", UNDEFINED) is True:
        num = 1.0
    allowed = state.get("allowedExceptions", [])
    if not isinstance(allowed, list):
        raise ConfigError(f"allowedExceptions must be a list of error types, got {allowed!r}")
    results = _invoke_all(
        invoke, function_arn, state, int(value), int(num), payload, only_cold_starts, allowed
    )
    base_cost = lambda_base_cost(region, architecture)
    return statistics_from_samples(
        base_cost,
        parse_log_and_extract_durations(results),
        parse_log_and_extract_billed_durations(results),
        int(value),
        discard,
    )


def _invoke_all(
    invoke: Invoke,
    function_arn: str,
    state: Mapping[str, object],
    value: int,
    num: int,
    payload: object,
    only_cold_starts: bool,
    allowed: list[object],
) -> list[Mapping[str, object]]:
    """Upstream's invocation loop: the responses, or upstream's error at the first bad one."""
    parallel = js_truthy(state.get("parallelInvocation", UNDEFINED))
    hide_payload = js_truthy(state.get("disablePayloadLogs", UNDEFINED))
    base_alias = "RAM" + js_to_string(value)
    payloads = generate_payloads(num, payload)
    results = []
    for index in range(num):
        qualifier = build_alias_string(base_alias, only_cold_starts, index)
        response = invoke(function_arn, qualifier, payloads[index])
        if js_truthy(response.get("FunctionError", UNDEFINED)):
            details = _error_payload(response)
            if details.get("errorType", UNDEFINED) not in allowed:
                raise _invocation_error(details, payloads[index], parallel, hide_payload)
        results.append(response)
    return results
