"""Function references as Lambda accepts them (pure): name, partial ARN or ARN, maybe qualified."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FunctionRef:
    """A parsed FunctionName parameter."""

    name: str
    qualifier: str | None = None
    region: str | None = None  # only when given as a full ARN


def parse_function_ref(ref: str) -> FunctionRef:
    """Split `name`, `name:qualifier`, `account:function:name[:q]` or a full ARN.

    Lambda accepts all of these for FunctionName (API reference, Invoke "FunctionName").
    """
    parts = ref.split(":")
    if parts[0] == "arn" and len(parts) >= 7:
        # arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
        return FunctionRef(parts[6], parts[7] if len(parts) > 7 else None, parts[3])
    if len(parts) >= 3 and parts[1] == "function":
        return FunctionRef(parts[2], parts[3] if len(parts) > 3 else None)
    if len(parts) == 2:
        return FunctionRef(parts[0], parts[1])
    return FunctionRef(ref)
