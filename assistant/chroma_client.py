"""The Chroma client: an embedded database in the data folder, or a Chroma server.

A server is a local `chroma run`, a `chroma run` behind a proxy that checks a token, a
distributed Chroma or Chroma Cloud: host, port, TLS, a token and the tenant and database
come from the settings (`CHIPQA_CHROMA_*`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assistant.errors import StoreError

if TYPE_CHECKING:
    from chromadb.config import Settings as ChromaSettings

    from assistant.settings import Settings

DEFAULT_PORT = 8000  # `chroma run`'s own default
TOKEN_PROVIDER = "chromadb.auth.token_authn.TokenAuthClientProvider"
REFUSED = frozenset({401, 403})
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
            f"cannot use data directory {settings.data_dir} ({error.strerror}): "
            "set CHIPQA_DATA_DIR to a writable folder"
        ) from error
    except Exception as error:
        raise StoreError(
            f"cannot open the Chroma store in {settings.data_dir} ({brief_error(error)}): "
            "move that folder aside and re-run `chipqa ingest`, or set CHIPQA_DATA_DIR"
        ) from error


def _server_client(settings: Settings) -> Any:
    """An `HttpClient` on the configured server, tenant and database, sending the token."""
    import chromadb

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
    _warn_if_token_unchecked(settings)
    return client


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
