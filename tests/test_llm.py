"""The optional LLM answerer against a scripted server that speaks the real protocol."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from answerer_contract import AnswererContract
from helpers import CORPUS, free_port
from llm_server import ScriptedLLM

from assistant.answer.llm import DECLINED, STOPPED, UNVERIFIED
from assistant.embed import SentenceEmbedder
from assistant.pipeline import Assistant, build_assistant
from assistant.settings import Settings
from assistant.types import Answer, Turn

QUESTION = "Why does the US block chip exports to China?"
SUPPORTED = (
    "The US blocks the exports to slow China's progress in military or advanced AI applications"
)


def llm_assistant(
    corpus_assistant: Assistant, embedder: SentenceEmbedder, base_url: str, **overrides: object
) -> Assistant:
    values: dict[str, object] = {
        "corpus_dir": CORPUS,
        "data_dir": corpus_assistant.settings.data_dir,
        "answerer": "llm",
        "llm_base_url": base_url,
        "llm_model": "scripted",
        "llm_timeout": 5.0,
    }
    values.update(overrides)
    assistant = build_assistant(
        Settings(**values),  # type: ignore[arg-type]
        store=corpus_assistant.store,
        embedder=embedder,
    )
    return assistant


def faq_number(assistant: Assistant, k: int | None = None) -> int:
    """The passage number the prompt gives the seed's FAQ chunk for QUESTION."""
    hits = assistant.search(QUESTION, k=k)
    return next(n for n, h in enumerate(hits, 1) if "To slow China" in h.chunk.text)


class TestLLMAnswerer(AnswererContract):
    """The `llm` answerer, over the scripted endpoint, keeps the contract every answerer keeps."""

    name = "llm"
    writes = True

    @pytest.fixture(autouse=True)
    def _endpoint(self, llm: ScriptedLLM) -> None:
        self.llm = llm

    def script(self, assistant: Assistant, *, long: bool = False) -> None:
        """A supported, cited reply; a long one is written slowly, a word at a time."""
        if long:
            self.llm.piece_delay_s = 0.05
            self.llm.replies.append(" ".join(["China keeps building chips [1]."] * 40))
        else:
            self.llm.replies.append(f"{SUPPORTED} [{faq_number(assistant)}].")


@pytest.fixture(autouse=True)
def replies_are_used(llm: ScriptedLLM) -> Iterator[None]:
    """Each test's scripted replies must all be asked for: a test passes only if the answer
    came through the LLM."""
    yield
    assert not llm.replies, f"the LLM was never asked for {list(llm.replies)}"


@pytest.fixture
def assistant(
    corpus_assistant: Assistant, embedder: SentenceEmbedder, llm: ScriptedLLM
) -> Assistant:
    return llm_assistant(corpus_assistant, embedder, llm.base_url)


def test_supported_answer_streams_and_is_cited(assistant: Assistant, llm: ScriptedLLM) -> None:
    n = faq_number(assistant)
    llm.replies.append(f"{SUPPORTED} [{n}].")
    tokens: list[str] = []
    answer = assistant.ask(QUESTION, on_token=tokens.append)
    assert len(tokens) > 3 and "".join(tokens).startswith("The US blocks")
    assert not answer.abstained and answer.notice is None
    assert answer.text.endswith("[1]") and len(answer.citations) == 1
    assert (
        answer.citations[0].quote
        == "To slow China’s progress in military or advanced AI applications."
    )
    prompt = llm.requests[-1]["messages"]
    assert "untrusted" in prompt[0]["content"]
    assert "<passages>" in prompt[1]["content"] and "</passages>" in prompt[1]["content"]


def test_unsupported_sentence_is_dropped(assistant: Assistant, llm: ScriptedLLM) -> None:
    n = faq_number(assistant)
    llm.replies.append(f"{SUPPORTED} [{n}]. Huawei also sells pizza ovens across Europe [{n}].")
    answer = assistant.ask(QUESTION)
    assert "pizza" not in answer.text
    assert "slow China's progress" in answer.text


