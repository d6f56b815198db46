"""powertune installed as a wheel, run outside the checkout: local up, deploy, tune, down.

The project (pyproject.toml, README.md and src/ only, copied so the build leaves the
checkout untouched) is installed with `pip install --no-deps` into a fresh venv in a
temporary folder. Its third-party dependencies come from the venv running the tests,
whose site-packages folder is named in a `.pth` file: a folder named there is put on
`sys.path` but its own `.pth` files are not run, so the test venv's editable install of
powertune (a `.pth` pointing at the source tree) stays out. The commands then run from
a temporary working directory with no PYTHONPATH, and the test checks that the
`powertune` they import is the installed wheel's, and that the wheel carries every
data file of the source package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "powertune"

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("installed_wheel")]


@dataclass(frozen=True)
class Installed:
    """A fresh venv holding the wheel, and folders outside the checkout to run it from."""

    venv: Path
    site_packages: Path
    cwd: Path
    env: dict[str, str]

    def run(self, *args: str, timeout_s: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / "powertune"), *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.cwd,
            env=self.env,
            timeout=timeout_s,
        )

    def python(self, code: str) -> str:
        proc = subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=self.cwd,
            env=self.env,
        )
        return proc.stdout.strip()


def _copy_project(dest: Path) -> Path:
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(
        ROOT / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    return dest


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["POWERTUNE_STATE_DIR"] = str(tmp / "journal")  # the tuner's journal, not the user's
    env.pop("POWERTUNE_LOCAL_STATE", None)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("wheel")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "powertune-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = _clean_env(tmp)
    proc = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            str(_copy_project(tmp / "p")),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp,
        env=env,
    )
    assert proc.returncode == 0, f"pip install of the project failed:\n{proc.stderr[-4000:]}"
    cwd = tmp / "elsewhere"
    cwd.mkdir()
    return Installed(venv, site, cwd, env)


def test_the_installed_package_is_what_runs(installed: Installed) -> None:
    where = Path(installed.python("import powertune; print(powertune.__file__)"))
    assert where.is_relative_to(installed.site_packages)
    assert not where.is_relative_to(ROOT)


def test_the_wheel_carries_every_data_file(installed: Installed) -> None:
    def data_files(package: Path) -> set[str]:
        return {
            p.relative_to(package).as_posix()
            for p in package.rglob("*")
            if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
        }

    shipped = data_files(installed.site_packages / "powertune")
    assert data_files(PACKAGE) <= shipped
    assert {"py.typed", "tuning/prices.json", "results/tuning-result.schema.json"} <= shipped


def test_reference_folders_must_be_named_outside_a_checkout(installed: Installed) -> None:
    proc = installed.run("local", "deploy", "--state-dir", str(installed.cwd / "no-cloud"))
    assert proc.returncode == 2
    assert "--app-dir" in proc.stderr or "--terraform-dir" in proc.stderr


@pytest.fixture(scope="module")
def cloud_state(installed: Installed) -> Iterator[Path]:
    state = installed.cwd.parent / "local-cloud"
    up = installed.run("local", "up", "--detach", "--port", "0", "--state-dir", str(state))
    assert up.returncode == 0, f"local up failed:\n{up.stderr[-4000:]}"
    try:
        yield state
    finally:
        installed.run("local", "down", "--state-dir", str(state))


def test_up_deploy_tune_down_from_outside_the_checkout(
    installed: Installed, cloud_state: Path
) -> None:
    deploy = installed.run(
        "local",
        "deploy",
        "--state-dir",
        str(cloud_state),
        "--app-dir",
        str(ROOT / "app"),
        "--terraform-dir",
        str(ROOT / "infra" / "terraform"),
    )
    assert deploy.returncode == 0, f"deploy failed:\n{deploy.stderr[-4000:]}"
    outputs: dict[str, Any] = json.loads(deploy.stdout)
    reports = installed.cwd / "reports"
    tune = installed.run(
        "tune",
        outputs["function_name"],
        "--local",
        "--local-state-dir",
        str(cloud_state),
        "--memory",
        "128,256",
        "--invocations",
        "2",
        "--payload-http",
        "GET /items",
        "--output",
        str(reports),
    )
    assert tune.returncode == 0, f"tune failed:\n{tune.stderr[-4000:]}"
    (result_file,) = reports.glob("tuning-*.json")
    result = json.loads(result_file.read_text())
    assert [s["value"] for s in result["stats"]] == [128, 256]
    assert result["power"] in (128, 256)
    destroy = installed.run("local", "destroy", "--state-dir", str(cloud_state))
    assert destroy.returncode == 0, f"destroy failed:\n{destroy.stderr[-4000:]}"
    down = installed.run("local", "down", "--state-dir", str(cloud_state))
    assert down.returncode == 0, f"down failed:\n{down.stderr[-4000:]}"
    status = installed.run("local", "status", "--state-dir", str(cloud_state), "--json")
    assert json.loads(status.stdout)["running"] is False
