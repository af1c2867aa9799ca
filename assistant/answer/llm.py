"""Answer stage, optional LLM: any OpenAI-compatible endpoint through LangChain.

The reply streams to the caller; afterwards every sentence is verified against the
passage it cites (see `assistant.cite`). Unsupported sentences are dropped, citations
to unknown passages removed, and when nothing survives, or the endpoint fails, the
extractive answer is returned with a one-line notice. The bundled local model
(`assistant.answer.local`) answers through this same class with a shorter prompt.
"""

from __future__ import annotations

import html
import logging
import time
from contextlib import closing
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from assistant.answer.answerability import abstention
from assistant.answer.base import AnswerRequest, LLMOptions, StoppableSink
from assistant.answer.extractive import ExtractiveAnswerer
from assistant.answer.prompts import (
    ANSWER_SYSTEM,
    ANSWER_USER,
    NOT_IN_CORPUS,
    PASSAGE,
)
from assistant.answer.reader import read
from assistant.cite import make_citation, split_claims, support
from assistant.errors import LLMError
from assistant.types import Answer, Citation, Hit

if TYPE_CHECKING:
    from collections.abc import Generator

    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessageChunk

    from assistant.embed import Embedder

log = logging.getLogger(__name__)
UNVERIFIED = (
    "The LLM's answer could not be verified against the sources; showing the extractive answer."
)
STOPPED = "You stopped the answer; showing the extractive answer."
DECLINED = "The model found no answer in the passages; showing the extractive answer."


@dataclass(frozen=True)
class PromptShape:
    """What the answer prompt shows the model."""

    system: str = ANSWER_SYSTEM
    passages: int | None = None  # only the first N retrieved passages (None: all)
    sentences: int | None = None  # each cut to its N likeliest answer sentences (None: all)


