"""Forward a request unchanged to the moto child and return its response."""

from __future__ import annotations

import http.client

from powertune.localcloud.frontdoor.messages import HttpRequest, HttpResponse

# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "content-length",
        "expect",  # the front door already answered `100-continue` itself
    }
)
_TIMEOUT_S = 120.0


class MotoForwarder:
    """Sends requests to moto at 127.0.0.1:<port> (one connection per request: moto closes)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def forward(self, request: HttpRequest) -> HttpResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=_TIMEOUT_S)
        try:
            connection.putrequest(
                request.method, request.target, skip_host=True, skip_accept_encoding=True
            )
            for name, value in request.headers:
                if name.lower() not in _HOP_BY_HOP:
                    connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(request.body)))
            connection.endheaders(request.body)
            reply = connection.getresponse()
            body = reply.read()
            # A HEAD answer's Content-Length describes the resource (S3 HeadObject): keep it.
            kept = _HOP_BY_HOP - {"content-length"} if request.method == "HEAD" else _HOP_BY_HOP
            headers = tuple(
                (name, value) for name, value in reply.getheaders() if name.lower() not in kept
            )
            return HttpResponse(reply.status, body, headers)
        finally:
            connection.close()
