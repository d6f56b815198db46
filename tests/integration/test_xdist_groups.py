"""`make test` scheduling: tests marked `xdist_group` share one worker and one fixture set-up.

A small suite is run as `make test` runs the real one (`pytest -n 2 --dist loadgroup`,
with tests/xdist_groups.py): a grouped module, in pytestmark's list form and with a
parametrized test, whose module fixture logs the worker it is set up on, and free
tests so that both workers get work. On pytest 9.2 without the plugin, pytest-xdist's
grouping does nothing (its docstring says why) and the fixture is set up on each worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration

GROUPED = """
import os
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("expensive")]

def _log(name, text):
    with open(os.path.join(os.environ["GROUPS_LOG"], name), "a") as out:
        out.write(text + "\\n")

@pytest.fixture(scope="module")
def deployed():
    _log("setups", os.environ["PYTEST_XDIST_WORKER"])

@pytest.mark.parametrize("n", range(6))
def test_uses_it(deployed, n):
    _log("tests", os.environ["PYTEST_XDIST_WORKER"])

def test_also_uses_it(deployed):
    _log("tests", os.environ["PYTEST_XDIST_WORKER"])
"""

FREE = """
import pytest

@pytest.mark.parametrize("n", range(6))
def test_free(n):
    pass
"""


def test_a_group_runs_on_one_worker_and_sets_its_module_fixture_up_once(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "pytest.ini").write_text("[pytest]\nmarkers =\n    integration: as in pyproject\n")
    (suite / "test_a_grouped.py").write_text(GROUPED)
    (suite / "test_b_free.py").write_text(FREE)
    log = tmp_path / "log"
    log.mkdir()
    env = {
        **os.environ,
        "GROUPS_LOG": str(log),
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "xdist_groups",
         "-p", "no:cacheprovider", "-q"],
        cwd=suite, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "13 passed" in proc.stdout, proc.stdout[-3000:]
    setups = (log / "setups").read_text().split()
    workers = (log / "tests").read_text().split()
    assert len(setups) == 1, setups
    assert workers == setups * 7
