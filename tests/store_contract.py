"""The behaviour every store keeps, written once: each store's test class inherits
`StoreContract` and provides a `settings` fixture that points at an empty store of its kind.

- what is written is listed, complete, and counted;
- each of the three rankings finds the passage it is about, and keeps to one source when asked;
- passages are read back with a vector for each of their sentences, and a document's chunks
  by its source;
- deleting a document removes its chunks, sentences and words, and nothing else.
"""

from __future__ import annotations

import pytest
from helpers import small_corpus, stored_chunks

from assistant.embed import SentenceEmbedder
from assistant.pipeline import Assistant, build_assistant
from assistant.settings import Settings
from assistant.types import Chunk

SOURCES = ["fab-000.md", "fab-001.md", "fab-002.md"]  # fab 1 packages chiplets


class StoreContract:
    """Inherit it in a `Test…` class that provides the `settings` fixture (class-scoped: the
    class's tests share one store, and a test that changes it puts it back)."""

    @pytest.fixture(scope="class")
    @classmethod
    def assistant(cls, settings: Settings, embedder: SentenceEmbedder) -> Assistant:
        small_corpus(settings.corpus_dir, len(SOURCES))
        assistant = build_assistant(settings, embedder=embedder)
        assistant.ingest()
        return assistant

    def test_what_is_written_is_listed_and_counted(self, assistant: Assistant) -> None:
        store, chunks = assistant.store, stored_chunks(assistant)
        documents = store.documents()
        assert sorted(documents) == SOURCES and all(d.complete for d in documents.values())
        assert store.chunk_count() == len(chunks) == sum(d.chunks for d in documents.values())
        assert store.sentence_count() == sum(len(c.sentences) for c in chunks)

    def test_each_ranking_finds_the_passage_it_is_about(self, assistant: Assistant) -> None:
        store, embed = assistant.store, assistant.embedder.embed
        chunk = _chunk_of(assistant, "fab-001.md")
        assert store.nearest(embed([chunk.text])[0], 1)[0].chunk_id == chunk.id
        assert store.nearest_by_sentence(embed([chunk.sentences[-1].text])[0], 1) == [chunk.id]
        assert store.lexical_ranking("chiplets", 3) == [chunk.id]
        assert store.knows_term("chiplet") and not store.knows_term("zorblax")

    def test_a_search_keeps_to_its_source(self, assistant: Assistant) -> None:
        store, vector = assistant.store, assistant.embedder.embed(["chiplets a month"])[0]
        only = _chunk_of(assistant, "fab-002.md").id
        assert [m.chunk_id for m in store.nearest(vector, 3, "fab-002.md")] == [only]
        assert store.nearest_by_sentence(vector, 3, "fab-002.md") == [only]
        assert store.lexical_ranking("chiplets", 3, "fab-002.md") == []

    def test_passages_come_back_with_their_sentence_vectors(self, assistant: Assistant) -> None:
        chunk = _chunk_of(assistant, "fab-000.md")
        found = assistant.store.passages([chunk.id, "no-such-chunk"])
        assert list(found) == [chunk.id] and found[chunk.id].chunk.text == chunk.text
        shape = (len(chunk.sentences), assistant.embedder.dimension)
        assert found[chunk.id].sentence_vectors.shape == shape

    def test_a_documents_chunks_are_read_back_by_its_source(self, assistant: Assistant) -> None:
        chunk = _chunk_of(assistant, "fab-001.md")
        assert assistant.store.document_chunks("fab-001.md") == [chunk]
        assert assistant.store.document_chunks("no-such-source.md") == []

    def test_deleting_a_document_removes_it_alone(self, assistant: Assistant) -> None:
        store = assistant.store
        before = store.sentence_count()
        sentences = before - len(_chunk_of(assistant, "fab-001.md").sentences)
        store.delete_source("fab-001.md")
        assert sorted(store.documents()) == [SOURCES[0], SOURCES[2]]
        assert store.chunk_count() == 2 and store.sentence_count() == sentences
        assert store.lexical_ranking("chiplets", 3) == [] and not store.knows_term("chiplet")
        assert assistant.ingest().added == ["fab-001.md"]  # its file is still there
        assert store.sentence_count() == before and store.knows_term("chiplet")


def _chunk_of(assistant: Assistant, source: str) -> Chunk:
    """The one chunk of a small-corpus document."""
    (chunk,) = [c for c in stored_chunks(assistant) if c.source == source]
    return chunk
