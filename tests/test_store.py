"""The store contract, kept by the embedded store and by a `chroma run` server; what one
store reads and keeps is not served once another has written."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_settings, server_settings, small_corpus
from store_contract import StoreContract

from assistant.embed import SentenceEmbedder
from assistant.pipeline import build_assistant
from assistant.settings import Settings
from assistant.store import ChromaStore


class TestEmbeddedStore(StoreContract):
    """Chroma in the data folder."""

    @pytest.fixture(scope="class")
    @classmethod
    def settings(cls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
        return make_settings(tmp_path_factory.mktemp("embedded-store"))


class TestServerStore(StoreContract):
    """Chroma on a server, in a collection of the class's own."""

    @pytest.fixture(scope="class")
    @classmethod
    def settings(
        cls, tmp_path_factory: pytest.TempPathFactory, chroma_server: tuple[str, int]
    ) -> Settings:
        return server_settings(tmp_path_factory.mktemp("server-store"), chroma_server)


def test_sentences_kept_from_a_read_give_way_to_another_stores_write(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    """Two stores on one embedded Chroma, as two processes would have: once one deletes a
    document or writes it again, the other's next read after its refresh says so."""
    settings = make_settings(tmp_path)
    small_corpus(settings.corpus_dir, 2)
    asking = build_assistant(settings, embedder=embedder)
    asking.ingest()
    other = ChromaStore(settings, embedder.name, embedder.dimension)
    writing = build_assistant(settings, embedder=embedder, store=other)
    (chunk,) = [c for c, _ in asking.store.load_chunks() if c.source == "fab-001.md"]

    def sentence_vectors() -> int:
        asking.store.refresh()  # as before every question
        return len(asking.store.read_sentences([chunk])[chunk.id][1])

    assert sentence_vectors() == sentence_vectors() == len(chunk.sentences)
    other.delete_source("fab-001.md")
    assert sentence_vectors() == 0
    assert writing.ingest().added == ["fab-001.md"]
    assert sentence_vectors() == len(chunk.sentences)
