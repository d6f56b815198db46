"""Fixed sampling and the weighted split of invocations over payloads."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powertune.errors import ConfigError
from powertune.tuning.models import Configuration
from powertune.tuning.sampling import FixedSampling, SamplingState, allocate_payloads

CONFIGS = (Configuration(128), Configuration(256), Configuration(512))


@pytest.mark.parametrize(
    ("weights", "count", "expected"),
    [
        ([1.0], 7, [7]),
        ([1.0, 1.0], 10, [5, 5]),
        ([3.0, 1.0], 8, [6, 2]),
        ([1.0, 1.0, 1.0], 10, [4, 3, 3]),
        ([100.0, 1.0], 10, [9, 1]),  # a light payload still gets one
        ([0.2, 0.3, 0.5], 10, [2, 3, 5]),
        # one heavy payload: the light ones keep one invocation each
        ([1.0, 1.0, 1000.0], 3, [1, 1, 1]),
        ([1.0, 1.0, 1.0, 1000.0], 5, [1, 1, 1, 2]),
        ([1.0, 2000.0, 1.0, 1.0], 4, [1, 1, 1, 1]),
    ],
)
def test_allocate_payloads_in_proportion(
    weights: list[float], count: int, expected: list[int]
) -> None:
    counts = allocate_payloads(weights, count)
    assert counts == expected
    assert sum(counts) == count


@given(
    weights=st.lists(st.floats(min_value=0.001, max_value=1e6), min_size=1, max_size=12),
    extra=st.integers(min_value=0, max_value=500),
)
def test_allocate_payloads_adds_up_and_serves_every_payload(
    weights: list[float], extra: int
) -> None:
    count = len(weights) + extra
    counts = allocate_payloads(weights, count)
    assert sum(counts) == count
    assert min(counts) >= 1


def test_allocate_payloads_refuses_more_payloads_than_invocations() -> None:
    with pytest.raises(ConfigError) as err:
        allocate_payloads([1.0, 1.0, 1.0], 2)
    assert "3 payloads but only 2 invocations" in str(err.value)
    assert "--invocations to at least 3" in str(err.value)


@pytest.mark.parametrize("weights", [[1.0, 0.0], [-1.0]])
def test_allocate_payloads_refuses_non_positive_weights(weights: list[float]) -> None:
    with pytest.raises(ConfigError, match="weights must be positive"):
        allocate_payloads(weights, 10)


def _batch(seed: int | None, invocations: int = 4, weights: tuple[float, ...] = (1.0,)) -> list:
    policy = FixedSampling(invocations, seed=seed)
    state = SamplingState(configurations=CONFIGS, payload_weights=weights)
    batch = list(policy.next_batch(state))
    assert policy.next_batch(state) == []  # one batch, then stop
    return batch


def test_fixed_sampling_gives_n_per_configuration() -> None:
    batch = _batch(1, invocations=6)
    assert len(batch) == 18
    for c in CONFIGS:
        assert sum(1 for r in batch if r.configuration == c) == 6


def test_fixed_sampling_interleaves_rather_than_blocks() -> None:
    batch = _batch(3, invocations=10)
    order = [r.configuration for r in batch]
    blocks = sum(1 for a, b in itertools.pairwise(order) if a != b)
    assert blocks > len(CONFIGS)  # blocks would change configuration only twice


def test_fixed_sampling_seed_reproduces_the_order() -> None:
    assert _batch(42, 10) == _batch(42, 10)
    assert _batch(42, 10) != _batch(43, 10)


def test_fixed_sampling_weights_payloads() -> None:
    batch = _batch(1, invocations=8, weights=(3.0, 1.0))
    for c in CONFIGS:
        idx = [r.payload_index for r in batch if r.configuration == c]
        assert idx.count(0) == 6
        assert idx.count(1) == 2


def test_fixed_sampling_bounds_and_name() -> None:
    policy = FixedSampling(5)
    assert policy.max_invocations(4) == 20
    assert policy.name == "fixed(5)"
    with pytest.raises(ConfigError, match="at least 1, got 0"):
        FixedSampling(0)
