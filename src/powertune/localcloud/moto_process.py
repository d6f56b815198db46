"""The moto server child process that serves every control plane of one local cloud.

One child per instance, on its own free port, so parallel instances never share state.
The child is started with `MOTO_PORT` set to the FRONT DOOR's port: moto's Step Functions
interpreter calls Lambda at `localhost:$MOTO_PORT`, so its Lambda tasks run in our engine.
It exits on its own when its parent dies (a watchdog polls the parent pid), so a crashed
local cloud does not leave it behind; the next start also kills it by pid from state.json.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from powertune.errors import PowertuneError

CHILD_MODULE = "powertune.localcloud.moto_process"
_READY_PREFIX = "MOTO_READY PORT "
_START_TIMEOUT_S = 60.0


class MotoStartError(PowertuneError):
    """The moto child did not come up."""


@dataclass(frozen=True)
class MotoProcess:
    """A running moto child: its pid and the port it listens on (127.0.0.1)."""

    process: subprocess.Popen[str]
    port: int

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, *, frontdoor_port: int, log_path: Path) -> MotoProcess:
        """Start the child and wait until it reports the port it bound."""
        env = dict(os.environ)
        env["MOTO_PORT"] = str(frontdoor_port)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", CHILD_MODULE, "--parent-pid", str(os.getpid())],
                stdout=subprocess.PIPE,
                stderr=log,
                stdin=subprocess.DEVNULL,
                env=env,
                text=True,
                start_new_session=True,  # Ctrl-C in a terminal reaches the supervisor only
            )
        port = _read_ready_port(process, log_path)
        return cls(process, port)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Terminate the child and wait for it; kill it if it does not exit in time."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout_s)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _read_ready_port(process: subprocess.Popen[str], log_path: Path) -> int:
    stdout: IO[str] | None = process.stdout
    assert stdout is not None
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(_START_TIMEOUT_S)
    line = result[0] if result else ""
    if not line.startswith(_READY_PREFIX):
        process.kill()
        process.wait()
        raise MotoStartError(
            f"the moto server child did not start (first output line {line!r}); "
            f"see its log at {log_path}"
        )
    return int(line.removeprefix(_READY_PREFIX).strip())


def _watch_parent(parent_pid: int) -> None:
    """Exit when the parent is gone (we got re-parented), so no moto outlives its instance."""
    while True:
        if os.getppid() != parent_pid:
            os._exit(0)
        time.sleep(0.5)


def _serve(parent_pid: int) -> None:
    from moto.core.config import default_user_config
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    # Step Functions executions run for real (moto's ASL interpreter); Lambda Invoke never
    # reaches moto (the front door serves it), so moto must not look for Docker.
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    from powertune.localcloud import moto_fixes

    moto_fixes.apply()  # nested workflows (startExecution.sync:2), which fleets run
    default_user_config["lambda"] = {"use_docker": False}
    # Terraform attaches AWS managed policies (AWSLambdaBasicExecutionRole) to roles.
    default_user_config["iam"] = {"load_aws_managed_policies": True}
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    sys.stdout.write(f"{_READY_PREFIX}{server.server_port}\n")
    sys.stdout.flush()
    # Nobody reads the pipe after the ready line: send later output to the log file instead,
    # so a chatty moto can never block on a full pipe.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Child entry point: `python -m powertune.localcloud.moto_process --parent-pid N`."""
    args = argv if argv is not None else sys.argv[1:]
    parent_pid = int(args[args.index("--parent-pid") + 1])
    _serve(parent_pid)


if __name__ == "__main__":
    main()
