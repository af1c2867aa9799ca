"""The Chroma client: an embedded database in the data folder, or a `chroma run` server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.errors import StoreError

if TYPE_CHECKING:
    from assistant.settings import Settings

DEFAULT_PORT = 8000  # `chroma run`'s own default


def brief_error(error: Exception) -> str:
    """The first line of an error's message, or its type when it has none."""
    lines = str(error).strip().splitlines()
    return lines[0][:200] if lines else type(error).__name__


def connect(settings: Settings) -> Any:
    """A Chroma client for the settings: one clear `StoreError` line when it cannot open."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.uses_server:
        port = settings.chroma_port or DEFAULT_PORT
        try:
            return chromadb.HttpClient(
                host=str(settings.chroma_host), port=port, settings=chroma_settings
            )
        except Exception as error:
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_host}:{port} "
                f"({brief_error(error)}): start it with `chroma run --path DIR --port {port}`, "
                "or unset CHIPQA_CHROMA_HOST to use the embedded store"
            ) from error
    path = settings.data_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
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
