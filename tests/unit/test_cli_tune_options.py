"""`tune`'s options map one to one onto TuneOptions, and parse into a TuningRequest."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import click
import pytest

from powertune.cli.tune import tune
from powertune.cli.tune_options import TuneOptions, parse_request
from powertune.errors import ConfigError
from powertune.tuning.models import Architecture, Payload, StrategyName


def defaults() -> TuneOptions:
    """What click gives `tune my-fn` with no other option."""
    ctx = click.Context(tune)
    values = {p.name: p.get_default(ctx) for p in tune.params if p.name}
    values["function"] = "my-fn"
    values["http_header"] = ()
    return TuneOptions(**values)


def test_every_click_parameter_is_a_field() -> None:
    assert [p.name for p in tune.params] == [f.name for f in fields(TuneOptions)]


def test_defaults_parse_into_a_request() -> None:
    request = parse_request(defaults(), run_id="abcd1234")
    assert request.function == "my-fn"
    assert request.memory_sizes[0] == 128
    assert request.architectures == (Architecture.X86_64,)
    assert request.payloads == (Payload(b"{}"),)
    assert request.strategy.name is StrategyName.COST
    assert request.allowed_errors == frozenset()
    assert request.run_id == "abcd1234"
    assert defaults().output == Path("reports/history")


def test_options_reach_the_request() -> None:
    options = replace(
        defaults(),
        memory_spec="256,512",
        architectures="x86_64,arm64",
        allowed_errors=" ItemNotFound, ,ValidationError",
        strategy="speed",
        seed=9,
        scratch_copy=True,
    )
    request = parse_request(options, run_id="abcd1234")
    assert request.memory_sizes == (256, 512)
    assert request.architectures == (Architecture.X86_64, Architecture.ARM64)
    assert request.allowed_errors == frozenset({"ItemNotFound", "ValidationError"})
    assert request.strategy.name is StrategyName.SPEED
    assert (request.seed, request.scratch_copy) == (9, True)


def test_two_payload_sources_are_refused() -> None:
    options = replace(defaults(), payload="{}", payload_http="GET /items")
    with pytest.raises(ConfigError) as err:
        parse_request(options, run_id="abcd1234")
    assert err.value.exit_code == 2
