"""`analyze_compat` on raw invocation records: upstream's numbers from our samples.

The expected figures come from the upstream vectors (tests/data/power-tuning-
vectors.json): the same samples fed through records must give the same output.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import pytest

from powertune.errors import ConfigError, TuningFailed
from powertune.tuning.compat import analyze_compat, build_visualization_url, failed_sizes
from powertune.tuning.models import Architecture, InvocationRecord

# fixtures.EXEC_LOGS_10_decoded of the vectors: (Duration, Billed Duration, Init Duration).
EXEC_LOGS_10: list[tuple[float, int, float | None]] = [
    (0.1, 1, 0.1),
    (0.5, 1, None),
    (2.0, 2, None),
    (3.0, 3, None),
    (3.0, 3, None),
    (4.0, 4, None),
    (4.5, 5, None),
    (10.0, 10, None),
    (50.0, 50, None),
    (200.0, 200, None),
]
# The eu-west-2 run behind the real URL in docs (reference §5), as per-size samples.
REAL_URL = (
    "https://lambda-power-tuning.show/"
    "#gAAAAQACAAQ=;zcy0P5NfDEDhGulCM3OQQg==;l0+QMWN3WDJfCYU1yJqkNQ=="
)


def records_for(
    memory_mb: int,
    samples: Sequence[tuple[float, int, float | None]],
    *,
    architecture: Architecture = Architecture.X86_64,
    error_type: str | None = None,
    start: int = 0,
) -> list[InvocationRecord]:
    return [
        InvocationRecord(
            memory_mb=memory_mb,
            architecture=architecture,
            payload_index=0,
            duration_ms=duration,
            billed_duration_ms=billed,
            init_duration_ms=init,
            error_type=error_type,
            sequence=start + i,
        )
        for i, (duration, billed, init) in enumerate(samples)
    ]


def compat(records: Sequence[InvocationRecord], **options: Any) -> dict[str, Any]:
    """`analyze_compat`, its JSON-shaped result typed for indexing in assertions."""
    return analyze_compat(records, **options)


def test_one_size_gives_the_executor_vectors_statistics() -> None:
    # executor.handler#389 (d=0.2) and #390 (d=0): 128 MB in eu-west-1 on x86_64.
    records = records_for(128, EXEC_LOGS_10)
    trimmed = compat(records, lambda_region="eu-west-1")
    untrimmed = compat(records, lambda_region="eu-west-1", discard_top_bottom=0)
    assert trimmed["stats"] == [
        {"value": 128, "averagePrice": 1.0500000000000001e-08, "averageDuration": 4.416666666666667}
    ]
    assert untrimmed["stats"] == [
        {"value": 128, "averagePrice": 5.8800000000000004e-08, "averageDuration": 27.72}
    ]
    # lambdaCost is the sum of every invocation's cost, untrimmed (totalCost of #389).
    assert trimmed["stateMachine"]["lambdaCost"] == 5.859000000000001e-07


def test_arm64_uses_upstreams_single_arm_price() -> None:
    # executor.handler#392: arm64 is 1.7e-9 per ms at 128 MB, whatever the region.
    records = records_for(128, EXEC_LOGS_10, architecture=Architecture.ARM64)
    result = compat(records, lambda_region="eu-west-1")
    assert result["cost"] == 8.5e-09
    assert result["stateMachine"]["lambdaCost"] == 4.7429999999999995e-07


def _real_url_records() -> list[InvocationRecord]:
    # One sample per size (as upstream's dryRun): the trimmed mean is the sample itself.
    sizes = {
        128: (1.4125, 2),
        256: (2.1933333333333334, 3),
        512: (116.5525, 118),
        1024: (72.225, 73),
    }
    records: list[InvocationRecord] = []
    for memory_mb, (duration, billed) in sizes.items():
        records += records_for(memory_mb, [(duration, billed, None)], start=len(records))
    return records


def test_output_shape_and_the_real_visualization_url() -> None:
    result = compat(_real_url_records(), lambda_region="eu-west-2")
    assert list(result) == ["power", "cost", "duration", "stateMachine", "stats"]
    assert list(result["stateMachine"]) == ["executionCost", "lambdaCost", "visualization"]
    assert (result["power"], result["cost"], result["duration"]) == (128, 4.2e-09, 1.4125)
    assert result["stateMachine"]["visualization"] == REAL_URL
    assert [s["value"] for s in result["stats"]] == [128, 256, 512, 1024]


def test_execution_cost_is_zero_unless_step_functions_ran() -> None:
    records = _real_url_records()
    ours = compat(records, lambda_region="eu-west-2")
    with_sfn = compat(records, lambda_region="us-east-1", step_functions_ran=True)
    assert ours["stateMachine"]["executionCost"] == 0.0
    # Upstream's estimate for 4 power values at the default price (analyzer.handler#360).
    assert with_sfn["stateMachine"]["executionCost"] == 0.00045


def test_cn_regions_label_costs_in_cny() -> None:
    result = compat(_real_url_records(), lambda_region="cn-north-1")
    url = result["stateMachine"]["visualization"]
    assert url.startswith("https://lambda-power-tuning.show/?currency=CNY#")
    assert result["cost"] == 2 * 1.42e-08  # upstream's CNY price per ms at 128 MB


def test_speed_counts_init_duration_as_upstream() -> None:
    cold = records_for(128, [(10.0, 11, 500.0)] + [(10.0, 10, None)] * 4)
    warm = records_for(256, [(12.0, 12, None)] * 5, start=5)
    result = compat(cold + warm, lambda_region="us-east-1", strategy="speed", discard_top_bottom=0)
    assert result["power"] == 256  # 128 MB averages (510 + 40) / 5 = 110 ms with init


def test_exact_ties_keep_the_order_sizes_were_given_in() -> None:
    # 4 ms at 128 MB costs exactly what 2 ms at 256 MB costs; durations are equal too.
    records = records_for(256, [(3.5, 2, None)] * 5) + records_for(
        128, [(3.5, 4, None)] * 5, start=5
    )
    for strategy in ("cost", "speed", "balanced"):
        given = compat(
            records, lambda_region="us-east-1", strategy=strategy, memory_order=[256, 128]
        )
        ascending = compat(records, lambda_region="us-east-1", strategy=strategy)
        assert given["cost"] == ascending["cost"] == 8.4e-09
        assert (given["power"], ascending["power"]) == (256, 128), strategy


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("balanced_weight", 1.5, "balancedWeight 1.5 is outside"),
        ("balanced_weight", -0.1, "balancedWeight -0.1 is outside"),
        ("discard_top_bottom", 0.5, "discardTopBottom 0.5 is outside"),
        ("discard_top_bottom", -1.0, "discardTopBottom -1.0 is outside"),
        ("discard_top_bottom", math.nan, "discardTopBottom nan is not a number"),
        ("strategy", "Balanced", "unknown strategy 'Balanced'"),
    ],
)
def test_bad_inputs_are_errors_not_clamped(option: str, value: object, message: str) -> None:
    records = records_for(128, EXEC_LOGS_10)
    options: dict[str, Any] = {option: value}
    with pytest.raises(ConfigError, match=re.escape(message)):
        compat(records, lambda_region="us-east-1", **options)


def test_memory_order_must_cover_every_size() -> None:
    with pytest.raises(ConfigError, match=r"does not list \[128\]"):
        compat(records_for(128, EXEC_LOGS_10), lambda_region="x", memory_order=[256])


def test_mixed_architectures_are_refused() -> None:
    records = records_for(128, EXEC_LOGS_10) + records_for(
        128, EXEC_LOGS_10, architecture=Architecture.ARM64, start=10
    )
    with pytest.raises(ConfigError, match="one architecture"):
        compat(records, lambda_region="us-east-1")


def test_a_failing_size_is_left_out_and_allowed_errors_are_kept() -> None:
    ok = records_for(256, EXEC_LOGS_10, start=10)
    failing = records_for(128, EXEC_LOGS_10[:1]) + records_for(
        128, EXEC_LOGS_10[1:], error_type="Sandbox.Timedout", start=1
    )
    result = compat(ok + failing, lambda_region="us-east-1")
    assert [s["value"] for s in result["stats"]] == [256]
    assert failed_sizes(ok + failing) == {128: "Sandbox.Timedout"}
    kept = compat(ok + failing, lambda_region="us-east-1", allowed_exceptions=["Sandbox.Timedout"])
    assert [s["value"] for s in kept["stats"]] == [128, 256]


def test_every_size_failing_is_a_loud_failure() -> None:
    records = records_for(128, EXEC_LOGS_10, error_type="Runtime.OutOfMemory")
    with pytest.raises(TuningFailed, match=r"128 MB: Runtime\.OutOfMemory"):
        compat(records, lambda_region="us-east-1")


def test_build_visualization_url_for_the_normal_result() -> None:
    url = build_visualization_url(
        [1024, 128, 512, 256],
        [72.225, 1.4125, 116.5525, 2.1933333333333334],
        [1.2264e-06, 4.2e-09, 9.912e-07, 1.26e-08],
        "https://lambda-power-tuning.show/",
    )
    assert url == REAL_URL
    with pytest.raises(ValueError, match="same length"):
        build_visualization_url([128], [1.0, 2.0], [1.0], "https://x/")
