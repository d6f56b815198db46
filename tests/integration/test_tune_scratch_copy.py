"""`powertune tune --scratch-copy` on the local cloud: a qualified alias tuned through a copy.

The copy is built from the aliased version's code (downloaded through GetFunction's
Code.Location, which the local cloud serves), measured, and deleted; the original
function, its version and its alias are never touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

POWERTUNE = [sys.executable, "-c", "from powertune.cli.main import main; main()"]
HANDLER = "def handler(event, context):\n    return {'ok': sum(range(20000))}\n"


@pytest.mark.integration
def test_scratch_copy_tunes_the_alias_code_and_leaves_the_function_untouched(
    local_cloud: Any,
    boto3_client: Callable[..., Any],
    lambda_role: str,
    zip_package: Callable[[dict[str, str]], bytes],
    tmp_path: Path,
) -> None:
    lam = boto3_client("lambda")
    name = f"scratch-{uuid.uuid4().hex[:8]}"
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=lambda_role,
        Handler="app.handler",
        Code={"ZipFile": zip_package({"app.py": HANDLER})},
        MemorySize=384,
        Timeout=30,
    )
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    before = lam.get_function_configuration(FunctionName=name)

    output = tmp_path / "results"
    done = subprocess.run(
        [
            *POWERTUNE,
            "tune",
            f"{name}:live",
            "--scratch-copy",
            "--local",
            "--local-state-dir",
            str(local_cloud.state_dir),
            "--memory",
            "128,512",
            "--invocations",
            "3",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "POWERTUNE_STATE_DIR": str(tmp_path / "state")},
        check=False,
    )
    assert done.returncode == 0, done.stderr

    [result_file] = output.glob("tuning-*.json")
    result = json.loads(result_file.read_text())
    assert result["settings"]["scratch_copy"] is True
    assert {r["memory_mb"] for r in result["invocations"]} == {128, 512}

    # The original: never updated, same versions and alias.
    after = lam.get_function_configuration(FunctionName=name)
    assert after["LastModified"] == before["LastModified"]
    assert after["MemorySize"] == 384
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions == ["$LATEST", version]
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]] == ["live"]
    # The copy is gone.
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert not [n for n in names if n.startswith(f"{name}-pt-")]
