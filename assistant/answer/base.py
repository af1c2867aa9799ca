"""The answerer protocol and what every answerer receives for one question."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from assistant.types import Answer, Hit

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

TokenSink = Callable[[str], None]
TermCheck = Callable[[str], bool]  # whether a content term occurs anywhere in the corpus


class StoppableSink:
    """A token sink with a stop switch: the LLM answerer checks it before each streamed piece,
    closes the model's stream once it is set and falls back to the extractive answer."""

    def __init__(self, sink: TokenSink, stop: threading.Event) -> None:
        self.sink = sink
        self.stop = stop

    def __call__(self, token: str) -> None:
        """Pass `token` on."""
        self.sink(token)


@dataclass
class AnswerRequest:
    """Everything an answerer needs for one question."""

    question: str
    query: str  # the retrieval query: the question, plus earlier-turn terms for a follow-up
    query_vector: np.ndarray
    hits: list[Hit]  # each with its sentences' vectors
    known_term: TermCheck
    answer_words: int  # target answer length
    timings: dict[str, float] = field(default_factory=dict)
    on_token: TokenSink | None = None


class Answerer(Protocol):
    """Turns retrieved passages into a cited answer."""

    def answer(self, request: AnswerRequest) -> Answer:
        """Compose an answer whose every sentence cites a retrieved passage."""
        ...


@runtime_checkable
class ChatAnswerer(Protocol):
    """An answerer that writes with a chat model (the `llm` and `local` answerers)."""

    def chat_model(self) -> BaseChatModel:
        """The chat model it writes with."""
        ...
