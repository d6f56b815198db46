"""Which functions make a fleet: every Lambda function that carries all the given tags.

The Resource Groups Tagging API finds the candidates in one paginated call per
100 resources; it is eventually consistent (a function tagged a moment ago, or
deleted, can be missing or still listed), so each candidate's tags are read
again from Lambda itself (ListTags) and a function is kept only if Lambda says
it carries every tag now. Without `tag:GetResources` (AccessDenied) the
discovery falls back to Lambda alone: ListFunctions, then ListTags on each.
A function that is not confirmed is never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from powertune.errors import BackendError, ConfigError

_DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}
_GONE = {"ResourceNotFoundException"}


@dataclass(frozen=True, slots=True)
class TagFilter:
    """One `--tag KEY=VALUE`: the function must carry KEY with exactly VALUE."""

    key: str
    value: str

    @property
    def label(self) -> str:
        return f"{self.key}={self.value}"


def parse_tag(text: str) -> TagFilter:
    """`team=payments` as a TagFilter; a ConfigError naming the bad value otherwise."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(
            f"--tag {text!r} is not KEY=VALUE; write it as --tag team=payments (the value may "
            "be empty: --tag powertune=)"
        )
    if key != key.strip() or len(key) > 128 or len(value) > 256:
        raise ConfigError(
            f"--tag {text!r}: a tag key has no surrounding spaces and at most 128 characters, "
            "a value at most 256 (Lambda's limits)"
        )
    return TagFilter(key, value)


def carries(tags: Mapping[str, str], filters: Iterable[TagFilter]) -> bool:
    """Whether `tags` has every filter's key with its value (pure)."""
    return all(tags.get(f.key) == f.value for f in filters)


@dataclass(frozen=True, slots=True)
class Discovery:
    """The fleet: confirmed function ARNs (sorted by name), and how they were found."""

    arns: tuple[str, ...]
    method: str
    dropped: tuple[str, ...] = ()  # listed by the tagging API but not confirmed by Lambda


def _name(arn: str) -> str:
    return arn.split(":")[6] if arn.count(":") >= 6 else arn


def _from_tagging(tagging: Any, filters: list[TagFilter]) -> list[str]:
    arns: list[str] = []
    pages = tagging.get_paginator("get_resources").paginate(
        TagFilters=[{"Key": f.key, "Values": [f.value]} for f in filters],
        ResourceTypeFilters=["lambda:function"],
    )
    for page in pages:
        arns += [str(r["ResourceARN"]) for r in page.get("ResourceTagMappingList", [])]
    return arns


def _from_lambda(lam: Any) -> list[str]:
    arns: list[str] = []
    for page in lam.get_paginator("list_functions").paginate():
        arns += [str(f["FunctionArn"]) for f in page.get("Functions", [])]
    return arns


def _live_tags(lam: Any, arn: str) -> dict[str, str] | None:
    """The function's tags as Lambda has them now; None when it no longer exists."""
    try:
        return dict(lam.list_tags(Resource=arn).get("Tags", {}))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _GONE:
            return None
        raise


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def tagged_functions(
    tagging: Any,
    lam: Any,
    filters: list[TagFilter],
    *,
    say: Callable[[str], None] = lambda _: None,
) -> Discovery:
    """Every function carrying all of `filters`, confirmed one by one with Lambda."""
    if not filters:
        raise ConfigError(
            "give at least one --tag KEY=VALUE: a fleet is the functions that carry it"
        )
    method = "resourcegroupstaggingapi"
    try:
        candidates = _from_tagging(tagging, filters)
    except ClientError as exc:
        if _code(exc) not in _DENIED:
            raise BackendError("tag:GetResources", _code(exc), str(exc)) from exc
        say("no tag:GetResources permission; listing functions with Lambda instead")
        method = "lambda:ListFunctions"
        candidates = _from_lambda(lam)
    confirmed: list[str] = []
    dropped: list[str] = []
    for arn in sorted(set(candidates), key=_name):
        try:
            tags = _live_tags(lam, arn)
        except ClientError as exc:
            raise BackendError(
                f"lambda:ListTags on {_name(arn)}",
                _code(exc),
                f"{exc}; the fleet needs lambda:ListTags on every function it may tune",
            ) from exc
        if tags is not None and carries(tags, filters):
            confirmed.append(arn)
        elif method == "resourcegroupstaggingapi":
            dropped.append(arn)
    return Discovery(tuple(confirmed), method, tuple(dropped))
