"""The Chroma client: an embedded database in the data folder, or a Chroma server.

A server is a local `chroma run`, a `chroma run` behind a proxy that checks a token, a
distributed Chroma or Chroma Cloud: host, port, TLS, a token and the tenant and database
come from the settings (`CHIPQA_CHROMA_*`). Every call to a server has a time limit
(`CHIPQA_CHROMA_TIMEOUT`): a server that accepts connections but never answers (frozen,
overloaded) ends in the same "unavailable" error as one that is down.
"""

from __future__ import annotations

import errno
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import StoreError

if TYPE_CHECKING:
    from chromadb.config import Settings as ChromaSettings

    from assistant.settings import Settings

DEFAULT_PORT = 8000  # `chroma run`'s own default
TOKEN_PROVIDER = "chromadb.auth.token_authn.TokenAuthClientProvider"
REFUSED = frozenset({401, 403})
MB = 1024 * 1024
FULL = ("database or disk is full", "no space left on device")
READ_ONLY = ("readonly database", "read-only file system")
DAMAGED = ("database disk image is malformed", "file is not a database")
HEARTBEAT = "/api/v2/heartbeat"

log = logging.getLogger(__name__)
_unchecked: set[str] = set()  # servers already said to check no token


def brief_error(error: BaseException) -> str:
    """The first line of an error's message, or its type when it has none."""
    lines = str(error).strip().splitlines()
    return lines[0][:200] if lines else type(error).__name__


def connect(settings: Settings) -> Any:
    """A Chroma client for the settings: one clear `StoreError` line when it cannot open."""
    if settings.uses_server:
        return _server_client(settings)
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path = settings.data_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
    except OSError as error:
        raise StoreError(
            storage_problem(error, settings.data_dir)
            or f"cannot use data directory {settings.data_dir} ({error.strerror}): "
            "set CHIPQA_DATA_DIR to a writable folder"
        ) from error
    except Exception as error:
        raise StoreError(
            storage_problem(error, settings.data_dir)
            or f"cannot open the Chroma store in {settings.data_dir} ({brief_error(error)}): "
            "move that folder aside and re-run `chipqa ingest`, or set CHIPQA_DATA_DIR"
        ) from error


def reconnect(settings: Settings) -> Any:
    """A client that reads the embedded store afresh. Chroma shares one client per folder
    within a process, and its vector index does not see what other processes wrote after
    it was loaded; the shared one is left to the clients that hold it."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(settings.data_dir / "chroma"), None)
    return connect(settings)


def storage_problem(error: BaseException, folder: Path) -> str | None:
    """One line for a full or read-only disk under `folder`, or a damaged database in it,
    naming the fix; None when the error is of another kind."""
    errors = {link.errno for link in chain(error) if isinstance(link, OSError)}
    text = " ".join(str(link).lower() for link in chain(error))
    if errno.ENOSPC in errors or any(phrase in text for phrase in FULL):
        free = shutil.disk_usage(_existing(folder)).free / MB
        return (
            f"the disk holding {folder} is full ({free:.0f} MB free): free some space there "
            "and retry; `chipqa ingest` then finishes any document it left half-written"
        )
    if errno.EROFS in errors or any(phrase in text for phrase in READ_ONLY):
        return (
            f"{folder} is read-only: make it writable, or set CHIPQA_DATA_DIR to a writable folder"
        )
    if errors & {errno.EACCES, errno.EPERM}:
        return (
            f"no permission to write in {folder}: make it writable for this user, or set "
            "CHIPQA_DATA_DIR to a writable folder"
        )
    if any(phrase in text for phrase in DAMAGED):
        return (
            f"the store in {folder} is damaged ({brief_error(error)}): move that folder "
            "aside and run `chipqa ingest` to build it again"
        )
    return None


def _existing(folder: Path) -> Path:
    """`folder`, or its nearest ancestor that exists."""
    return next(path for path in (folder, *folder.parents) if path.exists())


def _server_client(settings: Settings) -> Any:
    """An `HttpClient` on the configured server, tenant and database, sending the token,
    whose every request has a time limit."""
    import chromadb

    _check_answers(settings)
    try:
        client = chromadb.HttpClient(
            host=str(settings.chroma_host),
            port=settings.chroma_port or DEFAULT_PORT,
            ssl=settings.chroma_ssl,
            settings=client_settings(settings),
            tenant=settings.chroma_tenant,
            database=settings.chroma_database,
        )
    except Exception as error:  # chromadb and httpx raise many unrelated types here
        raise StoreError(server_problem(settings, error)) from error
    _limit_waits(client, settings.chroma_timeout)
    _warn_if_token_unchecked(settings)
    return client


def _check_answers(settings: Settings) -> None:
    """Raise `StoreError` when the server takes connections but does not answer in time:
    Chroma's client, which asks it a few things as it starts, would wait for ever."""
    import httpx

    scheme = "https" if settings.chroma_ssl else "http"
    url = f"{scheme}://{settings.chroma_host}:{settings.chroma_port or DEFAULT_PORT}"
    try:
        httpx.get(f"{url}/api/v2/heartbeat", timeout=settings.chroma_timeout)
    except httpx.TimeoutException as error:
        raise StoreError(unavailable(error)) from error
    except httpx.HTTPError:
        return  # refused, or TLS: the client's own error names the setting to fix


