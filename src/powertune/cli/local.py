"""`powertune local ...`: start, stop and inspect the local cloud.

`up` runs it in the foreground (Ctrl-C stops it cleanly) or, with `--detach`, in the
background, returning once it answers and printing its status JSON. `down` stops the
instance recorded in the state folder; `status --json` prints its endpoints.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import httpx

from powertune.errors import PowertuneError
from powertune.localcloud.processes import pid_alive
from powertune.localcloud.realism import RealismSettings
from powertune.localcloud.state import (
    InstanceState,
    LocalCloudNotRunning,
    read_live_state,
    read_state,
    resolve_state_dir,
)

_DETACH_TIMEOUT_S = 90.0
_STOP_TIMEOUT_S = 20.0

state_dir_option = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State folder (default: $POWERTUNE_LOCAL_STATE or ~/.cache/powertune/local).",
)


@click.group()
def local() -> None:
    """Run a local cloud that behaves like Lambda (memory-proportional CPU)."""


def _status_document(state: InstanceState) -> dict[str, object]:
    """The live instance's own status, falling back to state.json if it does not answer."""
    try:
        reply = httpx.get(f"{state.endpoint_url}/_powertune/status", timeout=5.0)
        if reply.status_code == 200:
            document: dict[str, object] = reply.json()
            return document
    except httpx.HTTPError:
        pass
    return state.to_json()


@local.command("up")
@click.option(
    "--port", type=int, default=4566, show_default=True, help="Front door port; 0 = free."
)
@click.option("--detach", is_flag=True, help="Start in the background; return once ready.")
@state_dir_option
@click.option("--region", default="us-east-1", show_default=True)
@click.option(
    "--update-in-progress-s",
    type=float,
    default=0.0,
    help="Realism: keep LastUpdateStatus InProgress this long after an update (0 = off).",
)
@click.option(
    "--control-plane-rps",
    type=int,
    default=None,
    help="Realism: answer 429 TooManyRequestsException beyond this many Lambda "
    "control-plane requests per second (AWS: 15).",
)
@click.option(
    "--create-pending-s",
    type=float,
    default=0.0,
    help="Realism: a new function stays State Pending this long (invokes get 409).",
)
def up(
    port: int,
    detach: bool,
    state_dir: Path | None,
    region: str,
    update_in_progress_s: float,
    control_plane_rps: int | None,
    create_pending_s: float,
) -> None:
    """Start the local cloud."""
    folder = resolve_state_dir(state_dir)
    if detach:
        realism = RealismSettings(update_in_progress_s, control_plane_rps, create_pending_s)
        _up_detached(folder, port, region, realism)
        return
    from powertune.localcloud.supervisor import LocalCloud

    cloud = LocalCloud.start(
        port=port,
        state_dir=folder,
        region=region,
        realism=RealismSettings(update_in_progress_s, control_plane_rps, create_pending_s),
    )
    click.echo(json.dumps(cloud.status(), indent=2))
    click.echo(f"local cloud ready at {cloud.endpoint_url} (Ctrl-C to stop)", err=True)
    cloud.wait_for_signal()
    click.echo("local cloud stopped", err=True)


def _up_detached(folder: Path, port: int, region: str, realism: RealismSettings) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / "local-up.log"
    args = [
        sys.executable,
        "-c",
        "from powertune.cli.main import main; main()",
        "local",
        "up",
        "--port",
        str(port),
        "--state-dir",
        str(folder),
        "--region",
        region,
        "--update-in-progress-s",
        str(realism.update_in_progress_s),
        "--create-pending-s",
        str(realism.create_pending_s),
    ]
    if realism.control_plane_rps is not None:
        args += ["--control-plane-rps", str(realism.control_plane_rps)]
    with log_path.open("ab") as log:
        child = subprocess.Popen(
            args, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
        )
    deadline = time.monotonic() + _DETACH_TIMEOUT_S
    while time.monotonic() < deadline:
        if child.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise PowertuneError(
                f"the local cloud exited during start-up (exit {child.returncode}); "
                f"its log {log_path} ends with:\n{tail}"
            )
        state = read_state(folder)
        if state is not None and state.pid == child.pid:
            click.echo(json.dumps(_status_document(state), indent=2))
            return
        time.sleep(0.2)
    child.terminate()
    raise PowertuneError(
        f"the local cloud did not become ready within {_DETACH_TIMEOUT_S:.0f} s; see {log_path}"
    )


@local.command("down")
@state_dir_option
def down(state_dir: Path | None) -> None:
    """Stop the local cloud recorded in the state folder."""
    folder = resolve_state_dir(state_dir)
    state = read_state(folder)
    if state is None or not pid_alive(state.pid):
        from powertune.localcloud.cleanup import clean_stale

        removed = clean_stale(folder)
        click.echo(f"no local cloud running for {folder}; cleaned up {len(removed)} leftovers")
        return
    os.kill(state.pid, signal.SIGTERM)
    from powertune.localcloud.cleanup import clean_stale, wait_until_stopped

    if not wait_until_stopped(state.pid, _STOP_TIMEOUT_S):
        os.kill(state.pid, signal.SIGKILL)
        wait_until_stopped(state.pid, 5.0)
        clean_stale(folder)
    click.echo(f"stopped local cloud {state.endpoint_url} (pid {state.pid})")


@local.command("status")
@state_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(state_dir: Path | None, as_json: bool) -> None:
    """Show the running local cloud's endpoints."""
    try:
        state = read_live_state(state_dir)
    except LocalCloudNotRunning as exc:
        if as_json:
            click.echo(json.dumps({"running": False, "error": str(exc)}))
        raise
    document = {"running": True, **_status_document(state)}
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    for key in ("endpoint_url", "region", "cpu_control", "python_version", "pid", "state_dir"):
        click.echo(f"{key:15} {document.get(key)}")


# The reference workload's `deploy`/`destroy` commands are added to this group from their
# own module, at the bottom of this file: local.add_command(...)

from powertune.cli.local_deploy import deploy, destroy, plan  # noqa: E402
from powertune.cli.local_github import github  # noqa: E402

local.add_command(deploy)
local.add_command(destroy)
local.add_command(plan)
local.add_command(github)
