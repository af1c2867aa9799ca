"""The retrieval stage over the real indexed corpus."""

from __future__ import annotations

from assistant.pipeline import Assistant
from assistant.retrieve import retrieve

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