def _limit_waits(client: Any, seconds: float) -> None:
    """Give every request of `client` a timeout: `seconds`, and as long again for each MB
    it sends (a write of many rows). Chroma 1.5's HTTP session has none."""
    import httpx

    def limit(request: httpx.Request) -> None:
        size = len(request.content)
        request.extensions["timeout"] = httpx.Timeout(seconds * (1 + size / MB)).as_dict()

    client._server._session.event_hooks["request"].append(limit)


def unavailable(error: BaseException) -> str:
    """The line a failed call to a Chroma server ends in."""
    import httpx

    if any(isinstance(link, httpx.TimeoutException) for link in chain(error)):
        reason = "no answer within CHIPQA_CHROMA_TIMEOUT"
    else:
        reason = brief_error(error)
    return f"the vector store is unavailable ({reason}); retry shortly"


def _warn_if_token_unchecked(settings: Settings) -> None:
    """With a token set, say once per server when it also answers a request without one: a
    bare `chroma run` checks no token, so anyone who reaches it reads and writes."""
    import httpx

    where = f"{settings.chroma_host}:{settings.chroma_port or DEFAULT_PORT}"
    if settings.chroma_token is None or where in _unchecked:
        return
    scheme = "https" if settings.chroma_ssl else "http"
    try:
        answered = httpx.get(f"{scheme}://{where}{HEARTBEAT}", timeout=5).status_code == 200
    except httpx.HTTPError:
        return
    if answered:
        _unchecked.add(where)
        log.warning(
            "the Chroma server at %s answers without CHIPQA_CHROMA_TOKEN: nothing checks the "
            "token, so anyone who reaches the server can read and change the index; put it "
            "behind a proxy that checks the token (see README, Scaling out)",
            where,
        )


def client_settings(settings: Settings) -> ChromaSettings:
    """Chroma's client settings: no telemetry; with a token, Chroma's token auth provider."""
    from chromadb.config import Settings as ChromaSettings

    if settings.chroma_token is None:
        return ChromaSettings(anonymized_telemetry=False)
    return ChromaSettings(
        anonymized_telemetry=False,
        chroma_client_auth_provider=TOKEN_PROVIDER,
        chroma_client_auth_credentials=settings.chroma_token.get_secret_value(),
        chroma_auth_token_transport_header=settings.chroma_token_header,
    )


def server_problem(settings: Settings, error: Exception) -> str:
    """One line saying why the server would not open and which setting fixes it."""
    port = settings.chroma_port or DEFAULT_PORT
    where = f"the Chroma server at {settings.chroma_host}:{port}"
    status = http_status(error)
    if status in REFUSED and settings.chroma_token is None:
        return f"{where} wants a token (HTTP {status}): set CHIPQA_CHROMA_TOKEN"
    if status in REFUSED:
        return (
            f"{where} refused the token (HTTP {status}): check CHIPQA_CHROMA_TOKEN "
            f"and CHIPQA_CHROMA_TOKEN_HEADER (now {settings.chroma_token_header})"
        )
    if status == 404:
        return (
            f"{where} has no database '{settings.chroma_database}' in tenant "
            f"'{settings.chroma_tenant}' ({brief_error(error)}): create it there, or set "
            "CHIPQA_CHROMA_TENANT and CHIPQA_CHROMA_DATABASE"
        )
    tls = " or check CHIPQA_CHROMA_SSL," if settings.chroma_ssl else ""
    return (
        f"cannot reach {where} ({brief_error(list(chain(error))[-1])}): start it with "
        f"`chroma run --path DIR --port {port}`,{tls} or unset CHIPQA_CHROMA_HOST to use the "
        "embedded store"
    )


def http_status(error: BaseException) -> int | None:
    """The HTTP status behind an error or any error it was raised from (None: no status).

    Chroma's client re-raises an HTTP error as a plain one, so the status is looked for
    down the chain.
    """
    import httpx
    from chromadb.errors import ChromaError

    for link in chain(error):
        if isinstance(link, ChromaError):
            return link.code()
        if isinstance(link, httpx.HTTPStatusError):
            return link.response.status_code
    return None


def chain(error: BaseException) -> Iterator[BaseException]:
    """The error, then each error it was raised from or while handling, innermost last."""
    link: BaseException | None = error
    while link is not None:
        yield link
        link = link.__cause__ or link.__context__
