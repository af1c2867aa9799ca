"""Shared fixtures: the real bundled model, real Chroma (embedded and a `chroma run`
server), the real corpus, and a scripted OpenAI-compatible endpoint. Plain helpers are in
`helpers.py`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import CORPUS, GATE_TOKEN, ORRIN, ChromaServer, make_settings, seeded_corpus
from llm_server import ScriptedLLM

from assistant.embed import SentenceEmbedder
from assistant.pipeline import Assistant, build_assistant
from assistant.settings import Settings


@pytest.fixture(autouse=True)
def _no_chipqa_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's CHIPQA_* variables."""
    for name in list(os.environ):
        if name.startswith("CHIPQA_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _close_stores_opened_by_the_test() -> Iterator[None]:
    """Chroma keeps each store a process opens, with its open files, until the process
    ends; those a test opened are closed after it (over a whole run they would pass the
    1,024 file descriptors `select` can watch). Stores of wider-scoped fixtures stay open."""
    from chromadb.api.shared_system_client import SharedSystemClient

    systems = SharedSystemClient._identifier_to_system
    before = set(systems)
    yield
    for identifier in set(systems) - before:
        with contextlib.suppress(AttributeError):  # a store that failed to open
            systems.pop(identifier).stop()


@pytest.fixture(scope="session")
def embedder() -> SentenceEmbedder:
    """The bundled model, loaded once per test session."""
    return SentenceEmbedder()


@pytest.fixture(scope="session")
def corpus_assistant(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder
) -> Assistant:
    """The shipped corpus indexed into an embedded Chroma in a temp folder."""
    data = tmp_path_factory.mktemp("corpus-data")
    assistant = build_assistant(Settings(corpus_dir=CORPUS, data_dir=data), embedder=embedder)
    assistant.ingest()
    return assistant


@pytest.fixture
def seed(tmp_path: Path, embedder: SentenceEmbedder, monkeypatch: pytest.MonkeyPatch) -> Assistant:
    """The seed document alone, indexed under `tmp_path`; `chipqa` runs in the test use it."""
    seeded_corpus(tmp_path)
    assistant = build_assistant(make_settings(tmp_path), embedder=embedder)
    assistant.ingest()
    monkeypatch.setenv("CHIPQA_CORPUS_DIR", str(assistant.settings.corpus_dir))
    monkeypatch.setenv("CHIPQA_DATA_DIR", str(assistant.settings.data_dir))
    return assistant


@pytest.fixture
def orrin(seed: Assistant) -> Assistant:
    """`seed` with `orrin.md` (`ORRIN`) indexed beside the seed document."""
    (seed.settings.corpus_dir / "orrin.md").write_text(ORRIN, encoding="utf-8")
    seed.ingest()
    return seed


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on a free loopback port, shared by the session."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server")).start()
    yield server.host, server.port
    server.stop()


@pytest.fixture
def own_chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A `chroma run` server of this test's own, already started, that it may restart."""
    server = ChromaServer(tmp_path_factory.mktemp("own-chroma")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gated_chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A `chroma run` server that only requests carrying `GATE_TOKEN` reach."""
    server = ChromaServer(tmp_path_factory.mktemp("gated-chroma"), token=GATE_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def scripted_llm() -> Iterator[ScriptedLLM]:
    """An OpenAI-compatible endpoint on loopback whose replies the tests script."""
    llm = ScriptedLLM().start()
    yield llm
    llm.stop()


@pytest.fixture
def llm(scripted_llm: ScriptedLLM) -> Iterator[ScriptedLLM]:
    """The scripted endpoint with no replies queued, no requests recorded and no delay,
    and left so for the next test."""
    scripted_llm.reset()
    yield scripted_llm
    scripted_llm.reset()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start a Chroma server carry the `server` marker."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if {"chroma_server", "own_chroma", "gated_chroma"} & set(names):
            item.add_marker(pytest.mark.server)
