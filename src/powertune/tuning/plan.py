"""Plan a tuning run before anything is called: targets, sizes, payloads, bounds.

Pure. `build_plan` validates every user value (memory range 128–10,240 MB,
duplicates, function names and ARNs) and returns a frozen `TuningPlan` that
`--dry-run` prints and the engine executes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from powertune.errors import ConfigError
from powertune.tuning.models import (
    MAX_MEMORY_MB,
    MIN_MEMORY_MB,
    Architecture,
    Configuration,
    Payload,
    StrategySpec,
)

# Function name, partial ARN or full ARN, optionally qualified, as Lambda accepts them
# (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax).
_NAME = r"[a-zA-Z0-9-_]{1,64}"
_QUALIFIER = r"\$LATEST|[0-9]+|(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}"
_ARN = re.compile(
    rf"^arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z]{{2}}(?:-gov)?-[a-z]+-\d):"
    rf"(?P<account>\d{{12}}):function:(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?$"
)
_PLAIN = re.compile(rf"^(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?$")
_RANGE = re.compile(r"^(\d+)\.\.(\d+):(\d+)$")

DEFAULT_MEMORY_SIZES = (128, 256, 512, 1024, 1536, 1769, 3008)


def version_description_prefix(run_id: str) -> str:
    """How every version a run publishes is described; `undo` finds unrecorded ones by it."""
    return f"powertune run {run_id} "


@dataclass(frozen=True, slots=True)
class FunctionTarget:
    """The function to tune: a name, with the region and qualifier an ARN may carry."""

    name: str
    qualifier: str | None = None
    region: str | None = None
    account_id: str | None = None


def parse_function(value: str) -> FunctionTarget:
    """Accept a function name, `name:qualifier`, a full ARN or a qualified ARN."""
    m = _ARN.match(value)
    if m:
        return FunctionTarget(m["name"], m["qualifier"], m["region"], m["account"])
    m = _PLAIN.match(value)
    if m:
        return FunctionTarget(m["name"], m["qualifier"])
    raise ConfigError(
        f"{value!r} is not a Lambda function name or ARN; use a name like 'my-function' "
        "(letters, digits, - and _, at most 64), 'my-function:alias', or "
        "'arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]'"
    )


def validate_memory(memory_mb: int) -> int:
    """Lambda accepts 128–10,240 MB in 1 MB steps."""
    if not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
        raise ConfigError(
            f"memory size {memory_mb} MB is outside Lambda's range; use {MIN_MEMORY_MB}–"
            f"{MAX_MEMORY_MB} MB (accounts limited to 3,008 MB need a quota increase above that)"
        )
    return memory_mb


def parse_memory_sizes(spec: str) -> tuple[int, ...]:
    """Parse `128,256,512`, `128..3008:128` (inclusive of its end) or a mix of both.

    Raises:
        ConfigError: a non-integer, an out-of-range size, a bad range or a duplicate.
    """
    sizes: list[int] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            raise ConfigError(f"empty memory size in {spec!r}; write e.g. 128,256,512")
        m = _RANGE.match(part)
        if m:
            start, end, step = (int(g) for g in m.groups())
            if step <= 0 or end < start:
                raise ConfigError(
                    f"bad memory range {part!r}; write START..END:STEP with END >= START, STEP > 0"
                )
            values = list(range(start, end + 1, step))
            if values[-1] != end:
                values.append(end)
            sizes.extend(validate_memory(v) for v in values)
            continue
        if not part.isdigit():
            raise ConfigError(
                f"memory size {part!r} is not a whole number of MB; write e.g. 128,256 "
                "or 128..3008:128"
            )
        sizes.append(validate_memory(int(part)))
    seen: set[int] = set()
    for s in sizes:
        if s in seen:
            raise ConfigError(
                f"memory size {s} MB is listed twice in {spec!r}; list each size once"
            )
        seen.add(s)
    return tuple(sizes)


def parse_architectures(spec: str) -> tuple[Architecture, ...]:
    """Parse `x86_64`, `arm64` or `x86_64,arm64`."""
    out: list[Architecture] = []
    for part in (p.strip() for p in spec.split(",")):
        try:
            arch = Architecture(part)
        except ValueError:
            raise ConfigError(f"unknown architecture {part!r}; use x86_64, arm64 or both") from None
        if arch in out:
            raise ConfigError(f"architecture {part} is listed twice")
        out.append(arch)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TuningPlan:
    """Everything a run will do, decided before any call."""

    target: FunctionTarget
    configurations: tuple[Configuration, ...]
    payloads: tuple[Payload, ...]
    strategy: StrategySpec
    sampling: str
    max_invocations: int
    scratch_copy: bool
    run_id: str
    seed: int | None
    allowed_errors: frozenset[str]

    def alias_for(self, configuration: Configuration) -> str:
        """Temporary alias name: run-id prefix, so a cleanup can find it (never all digits)."""
        return f"pt-{self.run_id}-{configuration.memory_mb}-{configuration.architecture.value}"

    def version_description(self, configuration: Configuration) -> str:
        """Description of the version published for `configuration`."""
        return version_description_prefix(self.run_id) + configuration.label

    def scratch_name(self) -> str:
        return f"{self.target.name[:45]}-pt-{self.run_id}"[:64]

    def cost_upper_bound_usd(
        self, timeout_s: int, usd_per_gb_second: float, usd_per_request: float
    ) -> float:
        """Worst case: every invocation runs to the timeout at its size (plus one warm-up each)."""
        per_config = self.max_invocations / max(1, len(self.configurations)) + 1
        total = 0.0
        for c in self.configurations:
            per_invocation = timeout_s * (c.memory_mb / 1024) * usd_per_gb_second + usd_per_request
            total += math.ceil(per_config) * per_invocation
        return total


def build_plan(
    *,
    function: str,
    memory_sizes: Sequence[int],
    architectures: Sequence[Architecture],
    payloads: Sequence[Payload],
    strategy: StrategySpec,
    sampling: str,
    max_invocations: int,
    scratch_copy: bool,
    run_id: str,
    seed: int | None,
    allowed_errors: Sequence[str] = (),
) -> TuningPlan:
    """Validate and freeze a run's plan."""
    target = parse_function(function)
    if not memory_sizes:
        raise ConfigError(
            "no memory sizes to try; pass --memory 128,256,512 or a range 128..3008:128"
        )
    if not payloads:
        raise ConfigError("no payload; pass --payload JSON, --payload @file.json or --payload-http")
    if not re.fullmatch(r"[a-z0-9]{4,12}", run_id):
        raise ConfigError(f"run id {run_id!r} must be 4-12 lowercase letters or digits")
    configurations = tuple(
        Configuration(validate_memory(m), a) for a in architectures for m in memory_sizes
    )
    return TuningPlan(
        target=target,
        configurations=configurations,
        payloads=tuple(payloads),
        strategy=strategy,
        sampling=sampling,
        max_invocations=max_invocations,
        scratch_copy=scratch_copy,
        run_id=run_id,
        seed=seed,
        allowed_errors=frozenset(allowed_errors),
    )
