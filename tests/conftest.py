"""Shared fixtures: the real bundled model, real Chroma (embedded and server), the real corpus."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.embed import SentenceEmbedder
from assistant.pipeline import Assistant, build_assistant
from assistant.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture(autouse=True)
def _no_chipqa_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's CHIPQA_* variables."""
    for name in list(os.environ):
        if name.startswith("CHIPQA_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def embedder() -> SentenceEmbedder:
    """The bundled model, loaded once per test session."""
    return SentenceEmbedder()


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings whose corpus and data live under `tmp_path` unless overridden."""
    values: dict[str, object] = {"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def corpus_assistant(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder
) -> Assistant:
    """The shipped corpus indexed into an embedded Chroma in a temp folder."""
    data = tmp_path_factory.mktemp("corpus-data")
    assistant = build_assistant(Settings(corpus_dir=CORPUS, data_dir=data), embedder=embedder)
    assistant.ingest()
    return assistant


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, seconds: float = 60.0) -> None:
    """Block until something accepts connections on loopback `port`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} within {seconds}s")


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on a free loopback port."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=30)