def chat_model(options: LLMOptions) -> BaseChatModel:
    """A streaming, deterministic LangChain chat model for an OpenAI-compatible endpoint."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=options.base_url,
        model=options.model,
        api_key=options.api_key,
        timeout=options.timeout,
        max_retries=0,
        temperature=0,
        streaming=True,
        max_tokens=options.max_tokens,
    )


class LLMAnswerer:
    """Fluent answers from an LLM, kept only where the cited passage supports them."""

    def __init__(
        self,
        options: LLMOptions,
        embedder: Embedder,
        fallback: ExtractiveAnswerer,
        *,
        shape: PromptShape | None = None,
        label: str | None = None,
    ) -> None:
        """`shape` and `label` (who failed, in notices) default to the `llm` endpoint's."""
        self.options = options
        self.embedder = embedder
        self.fallback = fallback
        self.chat = chat_model(options)
        self.shape = shape or PromptShape()
        self.label = label or f"The LLM endpoint at {options.base_url}"

    def answer(self, request: AnswerRequest) -> Answer:
        """Stream the LLM's reply, then verify it; fall back to the extractive answer."""
        if not request.hits:
            return abstention(request, [])
        try:
            reply = self._stream(request)
        except LLMError as error:
            return self._fallback(request, str(error))
        if reply is None:
            return self._fallback(request, STOPPED)
        if NOT_IN_CORPUS in reply:  # a small model declines too often: the reader decides
            return self._fallback(request, DECLINED)
        text, citations = self._verify(reply, request)
        if not citations:
            return self._fallback(request, UNVERIFIED)
        return Answer(
            question=request.question,
            text=text,
            abstained=False,
            confidence=min(c.score for c in citations),
            citations=citations,
            passages=request.hits,
        )

    def chat_model(self) -> BaseChatModel:
        """The chat model it writes with (the query rewriter asks it too)."""
        return self.chat

    def messages(self, request: AnswerRequest) -> list[tuple[str, str]]:
        """The answer prompt: system rules, then the shown passages and the question."""
        shown = self._shown(request)
        texts = passage_texts(request, shown, self.shape.sentences)
        passages = "\n".join(
            PASSAGE.format(
                n=n, title=html.escape(hit.doc.title), text=html.escape(text, quote=False)
            )
            for n, (hit, text) in enumerate(zip(shown, texts, strict=True), start=1)
        )
        return [
            ("system", self.shape.system.format(words=request.answer_words)),
            ("human", ANSWER_USER.format(passages=passages, question=request.question)),
        ]

    def _shown(self, request: AnswerRequest) -> list[Hit]:
        return request.hits[: self.shape.passages]

    def _stream(self, request: AnswerRequest) -> str | None:
        """The model's reply, each piece passed to `request.on_token` as it comes; None when
        the reader stopped it (its stream is then closed, which ends the generation)."""
        parts: list[str] = []
        began = time.perf_counter()
        sink = request.on_token
        try:
            stream = cast("Generator[AIMessageChunk]", self.chat.stream(self.messages(request)))
            with closing(stream) as pieces:
                for piece in pieces:
                    if isinstance(sink, StoppableSink) and sink.stop.is_set():
                        return None
                    token = str(piece.content)
                    if token and "llm_first_token" not in request.timings:
                        request.timings["llm_first_token"] = (time.perf_counter() - began) * 1000
                    parts.append(token)
                    if sink and token:
                        sink(token)
        except Exception as error:  # connection refused, timeout, HTTP error, bad payload
            log.warning("LLM endpoint failed: %r", error)
            raise LLMError(
                f"{self.label} did not answer ({type(error).__name__}); "
                "showing the extractive answer."
            ) from error
        return "".join(parts)

    def _verify(self, reply: str, request: AnswerRequest) -> tuple[str, list[Citation]]:
        """Keep sentences whose cited passages support them; renumber the citations."""
        claims = split_claims(reply)
        if not claims:
            return "", []
        vectors = self.embedder.embed([text for text, _ in claims])
        citations: dict[tuple[str, int], Citation] = {}
        sentences = []
        for (text, numbers), vector in zip(claims, vectors, strict=True):
            kept = []
            for n in numbers:
                citation = self._check(text, vector, n, request, citations)
                if citation is not None:
                    kept.append(citation.n)
            if kept:
                marks = "".join(f"[{n}]" for n in dict.fromkeys(kept))
                sentences.append(f"{text} {marks}")
        return " ".join(sentences), list(citations.values())

    def _check(
        self,
        claim: str,
        vector: Any,
        n: int,
        request: AnswerRequest,
        citations: dict[tuple[str, int], Citation],
    ) -> Citation | None:
        if not 1 <= n <= len(self._shown(request)):
            return None  # the model cited a passage it was never given
        hit: Hit = request.hits[n - 1]
        if hit.sentence_vectors is None or not len(hit.sentence_vectors):
            return None
        found = support(claim, vector, hit, hit.sentence_vectors)
        if found.score < self.options.support_threshold:
            return None
        key = (hit.chunk.id, found.sentence.start)
        if key not in citations:
            s = found.sentence
            citations[key] = make_citation(len(citations) + 1, hit, s.start, s.end, found.score)
        return citations[key]

    def _fallback(self, request: AnswerRequest, notice: str) -> Answer:
        """The extractive answer with a notice saying why (none when it abstains too)."""
        result = self.fallback.answer(request)
        return replace(result, notice=None if result.abstained and notice == DECLINED else notice)


def passage_texts(request: AnswerRequest, shown: list[Hit], sentences: int | None) -> list[str]:
    """Each shown passage whole, or cut to the `sentences` statements that the reader rates
    likeliest to answer, in their order."""
    if sentences is None:
        return [hit.chunk.text for hit in shown]
    ranked = sorted(read(request), key=lambda c: -c.probability)
    texts = []
    for hit in shown:
        best = [c for c in ranked if c.hit is hit][:sentences]
        kept = sorted(best, key=lambda c: c.position)
        texts.append(" ".join(c.sentence.text for c in kept) or hit.chunk.text)
    return texts
