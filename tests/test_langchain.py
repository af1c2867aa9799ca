"""The LangChain face: a retriever of ChipQA's fused passages and the answer pipeline as a
Runnable, over the real store and model; the streamed LLM answer from a scripted endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import CORPUS
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda
from llm_server import ScriptedLLM

from assistant.errors import QuestionError
from assistant.langchain import ChipQAChain, ChipQARetriever
from assistant.load import load_document
from assistant.pipeline import Assistant, build_assistant
from assistant.types import Turn

QUESTION = "How important is DeepSeek?"
SEED = "000_cb4bb78572b81c0a.txt"


def _same(result: dict[str, Any], expected: dict[str, Any]) -> bool:
    return {**result, "timings_ms": {}} == {**expected, "timings_ms": {}}


def test_retriever_returns_the_fused_passages(corpus_assistant: Assistant) -> None:
    documents = ChipQARetriever(assistant=corpus_assistant, k=5).invoke(QUESTION)
    hits = corpus_assistant.search(QUESTION, k=5)
    assert [d.id for d in documents] == [h.chunk.id for h in hits] and len(documents) == 5
    for document, hit in zip(documents, hits, strict=True):
        meta = document.metadata
        text = load_document(CORPUS / meta["source"], meta["source"]).text
        assert text[meta["start"] : meta["end"]] == document.page_content
        assert meta["title"] == hit.doc.title and meta["score"] == hit.score
        assert {"dense_rank", "bm25_rank", "sentence_rank", "section", "date", "page"} <= set(meta)
        ranks = (meta["dense_rank"], meta["bm25_rank"], meta["sentence_rank"])
        assert ranks == (hit.dense_rank, hit.bm25_rank, hit.sentence_rank) and any(ranks)
    assert any(d.metadata["sentence_rank"] for d in documents)


def test_retriever_keeps_to_one_source_and_composes(corpus_assistant: Assistant) -> None:
    retriever = ChipQARetriever(assistant=corpus_assistant, source=SEED)
    sources = (
        retriever | RunnableLambda(lambda docs: {d.metadata["source"] for d in docs})
    ).invoke(QUESTION)
    assert sources == {SEED}
    assert all(isinstance(d, Document) for d in retriever.batch([QUESTION, "Who makes GPUs?"])[1])


def test_chain_invoke_returns_the_ask_json_object(corpus_assistant: Assistant) -> None:
    result = ChipQAChain(corpus_assistant).invoke(QUESTION)
    assert _same(result, corpus_assistant.ask(QUESTION).to_dict())
    assert result["citations"] and result["timings_ms"]["total"] > 0


def test_chain_takes_history_and_options(corpus_assistant: Assistant) -> None:
    first = corpus_assistant.ask(QUESTION)
    history = [Turn(question=first.question, answer=first.text)]
    request = {"question": "Is it open source?", "history": history, "k": 2}
    expected = corpus_assistant.ask("Is it open source?", history, k=2).to_dict()
    assert _same(ChipQAChain(corpus_assistant).invoke(request), expected)


def test_chain_batch_answers_each_question(corpus_assistant: Assistant) -> None:
    questions = [QUESTION, "How do I make pizza dough?"]
    results = ChipQAChain(corpus_assistant).batch(questions)
    assert [r["abstained"] for r in results] == [False, True]
    for result, question in zip(results, questions, strict=True):
        assert _same(result, corpus_assistant.ask(question).to_dict())


def test_chain_stream_ends_with_the_whole_object(corpus_assistant: Assistant) -> None:
    chunks = list(ChipQAChain(corpus_assistant).stream(QUESTION))
    *tokens, final = chunks
    assert "".join(t["token"] for t in tokens) == final["answer"]
    assert _same(final, corpus_assistant.ask(QUESTION).to_dict())


@pytest.mark.parametrize("value", [{"q": QUESTION}, {"question": QUESTION, "top_k": 3}])
def test_chain_refuses_a_malformed_input(corpus_assistant: Assistant, value: Any) -> None:
    with pytest.raises(QuestionError, match="needs a 'question'"):
        ChipQAChain(corpus_assistant).invoke(value)


def test_chain_streams_an_llm_answer_as_it_is_written(
    corpus_assistant: Assistant, llm: ScriptedLLM
) -> None:
    settings = corpus_assistant.settings.replace(
        answerer="llm", llm_base_url=llm.base_url, llm_model="scripted"
    )
    assistant = build_assistant(
        settings, store=corpus_assistant.store, embedder=corpus_assistant.embedder
    )
    hits = assistant.search("Why does the US block chip exports to China?")
    n = next(n for n, h in enumerate(hits, 1) if "To slow China" in h.chunk.text)
    llm.replies.append(f"The US wants to slow China's progress in advanced AI applications [{n}].")
    *tokens, final = ChipQAChain(assistant).stream("Why does the US block chip exports to China?")
    assert len(tokens) > 5 and "".join(t["token"] for t in tokens).startswith("The US wants")
    assert final["citations"] and final["answer"].endswith("[1]")
