"""The front door itself: its own endpoints and how it copes with broken HTTP."""

from __future__ import annotations

import socket
from typing import Any

import httpx


def raw_status_line(endpoint_url: str, request: bytes) -> bytes:
    host, port = endpoint_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        data = b""
        while b"\r\n" not in data:
            chunk = connection.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n")[0]


def test_status_endpoint_describes_the_instance(local_cloud: Any) -> None:
    status = httpx.get(f"{local_cloud.endpoint_url}/_powertune/status").json()
    assert status["endpoint_url"] == local_cloud.endpoint_url
    assert status["region"] == local_cloud.region
    assert status["cpu_control"] == local_cloud.cpu_control
    assert status["state_dir"] == str(local_cloud.state_dir)
    assert status["realism"]["control_plane_rps"] is None


def test_unknown_own_endpoint_and_code_are_404(local_cloud: Any) -> None:
    assert httpx.get(f"{local_cloud.endpoint_url}/_powertune/nothing").status_code == 404
    missing = httpx.get(f"{local_cloud.endpoint_url}/_powertune/code/{'0' * 64}.zip")
    assert missing.status_code == 404 and b"NoSuchKey" in missing.content
    assert (
        httpx.get(f"{local_cloud.endpoint_url}/_powertune/code/..%2Fstate.zip").status_code == 404
    )


def test_broken_framing_is_400_not_a_dropped_connection(local_cloud: Any) -> None:
    bad_length = b"POST /anything HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"
    bad_chunk = b"POST /anything HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
    assert raw_status_line(local_cloud.endpoint_url, bad_length).startswith(b"HTTP/1.1 400")
    assert raw_status_line(local_cloud.endpoint_url, bad_chunk).startswith(b"HTTP/1.1 400")


def test_chunked_request_bodies_are_read(local_cloud: Any) -> None:
    request = (
        b"POST /2015-03-31/functions/none/invocations HTTP/1.1\r\nHost: x\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    )
    # The body parsed as JSON, so the error is about the function, not the payload.
    assert raw_status_line(local_cloud.endpoint_url, request).startswith(b"HTTP/1.1 404")
