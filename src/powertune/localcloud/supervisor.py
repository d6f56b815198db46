"""Starts and stops one local cloud: front door, moto child and execution engine.

`LocalCloud.start()` is the Python API (tests use it; `powertune local up` runs it in the
foreground). Starting first cleans up what belongs to instances whose process is dead
(their state.json, moto child, cgroups and work folders); stopping leaves no process or
cgroup behind.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from powertune.errors import PowertuneError
from powertune.localcloud.apigateway.catalog import ApiCatalog
from powertune.localcloud.apigateway.server import ApiGatewayDataPlane
from powertune.localcloud.cleanup import clean_stale
from powertune.localcloud.engine import ExecutionEngine
from powertune.localcloud.frontdoor.dispatch import Dispatcher, not_ready
from powertune.localcloud.frontdoor.forward import MotoForwarder
from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse
from powertune.localcloud.frontdoor.routing import signed_service
from powertune.localcloud.frontdoor.server import HttpFrontDoor
from powertune.localcloud.github.server import GitHubStandIn, api_url
from powertune.localcloud.lambda_plane.code_store import CodeStore
from powertune.localcloud.lambda_plane.control import LambdaControlPlane
from powertune.localcloud.lambda_plane.functions import FunctionDirectory, moto_client
from powertune.localcloud.lambda_plane.invoke import InvokeService
from powertune.localcloud.lambda_plane.logs import LogShipper
from powertune.localcloud.moto_process import MotoProcess
from powertune.localcloud.realism import ControlPlaneRealism, RealismSettings
from powertune.localcloud.state import (
    InstanceState,
    remove_state,
    resolve_state_dir,
    write_state,
)

DEFAULT_REGION = "us-east-1"
DEFAULT_CGROUP_ROOT = Path("/sys/fs/cgroup")  # the engine's default
EngineFactory = Callable[..., Any]
_LOG = logging.getLogger(__name__)


def _real_engine(**kwargs: Any) -> Any:
    return ExecutionEngine(**kwargs)


class LocalCloud:
    """One running local cloud instance."""

    def __init__(self) -> None:
        raise TypeError("use LocalCloud.start(...)")

    @classmethod
    def start(
        cls,
        *,
        port: int = 0,
        state_dir: Path | None = None,
        region: str = DEFAULT_REGION,
        realism: RealismSettings | None = None,
        cpu_control: str | None = None,
        cgroup_root: Path | None = None,
        engine_factory: EngineFactory | None = None,
    ) -> LocalCloud:
        """Start an instance; returns once it answers. `port=0` picks a free port.

        `engine_factory` builds the execution engine (keyword arguments as
        `ExecutionEngine`); the default is the real engine.
        """
        self = cls.__new__(cls)
        self._start(
            port,
            resolve_state_dir(state_dir),
            region,
            realism or RealismSettings(),
            cpu_control,
            cgroup_root,
            engine_factory or _real_engine,
        )
        return self

    def _start(
        self,
        port: int,
        state_dir: Path,
        region: str,
        realism: RealismSettings,
        cpu_control: str | None,
        cgroup_root: Path | None,
        engine_factory: EngineFactory,
    ) -> None:
        self.region = region
        self.state_dir = state_dir
        self.stale_removed = clean_stale(state_dir, cgroup_root)
        self.instance_id = f"{os.getpid()}-{secrets.token_hex(3)}"
        self.work_dir = state_dir / "instances" / self.instance_id
        self._front = _listen(port)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._stopped = False
        self.port = self._front.port
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self._front.start()
        self._moto: MotoProcess | None = None
        self._engine: Any = None
        try:
            self._moto = MotoProcess.start(
                frontdoor_port=self.port, log_path=self.work_dir / "moto.log"
            )
            self._engine = engine_factory(
                instance_id=self.instance_id,
                work_dir=self.work_dir / "engine",
                region=region,
                endpoint_url=self.endpoint_url,
                cpu_control=cpu_control,
                cgroup_root=cgroup_root,
            )
            self._assemble(realism)
        except BaseException:
            self.stop()
            raise
        self.cpu_control = str(self._engine.cpu_control)
        self.python_version = str(self._engine.python_version)
        self.state = self._instance_state(cgroup_root)
        write_state(state_dir, self.state)

    def _instance_state(self, cgroup_root: Path | None) -> InstanceState:
        """What other commands need to find and stop this instance (state.json)."""
        assert self._moto is not None
        return InstanceState(
            instance_id=self.instance_id,
            pid=os.getpid(),
            endpoint_url=self.endpoint_url,
            region=self.region,
            cpu_control=self.cpu_control,
            python_version=self.python_version,
            state_dir=str(self.state_dir),
            moto_pid=self._moto.pid,
            cgroup_root=(
                str(cgroup_root or DEFAULT_CGROUP_ROOT)
                if self.cpu_control.startswith("cgroup")
                else None
            ),
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            github_api_url=api_url(self.endpoint_url),
        )

    def _assemble(self, realism: RealismSettings) -> None:
        assert self._moto is not None
        self._realism = realism
        forwarder = MotoForwarder(self._moto.port)
        code_store = CodeStore(self.work_dir / "code")
        directory = FunctionDirectory(self._moto.url, code_store, self.region)
        s3_clients: dict[str, Any] = {}

        def fetch_s3_object(bucket: str, key: str, version: str | None, region: str) -> bytes:
            client = s3_clients.setdefault(region, moto_client("s3", self._moto_url(), region))
            extra = {"VersionId": version} if version else {}
            body: bytes = client.get_object(Bucket=bucket, Key=key, **extra)["Body"].read()
            return body

        self._logs = LogShipper(self._moto.url)
        control_realism = ControlPlaneRealism(realism)
        self._invoke = InvokeService(
            engine=self._engine,
            directory=directory,
            logs=self._logs,
            realism=control_realism,
            default_region=self.region,
        )
        catalog = ApiCatalog(self._moto.url, self.region)
        self._apigw = ApiGatewayDataPlane(catalog=catalog, invoke=self._invoke, region=self.region)
        control = LambdaControlPlane(
            forwarder=forwarder,
            code_store=code_store,
            directory=directory,
            realism=control_realism,
            fetch_s3_object=fetch_s3_object,
            forget=lambda name, version: self._engine.forget(name, version),
            public_url=self.endpoint_url,
            default_region=self.region,
        )

        def forward_with_hooks(request: HttpRequest) -> HttpResponse:
            response = forwarder.forward(request)
            scope = signed_service(request)
            if scope is not None and scope[0] == "apigateway":
                return catalog.observe(request, response)
            return response

        self._front.set_dispatch(
            Dispatcher(
                forward=forward_with_hooks,
                control=control,
                invoke=self._invoke,
                api_gateway=self._apigw.handle,
                code_store=code_store,
                status=self.status,
                github=GitHubStandIn(),
            )
        )

    def _moto_url(self) -> str:
        assert self._moto is not None
        return self._moto.url

    def status(self) -> dict[str, object]:
        """What `powertune local status --json` prints."""
        document = self.state.to_json()
        document["realism"] = {
            "update_in_progress_s": self._realism.update_in_progress_s,
            "control_plane_rps": self._realism.control_plane_rps,
            "create_pending_s": self._realism.create_pending_s,
        }
        return document

    def stop(self) -> None:
        """Stop everything this instance started; safe to call twice."""
        if getattr(self, "_stopped", True):
            return
        self._stopped = True
        self._front.stop()
        for closer in ("_apigw", "_invoke", "_logs"):
            part = getattr(self, closer, None)
            if part is not None:
                part.close()
        if self._engine is not None:
            self._engine.shutdown()
        if self._moto is not None:
            self._moto.stop()
        remove_state(self.state_dir, os.getpid())
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> LocalCloud:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_for_signal(self) -> None:
        """Block until SIGINT or SIGTERM, then stop (the foreground `local up`)."""
        stop = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while not stop.wait(0.5):
            pass
        self.stop()


def _listen(port: int) -> HttpFrontDoor:
    """The front door on 127.0.0.1:`port`, or an error naming the port and the fix."""
    try:
        return HttpFrontDoor(port, not_ready)
    except OSError as exc:
        raise PowertuneError(
            f"the local cloud cannot listen on 127.0.0.1:{port} ({exc.strerror}); another "
            "program (or local cloud) uses it. Stop it, or pick another port with --port "
            "(0 picks a free one)."
        ) from exc
