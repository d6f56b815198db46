"""The builder: one TuningResult from a run (through the real session) or from records."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from powertune.backends.fake import FakeBackend
from powertune.clock import ManualClock
from powertune.results import build_result, parse_result, result_from_run, to_json
from powertune.results.build import Measured
from powertune.results.model import (
    DecisionSettings,
    PriceTableProvenance,
    Settings,
    TuningResult,
)
from powertune.tuning.analysis import analyze
from powertune.tuning.models import (
    SANDBOX_TIMEDOUT,
    Architecture,
    Configuration,
    InvocationRecord,
    Payload,
    StrategySpec,
)
from powertune.tuning.plan import TuningPlan
from powertune.tuning.pricing import PriceRate
from powertune.tuning.request import TuningRequest
from powertune.tuning.sampling import FixedSampling
from powertune.tuning.session import run_tuning, total_invocations

RATE = PriceRate(0.0000166667, 0.0000002)
ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"
DECISION = DecisionSettings(
    strategy=StrategySpec(),
    allowed_errors=(),
    compat=None,
    price_table=PriceTableProvenance("test", None, None, True),
)


def rate_for(arch: Architecture) -> PriceRate:
    return RATE


@dataclass
class Recorder:
    """A RunProgress that remembers what the session told it."""

    total: int | None = None
    counts: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def started(self, plan: TuningPlan) -> None:
        self.total = total_invocations(plan)

    def invoked(self, record: InvocationRecord, count: int) -> None:
        self.counts.append(count)

    def warned(self, message: str) -> None:
        self.warnings.append(message)


def request(sizes: tuple[int, ...] = (128, 512, 1024)) -> TuningRequest:
    return TuningRequest(
        function="fn",
        memory_sizes=sizes,
        architectures=(Architecture.X86_64,),
        payloads=(Payload(b"{}"),),
        strategy=StrategySpec(),
        allowed_errors=frozenset(),
        scratch_copy=False,
        run_id="abcd1234",
        seed=3,
    )


def tuned(withheld: str | None = None) -> TuningResult:
    backend = FakeBackend()
    backend.add_function("fn", memory_mb=256)
    progress = Recorder()
    run = run_tuning(
        request(), backend, FixedSampling(4, seed=3), clock=ManualClock(), progress=progress
    )
    assert progress.total == 3 * 4 + 3
    assert progress.counts[-1] == progress.total
    assert backend.state("fn")[0].memory_mb == 256  # restored
    analysis = analyze(run.records, strategy=StrategySpec(), rate_for=rate_for)
    return result_from_run(
        run, analysis, rate_for, DECISION, synthetic=True, endpoint_url=None, withheld=withheld
    )


def test_a_run_becomes_a_result_with_its_settings() -> None:
    result = tuned()
    assert result.recommendation is not None and result.figures is not None
    assert result.figures.power_mb == result.recommendation.memory_mb
    assert result.settings.run is not None
    assert result.settings.run.memory_sizes == (128, 512, 1024)
    assert result.settings.run.original_memory_mb == 256
    assert result.settings.run.run_id == "abcd1234"
    assert result.settings.decision == DECISION
    assert len(result.invocations) == 15
    assert result.started_at is not None and result.finished_at is not None
    assert to_json(parse_result(to_json(result))) == to_json(result)


def test_withheld_keeps_measurements_and_drops_the_decision() -> None:
    decided = tuned()
    result = tuned(withheld="no size meets the budget")
    assert result.recommendation is None
    assert result.figures is not None and decided.figures is not None
    assert (result.figures.power_mb, result.figures.cost_usd, result.figures.duration_ms) == (
        None,
        None,
        None,
    )
    assert result.figures.stats == decided.figures.stats
    assert result.statistics == decided.statistics
    assert result.warnings[-1] == "no recommendation: no size meets the budget"
    assert to_json(result)["architecture"] is None


def records(arch: Architecture) -> list[InvocationRecord]:
    out = []
    for memory, base in ((128, 400.0), (512, 90.0)):
        out += [
            InvocationRecord(memory, arch, 0, base + i, math.ceil(base + i), sequence=i)
            for i in range(5)
        ]
    out.append(InvocationRecord(1024, arch, 0, 3000.0, 3000, error_type=SANDBOX_TIMEDOUT))
    return out


def test_arm64_only_records_report_arm64_and_nan_becomes_none() -> None:
    recs = records(Architecture.ARM64)
    analysis = analyze(recs, strategy=StrategySpec(), rate_for=rate_for)
    result = build_result(
        Measured(ARN, "us-east-1", recs), analysis, rate_for, Settings(decision=DECISION)
    )
    assert result.recommendation is not None
    assert result.recommendation.architecture is Architecture.ARM64
    assert to_json(result)["architecture"] == "arm64"
    assert result.figures is not None
    assert [s.value for s in result.figures.stats] == [128, 512]
    assert [f.configuration for f in result.failed] == [Configuration(1024, Architecture.ARM64)]
    assert result.failed[0].mean_duration_ms is None  # NaN in the core's statistics
    assert result.figures.state_machine.execution_cost_usd == 0
    assert result.figures.state_machine.lambda_cost_usd > 0


def test_compat_figures_take_the_top_level_and_ours_move_under_powertune() -> None:
    recs = records(Architecture.X86_64)
    analysis = analyze(recs, strategy=StrategySpec(), rate_for=rate_for)
    upstream = {
        "power": 512,
        "cost": 1.5e-6,
        "duration": 91.0,
        "stateMachine": {"executionCost": 0, "lambdaCost": 2.0e-5, "visualization": "u"},
        "stats": [{"value": 512, "averagePrice": 1.5e-6, "averageDuration": 91.0}],
    }
    result = build_result(
        Measured(ARN, "us-east-1", recs),
        analysis,
        rate_for,
        Settings(decision=DECISION),
        compat=upstream,
    )
    doc = to_json(result)
    assert {k: doc[k] for k in upstream} == upstream
    assert result.figures is not None
    assert doc["powertune"]["power"] == result.figures.power_mb
    assert list(doc)[-1] == "powertune"
