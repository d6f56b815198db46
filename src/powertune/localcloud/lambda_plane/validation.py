"""Checks on Lambda control-plane requests before moto sees them (pure).

The local cloud runs python3.x zip functions on the host's x86_64 CPU. Anything else is
refused at create/update time with an AWS-style error, so no result ever carries x86
python timings under another runtime's or architecture's label.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping

from powertune.lambda_model import MAX_MEMORY_MB, MIN_MEMORY_MB
from powertune.localcloud.aws_errors import AwsError, invalid_parameter

MIN_TIMEOUT_S = 1
MAX_TIMEOUT_S = 900

_ONLY_PYTHON = "The local cloud runs only python3.x zip functions on x86_64"


def _validation_error(value: object, member: str, constraint: str) -> AwsError:
    # The exact text Lambda's request validation returns, e.g. for MemorySize=64:
    # "1 validation error detected: Value '64' at 'memorySize' failed to satisfy
    # constraint: Member must have value greater than or equal to 128".
    return AwsError(
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}",
        400,
    )


def _check_range(body: Mapping[str, object], key: str, member: str, low: int, high: int) -> None:
    if key not in body:
        return
    value = body[key]
    if not isinstance(value, int) or isinstance(value, bool):
        return  # botocore validates types; moto answers anything else
    if value < low:
        raise _validation_error(
            value, member, f"Member must have value greater than or equal to {low}"
        )
    if value > high:
        raise _validation_error(
            value, member, f"Member must have value less than or equal to {high}"
        )


def _check_runtime(body: Mapping[str, object]) -> None:
    if body.get("PackageType") == "Image" or "ImageUri" in body:
        raise invalid_parameter(
            f"{_ONLY_PYTHON}; container images (PackageType Image) are not supported. Deploy "
            "the function as a zip with a python3.x runtime, or tune it on AWS."
        )
    runtime = body.get("Runtime")
    if runtime is not None and not str(runtime).startswith("python3."):
        raise invalid_parameter(
            f"{_ONLY_PYTHON}; runtime {runtime!r} is not supported. Use a python3.x runtime, "
            "or tune this function on AWS."
        )
    architectures = body.get("Architectures")
    if isinstance(architectures, list) and any(a != "x86_64" for a in architectures):
        raise invalid_parameter(
            f"{_ONLY_PYTHON}; architecture {architectures!r} is not supported on this "
            f"{platform.machine()} host (its timings would be x86 timings under another "
            "label). Use Architectures ['x86_64'], or tune arm64 functions on AWS."
        )


def validate_create(body: Mapping[str, object]) -> None:
    """CreateFunction: runtime, package type, architecture, memory and timeout."""
    _check_runtime(body)
    _check_range(body, "MemorySize", "memorySize", MIN_MEMORY_MB, MAX_MEMORY_MB)
    _check_range(body, "Timeout", "timeout", MIN_TIMEOUT_S, MAX_TIMEOUT_S)


def validate_update_configuration(body: Mapping[str, object]) -> None:
    """UpdateFunctionConfiguration: the same limits on the fields it may change."""
    validate_create(body)


def validate_update_code(body: Mapping[str, object]) -> None:
    """UpdateFunctionCode: no images, no arm64."""
    _check_runtime(body)
