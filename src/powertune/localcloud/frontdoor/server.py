"""The front door's HTTP plumbing: one threaded HTTP/1.1 server on one 127.0.0.1 port.

It only reads requests into `HttpRequest` values and writes `HttpResponse` values back;
what to answer is decided by the dispatcher it is given. Accepted sockets get
`TCP_NODELAY`: without it, small keep-alive responses wait for the client's delayed ACK
(~40 ms per call, measured on this kind of machine).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse, json_response

Dispatch = Callable[[HttpRequest], HttpResponse]
_LOG = logging.getLogger(__name__)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    dispatch: Dispatch

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (reset, broken pipe) is routine; log anything else."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionResetError | BrokenPipeError):
            return
        _LOG.exception("front door: error while serving %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: boto3 reuses its connections
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Silence per-request logging; the front door is on every hot path."""

    def _read_body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True  # the framing is lost; so is the connection
            self.send_error(400, "Bad Request", "invalid Content-Length or chunked encoding")
            return
        request = HttpRequest(
            method=self.command,
            target=self.path,
            headers=tuple(self.headers.items()),
            body=body,
            client_ip=self.client_address[0],
        )
        try:
            response = self.server.dispatch(request)
        except Exception as exc:  # noqa: BLE001 - one bad request must not kill the server
            _LOG.exception("front door failed on %s %s", request.method, request.target)
            response = json_response(500, {"message": f"local cloud internal error: {exc}"})
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        length = str(len(response.body))
        if self.command == "HEAD":
            length = response.header("Content-Length") or length  # the resource's size
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve  # noqa: N815

    def __getattr__(self, name: str) -> Any:
        """Any other method too: API Gateway, not the HTTP server, decides what it means."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


class HttpFrontDoor:
    """Serves `dispatch` on 127.0.0.1:`port` (0 picks a free port) in a background thread."""

    def __init__(self, port: int, dispatch: Dispatch, host: str = "127.0.0.1") -> None:
        self._server = _Server((host, port), _Handler)
        self._server.dispatch = dispatch
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def set_dispatch(self, dispatch: Dispatch) -> None:
        """Swap the dispatcher (the port must be known before the planes behind it start)."""
        self._server.dispatch = dispatch

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="front-door", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5.0)
