"""The naive LangChain RAG baseline over the real corpus with the real model."""

from __future__ import annotations

from pathlib import Path

import chromadb
import pytest
from helpers import CORPUS

from assistant.embed import SentenceEmbedder
from assistant.evaluation.baseline import TOP_K, NaiveRAG

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def naive(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder) -> NaiveRAG:
    return NaiveRAG.build(CORPUS, tmp_path_factory.mktemp("naive"), embedder)


def test_top_passage_holds_the_answer(naive: NaiveRAG) -> None:
    answer = naive.ask("Does China want to keep importing its top-end chips?")
    assert len(answer.passages) == TOP_K
    assert answer.answer == answer.passages[0]
    assert "It wants to make high-end chips at home instead of relying on imports." in answer.answer
    assert answer.timings_ms["total"] > 0


def test_article_faq_answer_is_retrieved(naive: NaiveRAG) -> None:
    answer = naive.ask("Will software/usability be a problem for Chinese chips?")
    assert any("building the drivers, software stack" in p for p in answer.passages)


def test_chunks_respect_the_splitter_size(naive: NaiveRAG) -> None:
    stored = naive.store.get(include=["documents"])["documents"]
    assert len(stored) == naive.chunks > 17
    assert max(len(text) for text in stored) <= 1000


def test_rebuild_replaces_the_index(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Alpha\n\nHuawei unveiled the Ascend 910C.\n")
    client = chromadb.PersistentClient(path=str(tmp_path / "shared"))
    first = NaiveRAG.build(corpus, tmp_path / "unused", embedder, client=client)
    (corpus / "a.md").write_text("# Beta\n\nCambricon revenue rose sharply.\n")
    second = NaiveRAG.build(corpus, tmp_path / "unused", embedder, client=client)
    assert first.chunks == second.chunks == 1
    assert "Cambricon" in second.ask("Cambricon revenue").answer
    assert len(second.ask("Huawei").passages) == 1
