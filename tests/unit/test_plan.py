"""Planning: function names and ARNs, memory sizes and ranges, architectures, plan bounds."""

from __future__ import annotations

import pytest

from powertune.errors import ConfigError
from powertune.tuning.models import Architecture, Configuration, Payload, StrategySpec
from powertune.tuning.plan import (
    FunctionTarget,
    TuningPlan,
    build_plan,
    parse_architectures,
    parse_function,
    parse_memory_sizes,
)

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:my-fn"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("my-fn", FunctionTarget("my-fn")),
        ("my_fn-2", FunctionTarget("my_fn-2")),
        ("my-fn:live", FunctionTarget("my-fn", "live")),
        ("my-fn:7", FunctionTarget("my-fn", "7")),
        ("my-fn:$LATEST", FunctionTarget("my-fn", "$LATEST")),
        (ARN, FunctionTarget("my-fn", None, "eu-west-1", "123456789012")),
        (ARN + ":prod", FunctionTarget("my-fn", "prod", "eu-west-1", "123456789012")),
        (
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:3",
            FunctionTarget("f", "3", "us-gov-west-1", "123456789012"),
        ),
    ],
)
def test_parse_function_accepts_names_and_arns(value: str, expected: FunctionTarget) -> None:
    assert parse_function(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "my fn",
        "x" * 65,
        "my-fn:a:b",
        "arn:aws:lambda:eu-west-1:123:function:my-fn",  # account id too short
        "arn:aws:s3:::bucket",
        "arn:aws:lambda:eu-west-1:123456789012:layer:my-fn",
        "my-fn:",
    ],
)
def test_parse_function_refuses_bad_names_naming_value_and_fix(value: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_function(value)
    message = str(err.value)
    assert repr(value) in message
    assert "arn:aws:lambda:REGION:ACCOUNT:function:NAME" in message


def test_memory_list_keeps_order() -> None:
    assert parse_memory_sizes("512, 128,1024") == (512, 128, 1024)


def test_memory_range_includes_its_end() -> None:
    sizes = parse_memory_sizes("128..3008:128")
    assert sizes[0] == 128
    assert sizes[-1] == 3008
    assert sizes[-2] == 2944
    assert len(sizes) == 24


def test_memory_range_on_step_ends_exactly_once() -> None:
    assert parse_memory_sizes("128..512:128") == (128, 256, 384, 512)


def test_memory_range_and_list_mix() -> None:
    assert parse_memory_sizes("128..256:64,1024") == (128, 192, 256, 1024)


def test_memory_single_point_range() -> None:
    assert parse_memory_sizes("256..256:64") == (256,)


@pytest.mark.parametrize("value", ["127", "10241", "64..256:64", "0"])
def test_memory_outside_lambda_range_is_refused(value: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_memory_sizes(value)
    message = str(err.value)
    assert "outside Lambda's range" in message
    assert "128–10240 MB" in message


def test_memory_out_of_range_names_the_size() -> None:
    with pytest.raises(ConfigError, match="memory size 10241 MB"):
        parse_memory_sizes("128,10241")


def test_memory_bounds_are_inclusive() -> None:
    assert parse_memory_sizes("128,10240") == (128, 10240)


def test_duplicate_memory_sizes_are_refused_with_fix() -> None:
    with pytest.raises(ConfigError) as err:
        parse_memory_sizes("128,256,128")
    assert "memory size 128 MB is listed twice" in str(err.value)
    assert "list each size once" in str(err.value)


def test_duplicate_from_range_overlap_is_refused() -> None:
    with pytest.raises(ConfigError, match="256 MB is listed twice"):
        parse_memory_sizes("128..512:128,256")


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("128,,256", "empty memory size"),
        ("128MB", "'128MB' is not a whole number of MB"),
        ("1.5", "'1.5' is not a whole number"),
        ("-128", "'-128' is not a whole number"),
        ("512..128:64", "bad memory range '512..128:64'"),
        ("128..512:0", "bad memory range '128..512:0'"),
    ],
)
def test_bad_memory_specs_name_the_value(value: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        parse_memory_sizes(value)


def test_architectures() -> None:
    assert parse_architectures("x86_64") == (Architecture.X86_64,)
    assert parse_architectures("arm64, x86_64") == (Architecture.ARM64, Architecture.X86_64)


@pytest.mark.parametrize(
    ("value", "needle"),
    [("amd64", "unknown architecture 'amd64'; use x86_64, arm64"), ("arm64,arm64", "twice")],
)
def test_bad_architectures(value: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        parse_architectures(value)


def _plan(**overrides: object) -> TuningPlan:
    kwargs: dict[str, object] = {
        "function": "my-fn",
        "memory_sizes": (128, 256),
        "architectures": (Architecture.X86_64, Architecture.ARM64),
        "payloads": (Payload(b"{}"),),
        "strategy": StrategySpec(),
        "sampling": "fixed(10)",
        "max_invocations": 40,
        "scratch_copy": False,
        "run_id": "abcd1234",
        "seed": 1,
    }
    kwargs.update(overrides)
    return build_plan(**kwargs)  # type: ignore[arg-type]


def test_build_plan_crosses_architectures_and_sizes() -> None:
    plan = _plan()
    assert plan.configurations == (
        Configuration(128, Architecture.X86_64),
        Configuration(256, Architecture.X86_64),
        Configuration(128, Architecture.ARM64),
        Configuration(256, Architecture.ARM64),
    )


def test_alias_names_carry_the_run_id_and_are_never_all_digits() -> None:
    plan = _plan()
    alias = plan.alias_for(Configuration(256, Architecture.ARM64))
    assert alias == "pt-abcd1234-256-arm64"


def test_scratch_name_fits_lambda_name_limit() -> None:
    plan = _plan(function="f" * 64)
    name = plan.scratch_name()
    assert len(name) <= 64
    assert name.endswith("-pt-abcd1234")
    parse_function(name)


def test_cost_upper_bound_is_timeout_at_every_size_plus_warmup() -> None:
    plan = _plan(architectures=(Architecture.X86_64,), max_invocations=20)
    # 10 per configuration + 1 warm-up, 10 s timeout: 11 × 10 s × (0.125 + 0.25) GB
    bound = plan.cost_upper_bound_usd(10, 1.0, 0.5)
    assert bound == pytest.approx(11 * 10 * 0.125 + 11 * 0.5 + 11 * 10 * 0.25 + 11 * 0.5)


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"memory_sizes": ()}, "no memory sizes"),
        ({"payloads": ()}, "no payload"),
        ({"run_id": "AB"}, "run id 'AB'"),
        ({"memory_sizes": (64,)}, "memory size 64 MB"),
        ({"function": "bad name"}, "'bad name' is not a Lambda function name"),
    ],
)
def test_build_plan_validates(overrides: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        _plan(**overrides)
