"""The answerer protocol, what every answerer receives for one question, and the sections of
the settings the answerers are built from."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from assistant.types import Answer, Hit

if TYPE_CHECKING:
    import numpy as np
    from langchain_core.language_models import BaseChatModel

TokenSink = Callable[[str], None]
TermCheck = Callable[[str], bool]  # whether a content term occurs anywhere in the corpus
# Retrieval for a further query (a part of the question): its vector and fused passages.
Search = Callable[[str], "tuple[np.ndarray, list[Hit]]"]
Following = Callable[[list[Hit]], list[Hit]]  # the passage after each one in its document


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
    search: Search | None = None  # retrieval for each part of a question with parts
    asked_vector: np.ndarray | None = None  # a follow-up's own words (no earlier turn's)
    following: Following | None = None  # read when the passages do not state the answer


@dataclass(frozen=True)
class LLMOptions:
    """What an answerer writing with an OpenAI-compatible endpoint reads of the settings."""

    base_url: str
    model: str
    api_key: str
    timeout: float  # seconds before falling back to the extractive answer
    support_threshold: float  # a written sentence's support below which it is dropped
    max_tokens: int | None = None  # the longest answer (None: the endpoint's limit)


@dataclass(frozen=True)
class LocalOptions:
    """What the bundled local model's answerer reads of the settings."""

    model: str  # a key of `assistant.answer.local.MODELS`
    data_dir: Path  # joined model files are kept in its `models/` folder
    passages: int  # passages shown in the prompt
    sentences: int  # likeliest answer sentences kept of each
    max_tokens: int
    timeout: float
    support_threshold: float


@dataclass(frozen=True)
class AnswererOptions:
    """The settings' sections the answerers are built from, one per answerer."""

    abstain_threshold: float | None  # the extractive answerer's (None: the fitted one)
    llm: LLMOptions | None  # None: no endpoint is configured
    local: LocalOptions


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
