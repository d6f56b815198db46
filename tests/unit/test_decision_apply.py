"""`apply_memory`: every change through the ledger, and a failure midway undone."""

from __future__ import annotations

import pytest
from test_ledger import AliasMovingBackend

from powertune.decision.apply import ApplyFailed, ApplyPlan, apply_memory


def test_an_apply_sets_the_memory_publishes_and_points_the_alias() -> None:
    backend = AliasMovingBackend()
    backend.add_function("fn", memory_mb=1024)
    applied = apply_memory(backend, ApplyPlan("fn", 512, alias="live"), run_id="r1")
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 512
    assert aliases == {"live": applied.published_version}
    assert versions[applied.alias_version_after or ""].memory_mb == 512
    assert (applied.memory_mb_before, applied.memory_mb_after) == (1024, 512)
    assert applied.alias_version_before is None
    assert applied.changed


@pytest.mark.parametrize("failing", ["PublishVersion", "CreateAlias"])
def test_an_apply_that_fails_midway_is_undone(failing: str) -> None:
    backend = AliasMovingBackend()
    backend.add_function("fn", memory_mb=1024)
    backend.fail_on[failing] = "ServiceException"
    with pytest.raises(ApplyFailed) as caught:
        apply_memory(backend, ApplyPlan("fn", 512, alias="live"), run_id="r1")
    latest, versions, aliases = backend.state("fn")
    assert latest.memory_mb == 1024
    assert versions == {}
    assert aliases == {}
    assert "was put back as it was (1024 MB)" in str(caught.value)
    assert failing in str(caught.value)


def test_an_interrupted_apply_is_undone_and_the_interrupt_goes_on() -> None:
    backend = AliasMovingBackend()
    backend.add_function("fn", memory_mb=1024)

    def interrupt(operation: str) -> None:
        if operation == "PublishVersion":
            backend.after_call = None
            raise KeyboardInterrupt

    backend.after_call = interrupt
    with pytest.raises(KeyboardInterrupt):
        apply_memory(backend, ApplyPlan("fn", 512, alias="live"), run_id="r1")
    latest, versions, aliases = backend.state("fn")
    assert (latest.memory_mb, versions, aliases) == (1024, {}, {})


def test_moving_an_existing_alias_back_to_a_version_publishes_nothing() -> None:
    backend = AliasMovingBackend()
    backend.add_function("fn", memory_mb=1024)
    first = apply_memory(backend, ApplyPlan("fn", 256, alias="live"), run_id="r1")
    apply_memory(backend, ApplyPlan("fn", 512, alias="live"), run_id="r2")
    back = apply_memory(
        backend,
        ApplyPlan("fn", 256, alias="live", alias_version=first.alias_version_after),
        run_id="r3",
    )
    _, versions, aliases = backend.state("fn")
    assert aliases == {"live": first.alias_version_after}
    assert len(versions) == 2
    assert back.published_version is None
