"""What reaches the web app, checked before Gradio sees a request.

- The `Host` a request names must be one the server answers to: the address it binds to
  (on loopback also `localhost`, `127.0.0.1` and `::1`; on all interfaces any name) and
  `CHIPQA_ALLOWED_HOSTS`. A page elsewhere that rebinds its own name to this machine's
  address therefore reaches nothing (DNS rebinding).
- Gradio's own upload route takes files only when the Corpus tab takes uploads, and then
  at most `MAX_FILES` files' worth per request and `HOURLY_UPLOADS` requests and
  `HOURLY_FILES` files' worth of bytes an hour.
- A client that failed to log in `FREE_FAILURES` times waits before each further try:
  1 s, 2 s, 4 s … up to `MAX_WAIT_S`, from its last failure; a success forgets them.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from assistant.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_ROUTE = "/gradio_api/upload"
LOGIN_ROUTE = "/login"
MAX_FILES = 20  # files' worth of bytes one upload request may carry
HOURLY_UPLOADS = 100  # upload requests the whole server takes in an hour
HOURLY_FILES = 50  # files' worth of bytes it takes in an hour
FREE_FAILURES = 3
MAX_WAIT_S = 60.0
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def allowed_hosts(settings: Settings) -> frozenset[str] | None:
    """The host names requests may name (None: any, for a server on all interfaces)."""
    extra = {h.strip().lower() for h in (settings.allowed_hosts or "").split(",") if h.strip()}
    host = settings.host.lower()
    if host in ("0.0.0.0", "::", "") and not extra:
        return None
    names = {host, *extra}
    if host == "localhost" or _is_loopback(host):
        names.update(LOOPBACK_NAMES)
    return frozenset(names)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_of(scope: Scope) -> str:
    """The host a request names, without its port ('[::1]:7860' gives '::1')."""
    value = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
    if value.startswith("["):
        return value[1 : value.find("]")]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass
class UploadBudget:
    """Gradio's upload route: closed, or open within a size and an hourly budget."""

    open: bool
    max_bytes: int  # one file
    recent: deque[tuple[float, int]] = field(default_factory=deque)  # (when, bytes)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """Why an upload request is refused (status, reason), or None and it is counted."""
        if not self.open:
            return 403, "uploads are off on this server"
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is None or not length.isdigit():
            return 411, "an upload must say its length"
        size = int(length)
        if size > MAX_FILES * self.max_bytes:
            return 413, f"one upload may carry at most {MAX_FILES} files of the size limit"
        now = time.monotonic()
        while self.recent and now - self.recent[0][0] > 3600:
            self.recent.popleft()
        spent = sum(n for _, n in self.recent)
        if len(self.recent) >= HOURLY_UPLOADS or spent + size > HOURLY_FILES * self.max_bytes:
            return 429, "this server took all the uploads it takes in an hour; try later"
        self.recent.append((now, size))
        return None


@dataclass
class LoginThrottle:
    """Failed logins per client: (how many, when the last one was)."""

    failures: dict[str, tuple[int, float]] = field(default_factory=dict)

    def wait(self, client: str) -> float:
        """Seconds this client must still wait before its next try."""
        count, last = self.failures.get(client, (0, 0.0))
        if count < FREE_FAILURES:
            return 0.0
        delay = min(MAX_WAIT_S, 2.0 ** (count - FREE_FAILURES))
        return max(0.0, last + delay - time.monotonic())

    def record(self, client: str, status: int) -> None:
        """Count a failed login (400, 401), forget the client's failures on success."""
        if status == 200:
            self.failures.pop(client, None)
        elif status in (400, 401):
            count, _ = self.failures.get(client, (0, 0.0))
            self.failures[client] = (count + 1, time.monotonic())


class Guard:
    """ASGI middleware: the host check, the upload route's budget and the login throttle."""

    def __init__(self, app: ASGIApp, settings: Settings, uploads_open: bool) -> None:
        self.app = app
        self.hosts = allowed_hosts(settings)
        self.uploads = UploadBudget(uploads_open, settings.max_upload_mb * 1024 * 1024)
        self.logins = LoginThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if self.hosts is not None and _host_of(scope) not in self.hosts:
            return await _refuse(scope, send, 400, "this server does not answer to that host name")
        path, method = scope.get("path", ""), scope.get("method")
        if method == "POST" and path.endswith(UPLOAD_ROUTE):
            refused = self.uploads.refusal(scope)
            if refused:
                return await _refuse(scope, send, *refused)
        if method == "POST" and path.rstrip("/").endswith(LOGIN_ROUTE):
            return await self._login(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = (scope.get("client") or ("unknown",))[0]
        wait = self.logins.wait(client)
        if wait > 0:
            reason = f"too many failed logins: try again in {wait:.0f} s"
            return await _refuse(scope, send, 429, reason, retry_after=wait)

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.logins.record(client, int(message["status"]))
            await send(message)

        await self.app(scope, receive, watched)


async def _refuse(
    scope: Scope, send: Send, status: int, reason: str, retry_after: float | None = None
) -> None:
    """Answer with `status` and a one-line JSON reason (a websocket is closed)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"error": reason}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, round(retry_after))).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
