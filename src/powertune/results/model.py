"""The typed tuning result: what one run measured and decided, as frozen data.

A `TuningResult` mirrors the result file (docs/result-format.md) key for key, so
`json_form.to_json` can write it and `reader.parse_result` can read it back
without loss. It is built once (`build.build_result`) from the raw records and
their analysis; renderers (`powertune.reports`) and later commands read it.
Its own types are kept apart from the core's statistics so that reworking the
statistics cannot change the file format by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from powertune.tuning.models import Architecture, Configuration, InvocationRecord, StrategySpec
from powertune.tuning.recommend import PolicySummary

SCHEMA_VERSION = "1.1"


@dataclass(frozen=True, slots=True)
class PowerStat:
    """One entry of the top-level `stats` list (AWS Lambda Power Tuning's shape)."""

    #: the memory size; upstream's analyzer may report it as text
    value: int | str
    average_price_usd: float
    average_duration_ms: float


@dataclass(frozen=True, slots=True)
class StateMachineCost:
    """The top-level `stateMachine` block: what the run cost and its chart's URL."""

    execution_cost_usd: float
    lambda_cost_usd: float
    visualization_url: str | None


@dataclass(frozen=True, slots=True)
class UpstreamFigures:
    """The top-level keys scripts written for AWS Lambda Power Tuning read.

    Ours (winner's warm means) or, in compat mode, upstream's exact numbers.
    """

    power_mb: int | None
    cost_usd: float | None
    duration_ms: float | None
    state_machine: StateMachineCost
    stats: tuple[PowerStat, ...]


@dataclass(frozen=True, slots=True)
class PriceTableProvenance:
    """Where the prices used for the costs came from."""

    source: str
    source_snapshot_date: str | None
    copied_on: str | None
    init_billed: bool
    #: 1.1: the unit of every cost in the result (CNY in China), whatever the keys say
    currency: str = "USD"
    #: 1.1: the function's /tmp size and whether its SnapStart restores are billed
    ephemeral_storage_mb: int = 512
    snapstart_restore_charged: bool = False
    #: 1.1: the region whose prices were used (None: a table without per-region sources)
    region: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionSettings:
    """How the recommendation was chosen (replaced when `analyze` re-decides)."""

    strategy: StrategySpec
    allowed_errors: tuple[str, ...]
    compat: str | None
    price_table: PriceTableProvenance
    #: what the recommendation needs beyond the records (`settings.decision`), so that
    #: `analyze` reproduces `tune`; None in files written before it was kept
    policy: PolicySummary | None = None


@dataclass(frozen=True, slots=True)
class RunSettings:
    """How the run measured (absent from a file that holds only records)."""

    memory_sizes: tuple[int, ...]
    architectures: tuple[Architecture, ...]
    sampling: str
    seed: int | None
    payloads: int
    scratch_copy: bool
    run_id: str
    original_memory_mb: int
    #: the backend's description: kind, endpoint, CPU control, ...
    backend: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Settings:
    """The `settings` block."""

    decision: DecisionSettings | None
    run: RunSettings | None = None
    #: the file a re-decision (`powertune analyze`) was made from
    reanalyzed_from: str | None = None
    #: keys this version does not know, kept as read so no information is lost
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SizeStatistics:
    """Statistics of one configuration's warm, successful invocations (`statistics[]`)."""

    memory_mb: int
    architecture: Architecture
    warm_samples: int
    mean_duration_ms: float | None
    mean_cost_usd: float | None
    failure: str | None
    cold_samples: int = 0
    failed_samples: int = 0
    stdev_duration_ms: float | None = None
    mean_billed_duration_ms: float | None = None
    p50_duration_ms: float | None = None
    p90_duration_ms: float | None = None
    p99_duration_ms: float | None = None
    duration_ci_ms: tuple[float | None, float | None] = (None, None)
    cost_ci_usd: tuple[float | None, float | None] = (None, None)
    confidence_level: float | None = None
    mean_init_duration_ms: float | None = None
    max_memory_used_mb: int | None = None

    @property
    def configuration(self) -> Configuration:
        return Configuration(self.memory_mb, self.architecture)


@dataclass(frozen=True, slots=True)
class ColdStart:
    """What a cold start cost at one configuration (`cold_starts[]`)."""

    memory_mb: int
    architecture: Architecture
    samples: int
    mean_init_duration_ms: float
    mean_total_duration_ms: float
    mean_cost_usd: float
    init_billed: bool


@dataclass(frozen=True, slots=True)
class RecommendedSize:
    """The chosen configuration and why it won (`recommendation`)."""

    memory_mb: int
    architecture: Architecture
    strategy: StrategySpec
    reasons: tuple[str, ...]
    tied_with: tuple[Configuration, ...] = ()
    #: 1.1: False when the run could not separate the leaders: this size is then the
    #: default among them (the cheaper, then the smaller), `tied_with` the others
    settled: bool = True
    #: 1.1: about how many more invocations would settle it (None: settled, or unknown)
    more_invocations: int | None = None

    @property
    def configuration(self) -> Configuration:
        return Configuration(self.memory_mb, self.architecture)


@dataclass(frozen=True, slots=True)
class SamplingStep:
    """One step of the sampling policy's reasoning (`sampling_events[]`)."""

    after_invocations: int
    action: str
    message: str
    #: the configuration's label (`512MB/x86_64`), if the step is about one
    configuration: str | None = None
    #: 1.1: why a size was dropped (`failed`, `timeout-risk`, `worse`, `infeasible`)
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class TuningResult:
    """A whole result file, typed."""

    function_arn: str
    region: str
    invocations: tuple[InvocationRecord, ...]
    settings: Settings
    #: None in a file written before this version knew it (or a records-only file)
    schema_version: str | None = SCHEMA_VERSION
    #: ours; None for a records-only file, which has not been analysed yet
    figures: UpstreamFigures | None = None
    #: upstream's numbers (compat mode only); they take the top level in the file
    compat_figures: UpstreamFigures | None = None
    recommendation: RecommendedSize | None = None
    statistics: tuple[SizeStatistics, ...] = ()
    failed: tuple[SizeStatistics, ...] = ()
    cold_starts: tuple[ColdStart, ...] = ()
    sampling_events: tuple[SamplingStep, ...] = ()
    warnings: tuple[str, ...] = ()
    generated_by: str | None = None
    synthetic: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def analysed(self) -> bool:
        """False for a file holding only records: nothing has been decided from them yet."""
        return self.figures is not None
