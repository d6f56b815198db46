"""Where a running local cloud is recorded (`state.json`) and how other commands find it.

The state folder is `--state-dir`, else `$POWERTUNE_LOCAL_STATE`, else
`$XDG_CACHE_HOME/powertune/local` (`~/.cache/powertune/local`). Commands that take
`--endpoint-url` also take `--local`, which calls `read_endpoint`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from powertune.errors import PowertuneError
from powertune.localcloud.processes import pid_alive

STATE_FILE = "state.json"
STATE_ENV = "POWERTUNE_LOCAL_STATE"


class LocalCloudNotRunning(PowertuneError):
    """No live local cloud is recorded in the state folder."""


class LocalCloudAlreadyRunning(PowertuneError):
    """A live instance already owns this state folder."""


@dataclass(frozen=True)
class LocalEndpoint:
    """What a `--local` command needs: the front door URL, the region and credentials.

    The local cloud accepts any credentials; these are given so a client works on a
    machine with no AWS credentials configured at all (botocore refuses to sign without).
    """

    endpoint_url: str
    region: str
    access_key_id: str = "powertune-local"
    secret_access_key: str = "powertune-local"  # noqa: S105 - not a secret: any value works


@dataclass(frozen=True)
class InstanceState:
    """The contents of state.json."""

    instance_id: str
    pid: int
    endpoint_url: str
    region: str
    cpu_control: str
    python_version: str
    state_dir: str
    moto_pid: int
    cgroup_root: str | None
    started_at: str
    github_api_url: str = ""  # the GitHub stand-in (GITHUB_API_URL); "" in older state files

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def default_state_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "powertune" / "local"


def resolve_state_dir(state_dir: Path | None) -> Path:
    """The explicit folder, else $POWERTUNE_LOCAL_STATE, else the user's cache folder.

    Always absolute, so state.json means the same from any working directory.
    """
    if state_dir is not None:
        return state_dir.absolute()
    from_env = os.environ.get(STATE_ENV)
    return (Path(from_env) if from_env else default_state_dir()).absolute()


def write_state(state_dir: Path, state: InstanceState) -> None:
    """Write state.json atomically (readers never see half a file)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    temporary = state_dir / f".{STATE_FILE}.{os.getpid()}"
    temporary.write_text(json.dumps(state.to_json(), indent=2) + "\n")
    temporary.replace(state_dir / STATE_FILE)


def read_state(state_dir: Path) -> InstanceState | None:
    """The recorded instance, alive or not; None when there is no readable state.json."""
    try:
        document = json.loads((state_dir / STATE_FILE).read_text())
        return InstanceState(**document)
    except (OSError, ValueError, TypeError):
        return None


def remove_state(state_dir: Path, pid: int) -> None:
    """Remove state.json if it still belongs to `pid`."""
    state = read_state(state_dir)
    if state is not None and state.pid == pid:
        (state_dir / STATE_FILE).unlink(missing_ok=True)


def read_live_state(state_dir: Path | None) -> InstanceState:
    """The running instance recorded in the state folder, or a clear error."""
    folder = resolve_state_dir(state_dir)
    state = read_state(folder)
    if state is None or not pid_alive(state.pid):
        why = f"its process {state.pid} is gone" if state else "no state.json"
        command = "powertune local up --detach" + (
            "" if state_dir is None else f" --state-dir {folder}"
        )
        raise LocalCloudNotRunning(
            f"no local cloud is running for state folder {folder} ({why}). Start one with "
            f"`{command}`, or point {STATE_ENV} at the folder of a running one."
        )
    return state


def read_endpoint(state_dir: Path | None = None) -> LocalEndpoint:
    """Endpoint and region of the running local cloud, for commands' `--local` flag."""
    state = read_live_state(state_dir)
    return LocalEndpoint(state.endpoint_url, state.region)
