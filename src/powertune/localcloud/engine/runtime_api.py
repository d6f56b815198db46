"""The Lambda Runtime API (2018-06-01) that `awslambdaric` talks to, on 127.0.0.1.

Each execution environment gets its own listener, as every Lambda sandbox has its own
Runtime API endpoint: the runtime identifies neither itself nor its sandbox in its requests,
and awslambdaric opens `AWS_LAMBDA_RUNTIME_API` as a bare `host:port` (http.client), so a
per-environment path prefix on one shared port would break its init-error call.

Routes (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
GET /2018-06-01/runtime/invocation/next, POST .../invocation/{id}/response,
POST .../invocation/{id}/error, POST /2018-06-01/runtime/init/error.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

PREFIX = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


@dataclass(frozen=True, slots=True)
class Invocation:
    """One event handed to the runtime by `/next`."""

    request_id: str
    payload: bytes
    deadline_epoch_ms: int
    function_arn: str
    trace_id: str
    client_context: str | None


class RuntimeApiSink(Protocol):
    """The environment behind one listener."""

    def next_invocation(self) -> Invocation | None:
        """Block until there is an event; None means the environment is going away."""
        ...

    def on_dispatched(self, request_id: str) -> None: ...

    def on_response(self, request_id: str, body: bytes) -> bool: ...

    def on_error(self, request_id: str, body: bytes, error_type: str) -> bool: ...

    def on_init_error(self, body: bytes, error_type: str) -> None: ...


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: RuntimeApiServer

    def setup(self) -> None:
        super().setup()
        # Without TCP_NODELAY, Nagle + delayed ACK add ~42 ms per invocation (measured).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # This thread starts and stops the Duration clock: when the host is busy it must not
        # wait for a CPU behind other work (Linux nice values are per thread). Needs root.
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), -10)

    def log_message(self, format: str, *args: object) -> None:
        """Silence http.server's access log; the runtime's own output is what we collect."""

    def _reply(self, status: int, body: bytes = b'{"status":"OK"}') -> None:
        self.send_response(status)
        # awslambdaric's native client waits forever on a reply without Content-Type.
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        if self.path != f"{PREFIX}/invocation/next":
            self._reply(404, b'{"errorMessage":"unknown path"}')
            return
        invocation = self.server.sink.next_invocation()
        if invocation is None:
            self._reply(410, b'{"errorMessage":"environment is shutting down"}')
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(invocation.payload)))
        self.send_header("Lambda-Runtime-Aws-Request-Id", invocation.request_id)
        self.send_header("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_epoch_ms))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", invocation.function_arn)
        self.send_header("Lambda-Runtime-Trace-Id", invocation.trace_id)
        if invocation.client_context:
            self.send_header("Lambda-Runtime-Client-Context", invocation.client_context)
        # The clock starts now, before the event is on the wire: the runtime may answer on
        # another connection before this thread runs again.
        self.server.sink.on_dispatched(invocation.request_id)
        self.end_headers()
        self.wfile.write(invocation.payload)
        self.wfile.flush()

    def do_POST(self) -> None:
        body = self._body()
        parts = self.path.removeprefix(PREFIX).strip("/").split("/")
        error_type = self.headers.get(ERROR_TYPE_HEADER) or "Runtime.Unknown"
        sink = self.server.sink
        if parts == ["init", "error"]:
            sink.on_init_error(body, error_type)
            self._reply(202)
        elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            if parts[2] == "response":
                known = sink.on_response(parts[1], body)
            else:
                known = sink.on_error(parts[1], body, error_type)
            # Lambda answers 400 InvalidRequestID for a request id it is not running.
            self._reply(202) if known else self._reply(400, b'{"errorType":"InvalidRequestID"}')
        else:
            self._reply(404, b'{"errorMessage":"unknown path"}')


class RuntimeApiServer(ThreadingHTTPServer):
    """One environment's Runtime API endpoint on a free 127.0.0.1 port."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, sink: RuntimeApiSink) -> None:
        self.sink = sink
        super().__init__(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()

    def handle_error(self, request: object, client_address: object) -> None:
        """A runtime killed mid-request (timeout, OOM) is expected; don't print tracebacks."""

    @property
    def address(self) -> str:
        """`host:port` for AWS_LAMBDA_RUNTIME_API."""
        host, port = self.server_address[:2]
        return f"{host!s}:{port}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()
