"""The retrieval stage over the real indexed corpus."""

from __future__ import annotations

from assistant.pipeline import Assistant
from assistant.retrieve import _two_sources, retrieve
from assistant.types import Chunk, DocInfo, Hit

QUESTIONS = (
    "Why did Beijing make the third Big Fund so large?",
    "When did ASML last ship an EUV scanner to China?",
    "How fast is Huawei's Ascend 910C?",
    "What did Jensen Huang say about China's chips?",
    "Which Chinese firms make AI accelerators?",
)


def test_the_passages_never_all_come_from_one_document(corpus_assistant: Assistant) -> None:
    k = 4
    for question in QUESTIONS:
        vector = corpus_assistant.embedder.embed([question])[0]
        hits = retrieve(question, vector, corpus_assistant.store, k=k, candidates=20, rrf_k=10)
        assert len(hits) == k
        assert len({hit.chunk.source for hit in hits}) > 1, question
        assert len({hit.chunk.id for hit in hits}) == k


def test_a_question_about_the_current_state_keeps_the_fused_order(
    corpus_assistant: Assistant,
) -> None:
    question = "What is Huawei's current Ascend schedule?"
    vector = corpus_assistant.embedder.embed([question])[0]
    store = corpus_assistant.store

    def ids(k: int) -> list[str]:
        hits = retrieve(question, vector, store, k=k, candidates=20, rrf_k=10)
        return [hit.chunk.id for hit in hits]

    assert ids(4) == ids(8)[:4]


def _hit(source: str, index: int, score: float, sentence_rank: int | None) -> Hit:
    text = f"Passage {index} of {source}."
    chunk = Chunk(f"{source}-{index}", source, index, 0, len(text), text, "", ())
    return Hit(
        chunk, DocInfo(source, source, "0" * 64, 1, 1, {}), score, sentence_rank=sentence_rank
    )


def test_the_other_document_never_displaces_the_closest_sentence() -> None:
    """When the first passages all come from one document, another's best passage takes the
    weakest place, but the passage holding the closest sentence keeps its own."""
    ranked = [
        _hit("a.md", 0, 0.25, 3),
        _hit("a.md", 1, 0.24, 4),
        _hit("a.md", 2, 0.23, 2),
        _hit("a.md", 3, 0.22, 0),  # the closest sentence, fourth by fused score
        _hit("b.md", 0, 0.20, None),
    ]
    chosen = [hit.chunk.id for hit in _two_sources(ranked, 4)]
    assert chosen == ["a.md-0", "a.md-1", "a.md-3", "b.md-0"]
    ranked[3] = _hit("a.md", 3, 0.22, 5)
    assert [hit.chunk.id for hit in _two_sources(ranked, 4)][-2:] == ["a.md-2", "b.md-0"]
    # the fourth already from another document: nothing moves, nothing is repeated
    ranked[3] = _hit("b.md", 1, 0.22, 0)
    assert _two_sources(ranked, 4) == ranked[:4]
