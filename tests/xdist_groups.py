"""`pytest.mark.xdist_group` that works on pytest 9.2 (loaded by tests/conftest.py).

With `--dist loadgroup`, pytest-xdist keeps a group's tests on one worker by
appending `@<group>` to their node ids on the workers; the controller splits the
ids on that `@` to build its work units. pytest 9.2 keeps the node id in a
structured `NodeId` (`item._id`), and pytest-xdist 3.8 still writes the old
`item._nodeid` attribute, which nothing reads any more: every grouped test went
out as its own unit, so the expensive module fixtures of the grouped modules (a
workflow run, a deployed stack, a Terraform apply) were set up on both workers
(pytest-dev/pytest-xdist#1386, open). This hook gives the items the id
pytest-xdist meant to give them, and does nothing once pytest-xdist does it
itself (older pytest, or a fixed pytest-xdist).
"""

from __future__ import annotations

import pytest


def group_suffix(item: pytest.Item) -> str | None:
    """`@<group>` as pytest-xdist builds it (several groups joined sorted by `_`), or None."""
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return "@" + "_".join(sorted(names)) if names else None


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook, so its work is seen
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not getattr(config.option, "loadgroup", False):  # set on workers of --dist loadgroup
        return
    for item in items:
        suffix = group_suffix(item)
        if suffix is None or item.nodeid.endswith(suffix):
            continue
        structured = getattr(item, "_id", None)
        if structured is None:  # a pytest without structured ids
            raise RuntimeError(
                f"cannot give {item.nodeid} its xdist group {suffix}: this pytest has no "
                "structured node id; drop tests/xdist_groups.py if pytest-xdist groups by itself"
            )
        item._id = type(structured).parse(item.nodeid + suffix)