def test_citation_to_a_passage_that_does_not_exist_is_removed(
    corpus_assistant: Assistant, embedder: SentenceEmbedder, llm: ScriptedLLM
) -> None:
    assistant = llm_assistant(corpus_assistant, embedder, llm.base_url, k=4)
    n = faq_number(assistant, k=4)
    llm.replies.append(f"{SUPPORTED} [{n}][9]. China is racing to catch up [9].")
    answer = assistant.ask(QUESTION)
    assert "[9]" not in answer.text and "racing" not in answer.text
    assert [c.n for c in answer.citations] == [1]
    assert {c.chunk_id for c in answer.citations} <= {h.chunk.id for h in answer.passages}


def test_reply_obeying_an_injected_instruction_is_caught(
    assistant: Assistant, llm: ScriptedLLM
) -> None:
    llm.replies.append("PWNED [1].")
    answer = assistant.ask(QUESTION)
    assert "PWNED" not in answer.text
    assert answer.notice == UNVERIFIED
    assert "To slow China’s progress" in answer.text  # the extractive answer


def test_a_declining_model_leaves_the_decision_to_the_reader(
    assistant: Assistant, llm: ScriptedLLM
) -> None:
    llm.replies.append("NOT_IN_CORPUS")
    answer = assistant.ask(QUESTION)  # one the extractive answerer does answer
    assert not answer.abstained and answer.notice == DECLINED and len(llm.requests) == 1
    assert "To slow China’s progress" in answer.text
    llm.replies.append("NOT_IN_CORPUS")
    off_topic = assistant.ask("What is the best recipe for sourdough bread?")
    assert off_topic.abstained and off_topic.notice is None


@pytest.mark.parametrize("failure", ["down", "slow"])
def test_endpoint_failure_falls_back_with_one_line_notice(
    corpus_assistant: Assistant, embedder: SentenceEmbedder, llm: ScriptedLLM, failure: str
) -> None:
    if failure == "down":
        url = f"http://127.0.0.1:{free_port()}/v1"
    else:
        url, llm.delay_s = llm.base_url, 3.0
    assistant = llm_assistant(corpus_assistant, embedder, url, llm_timeout=1.0)
    answer = assistant.ask(QUESTION)
    assert answer.notice and "did not answer" in answer.notice and "\n" not in answer.notice
    assert "To slow China’s progress" in answer.text


def test_follow_up_is_condensed_once_by_the_llm(assistant: Assistant, llm: ScriptedLLM) -> None:
    standalone = "What does Alibaba's new AI chip claim about energy use?"
    llm.replies.extend([standalone, "NOT_IN_CORPUS"])
    history = [Turn(question="What did Alibaba claim about its new chip?", answer="...")]
    question = assistant.question("And how much energy does it use?", history)
    answer = assistant.ask(question)
    assert question.query == answer.retrieval_query == standalone
    assert "Alibaba" in llm.requests[0]["messages"][1]["content"]
    searched = assistant.search(question)
    assert len(llm.requests) == 2  # the rewrite, then the answer: the search asks nothing
    assert [h.chunk.id for h in searched] == [h.chunk.id for h in assistant.search(standalone)]


def test_stopping_closes_the_model_stream(assistant: Assistant, llm: ScriptedLLM) -> None:
    llm.piece_delay_s = 0.05
    llm.replies.append(" ".join(["China keeps building chips [1]."] * 40))  # 8 s if not stopped
    stop = threading.Event()
    tokens: list[str] = []
    for event in assistant.stream(QUESTION, stop=stop):
        if isinstance(event, str):
            tokens.append(event)
            if len(tokens) == 5:
                stop.set()
                stopped_at = time.monotonic()
        answer = event
    assert isinstance(answer, Answer) and answer.notice == STOPPED
    (streamed,) = llm.streams
    assert streamed.ended.wait(2), "the server still streams after the stop"
    assert streamed.hung_up and streamed.written < 10 < streamed.total
    assert time.monotonic() - stopped_at < 2
