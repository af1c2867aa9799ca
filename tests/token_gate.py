"""A token-checking HTTP proxy on loopback, for `chroma run` servers that must demand a token.

`chroma run` (Chroma 1.x) serves anyone who connects: it has no authentication of its own,
and Chroma's guidance for 1.x is a proxy in front of it that lets through only requests
carrying the token (Envoy's RBAC filter matching one header). This gate does the same: a
request whose `X-Chroma-Token` header (Chroma Cloud's) holds the token is forwarded, any
other gets 403 "RBAC: access denied", as Envoy answers.
"""

from __future__ import annotations

import http.client
import threading
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})
UPSTREAM_TIMEOUT_S = 300


class TokenGate:
    """Forwards loopback `port` to `upstream` for requests that carry `token`."""

    def __init__(self, token: str, upstream: int, port: int) -> None:
        self.server = _GateServer(("127.0.0.1", port), token, upstream)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> TokenGate:
        """Start forwarding in a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop forwarding and close the port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


class _GateServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], token: str, upstream: int) -> None:
        super().__init__(address, _Handler)
        self.token = token
        self.upstream = upstream

    def admits(self, headers: Message) -> bool:
        """True when the token header holds the token."""
        return headers.get("X-Chroma-Token") == self.token


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _GateServer

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.server.admits(self.headers):
            self._reply(403, [("Content-Type", "text/plain")], b"RBAC: access denied")
            return
        upstream = http.client.HTTPConnection(
            "127.0.0.1", self.server.upstream, timeout=UPSTREAM_TIMEOUT_S
        )
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        finally:
            upstream.close()
        self._reply(response.status, kept, payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _relay

    def _reply(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read results, not access logs."""
