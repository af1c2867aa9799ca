"""The behaviour every answerer keeps, written once: each answerer's test class inherits
`AnswererContract`, names the answerer and provides an `assistant` fixture that offers it.

- every quote is exactly its document's text, from a passage the answer was given;
- the passages come before the first word of the answer;
- a stopped answer is the extractive one, and says so when it cut a model short;
- a question about something no document mentions is not answered.
"""

from __future__ import annotations

import threading

from helpers import CORPUS, assert_quotes_exact

from assistant.answer.llm import STOPPED
from assistant.pipeline import Assistant
from assistant.types import Answer, Hit

QUESTION = "Why does the US block chip exports to China?"
UNKNOWN_SUBJECT = "What clock speed does the Zorblax Q9 accelerator run at?"


class AnswererContract:
    """Inherit it in a `Test…` class that sets `name` (and `writes`) and provides the
    `assistant` fixture; override `script` where the answer must be prepared."""

    name: str
    writes = False  # a model writes the answer: stopping it falls back, with a notice

    def script(self, assistant: Assistant, *, long: bool = False) -> None:
        """Prepare the answer to QUESTION (a scripted endpoint queues its reply); `long`: one
        that takes a while to write."""

    def test_every_quote_is_exact_and_from_the_passages(self, assistant: Assistant) -> None:
        self.script(assistant)
        answer = assistant.ask(QUESTION, answerer=self.name)
        assert not answer.abstained and answer.citations
        assert_quotes_exact(answer.citations + answer.related, CORPUS)
        assert {c.chunk_id for c in answer.citations} <= {h.chunk.id for h in answer.passages}
        assert all(f"[{c.n}]" in answer.text for c in answer.citations)

    def test_the_passages_come_before_the_first_word(self, assistant: Assistant) -> None:
        self.script(assistant)
        hits, *words, answer = list(assistant.stream(QUESTION, answerer=self.name))
        assert isinstance(hits, list) and hits and all(isinstance(h, Hit) for h in hits)
        assert words and all(isinstance(w, str) for w in words)
        assert isinstance(answer, Answer) and answer.passages == hits

    def test_a_stopped_answer_is_the_extractive_one_with_a_notice(
        self, assistant: Assistant
    ) -> None:
        self.script(assistant, long=True)
        stop = threading.Event()
        for event in assistant.stream(QUESTION, stop=stop, answerer=self.name):
            if isinstance(event, str):
                stop.set()
            answer = event
        assert isinstance(answer, Answer)
        assert answer.text == assistant.ask(QUESTION, answerer="extractive").text
        assert answer.notice == (STOPPED if self.writes else None)

    def test_an_unknown_subject_is_not_answered(self, assistant: Assistant) -> None:
        answer = assistant.ask(UNKNOWN_SUBJECT, answerer=self.name)
        assert answer.abstained and not answer.citations
