"""Frozen data that crosses module boundaries: invocation records, plans, results.

Units are in the names (`duration_ms`, `memory_mb`, `usd`). Raw AWS dicts stop
at the backend adapters; only these types come out of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# Lambda's limits live in lambda_model; re-exported for the plan's validation.
from powertune.lambda_model import MAX_MEMORY_MB as MAX_MEMORY_MB
from powertune.lambda_model import MIN_MEMORY_MB as MIN_MEMORY_MB


class Architecture(StrEnum):
    """Lambda instruction-set architectures."""

    X86_64 = "x86_64"
    ARM64 = "arm64"


class StrategyName(StrEnum):
    """How the recommendation is chosen."""

    COST = "cost"
    SPEED = "speed"
    BALANCED = "balanced"
    #: cheapest size whose p90/p99 duration is within a latency budget
    LATENCY_BUDGET = "latency-budget"
    #: fastest size whose mean cost per invocation is within a cost budget
    COST_BUDGET = "cost-budget"


#: Lambda's own error types the engine records (docs/tuning.md, "Failed sizes", lists them).
SANDBOX_TIMEDOUT = "Sandbox.Timedout"
RUNTIME_OUT_OF_MEMORY = "Runtime.OutOfMemory"
RUNTIME_EXIT_ERROR = "Runtime.ExitError"


@dataclass(frozen=True, slots=True)
class InvocationRecord:
    """One invocation as measured: the raw sample every statistic is computed from.

    `error_type` is Lambda's own (`Sandbox.Timedout`, `Runtime.OutOfMemory`,
    `Runtime.ExitError`, or the handler's `errorType`), None on success.
    `init_duration_ms` / `restore_duration_ms` are set only on a cold start;
    `billed_restore_duration_ms` is the REPORT line's Billed Restore Duration (SnapStart).
    """

    memory_mb: int
    architecture: Architecture
    payload_index: int
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None = None
    restore_duration_ms: float | None = None
    max_memory_used_mb: int | None = None
    error_type: str | None = None
    sequence: int = 0
    billed_restore_duration_ms: int | None = None

    @property
    def cold_start(self) -> bool:
        """True when the invocation paid for a new execution environment."""
        return self.init_duration_ms is not None or self.restore_duration_ms is not None

    @property
    def failed(self) -> bool:
        return self.error_type is not None


@dataclass(frozen=True, slots=True)
class Configuration:
    """One point of the search space: a memory size on an architecture."""

    memory_mb: int
    architecture: Architecture = Architecture.X86_64

    @property
    def label(self) -> str:
        return f"{self.memory_mb}MB/{self.architecture.value}"


@dataclass(frozen=True, slots=True)
class Payload:
    """One request body, with its relative weight in a weighted set."""

    body: bytes
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """A strategy and its parameters, validated by `strategies.parse_strategy`."""

    name: StrategyName = StrategyName.COST
    balanced_weight: float = 0.5
    latency_budget_ms: float | None = None
    latency_percentile: int = 90
    cost_budget_usd: float | None = None


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """A two-sided interval at `level` (e.g. 0.95)."""

    low: float
    high: float
    level: float


@dataclass(frozen=True, slots=True)
class ConfigurationStats:
    """Statistics of one configuration's *warm, successful* invocations.

    Costs are USD per invocation, request charge included.
    """

    configuration: Configuration
    samples: int
    cold_samples: int
    failed_samples: int
    mean_duration_ms: float
    stdev_duration_ms: float
    mean_billed_duration_ms: float
    p50_duration_ms: float
    p90_duration_ms: float | None
    p99_duration_ms: float | None
    duration_ci: ConfidenceInterval
    mean_cost_usd: float
    cost_ci: ConfidenceInterval
    mean_init_duration_ms: float | None
    max_memory_used_mb: int | None
    failure: str | None = None
    #: sample standard deviation of the per-invocation cost (NaN with fewer than 2 samples)
    stdev_cost_usd: float = float("nan")

    @property
    def failed(self) -> bool:
        return self.failure is not None


@dataclass(frozen=True, slots=True)
class ColdStartStats:
    """What a cold start costs at one configuration."""

    configuration: Configuration
    samples: int
    mean_init_duration_ms: float
    mean_total_duration_ms: float
    mean_cost_usd: float
    init_billed: bool


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The chosen configuration and why it won."""

    configuration: Configuration
    strategy: StrategySpec
    reasons: tuple[str, ...]
    tied_with: tuple[Configuration, ...] = ()
    #: False when the budget could not separate the leaders: `configuration` is then the
    #: default among them (the cheaper, then the smaller) and `tied_with` the rest
    settled: bool = True
    #: roughly how many more invocations would settle it (None when settled or unknown)
    more_invocations: int | None = None


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything decided from a set of invocation records."""

    stats: tuple[ConfigurationStats, ...]
    cold_starts: tuple[ColdStartStats, ...]
    recommendation: Recommendation | None
    failed: tuple[ConfigurationStats, ...] = field(default=())
