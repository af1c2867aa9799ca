"""Wiring: one `Assistant` built from settings; the CLI, UI, eval and bench all call it."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.base import (
    Answerer,
    AnswerRequest,
    ChatAnswerer,
    StoppableSink,
    TokenSink,
)
from assistant.answer.table import build_answerers, not_available
from assistant.chunk import next_chunk_id
from assistant.complete import complete
from assistant.embed import Embedder, SentenceEmbedder
from assistant.errors import ConfigError, EmptyIndexError, QuestionError
from assistant.ingest import IngestReport, ProgressHook, ingest
from assistant.question.base import QueryRewriter, Question
from assistant.question.condense import LLMRewriter
from assistant.question.rewrite import HeuristicRewriter
from assistant.retrieve import retrieve
from assistant.settings import Settings
from assistant.store import ChromaStore
from assistant.store.base import Store
from assistant.types import Answer, DocInfo, Hit, IndexStats, Turn


class Assistant:
    """The retrieval pipeline over one store, with its embedder and answerers."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        store: Store,
        answerers: dict[str, Answerer],
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.answerers = answerers
        self.rewriters = {name: _rewriter_for(a) for name, a in answerers.items()}
        self.ingest_lock = threading.Lock()  # one ingest at a time in this process
        # Called after each ingest that changed the index (the web UI re-runs watched questions).
        self.after_ingest: list[Callable[[IngestReport], None]] = []

    def ingest(
        self,
        paths: Sequence[Path] = (),
        progress: ProgressHook | None = None,
        *,
        prune: bool = False,
        repair: bool = False,
    ) -> IngestReport:
        """Index files (default: the corpus folder); `prune` allows removing many documents,
        `repair` re-embeds those whose stored text fails its check."""
        with self.ingest_lock:
            report = ingest(
                list(paths),
                self.settings,
                self.store,
                self.embedder,
                progress,
                prune=prune,
                repair=repair,
            )
        if report.changed:
            for hook in self.after_ingest:
                hook(report)
        return report

    def documents(self) -> list[DocInfo]:
        """Indexed documents, sorted by source."""
        docs = self.store.documents()
        return [docs[s] for s in sorted(docs)]

    def stats(self) -> IndexStats:
        """What the store holds, read from it directly: quick, and loads no model."""
        docs = self.store.documents()
        return IndexStats(
            collection=self.settings.collection_name(),
            store=self.store.location,
            documents=[docs[s] for s in sorted(docs)],
            chunks=self.store.chunk_count(),
            sentences=self.store.sentence_count(),
            corpus_dir=str(self.settings.corpus_dir),
            data_dir=str(self.settings.data_dir),
        )

    def question(
        self, text: str, history: Sequence[Turn] | None = None, *, answerer: str | None = None
    ) -> Question:
        """`text` as the pipeline carries it: cleaned, made standalone with the earlier turns
        (by the answerer's query rewriter), and its shape; `ask` and `search` both take it."""
        rewriter = self._rewriter(answerer or self.settings.answerer)
        return Question.make(text, history or [], rewriter, self.settings.max_question_chars)

    def ask(
        self,
        question: str | Question,
        history: Sequence[Turn] | None = None,
        *,
        k: int | None = None,
        answerer: str | None = None,
        source: str | None = None,
        on_token: TokenSink | None = None,
        on_hits: Callable[[list[Hit]], None] | None = None,
    ) -> Answer:
        """Answer `question` (with earlier turns for follow-ups), citing every sentence;
        `on_hits` gets the retrieved passages before the answer is written."""
        began = time.perf_counter()
        name = answerer or self.settings.answerer
        asked = self._asked(question, history, name)
        timings: dict[str, float] = {}
        vector, hits = self._search(asked.query, k or self.settings.k, source, timings)
        if not hits:
            self._require_index()
        if on_hits:
            on_hits(hits)
        step = time.perf_counter()
        request = self.answer_request(asked, vector, hits, timings, on_token)
        request.search = lambda part: self._search(part, self.settings.part_passages, source, {})
        drafted = self._answerer(name).answer(request)
        timings["answer"] = (time.perf_counter() - step) * 1000
        step = time.perf_counter()
        completion = complete(drafted, asked, vector)
        if completion.suffix and on_token:
            on_token(completion.suffix)
        timings["provenance"] = (time.perf_counter() - step) * 1000  # JSON keys are kept
        timings["total"] = (time.perf_counter() - began) * 1000
        return replace(
            drafted,
            text=drafted.text + completion.suffix,
            citations=list(completion.citations),
            disagreements=completion.disagreements,
            as_of=completion.as_of,
            timings_ms=timings,
            retrieval_query=asked.query,
            notice=" ".join(n for n in (asked.notice, drafted.notice) if n) or None,
        )

    def answer_request(
        self,
        question: Question,
        vector: np.ndarray,
        hits: list[Hit],
        timings: dict[str, float] | None = None,
        on_token: TokenSink | None = None,
    ) -> AnswerRequest:
        """What an answerer receives for `question`, given its retrieved passages."""
        return AnswerRequest(
            question.text,
            question.query,
            vector,
            hits,
            self.store.knows_term,
            self.settings.answer_words,
            {} if timings is None else timings,
            on_token,
            asked_vector=self._follow_up_vector(question),
            following=self._following,
        )

    def _following(self, hits: list[Hit]) -> list[Hit]:
        """The passage after each of `hits` in its document, where it is not among them."""
        have = {hit.chunk.id for hit in hits}
        wanted = [
            i for i in dict.fromkeys(next_chunk_id(hit.chunk) for hit in hits) if i not in have
        ]
        found = self.store.passages(wanted)
        return [
            Hit(found[i].chunk, found[i].doc, 0.0, sentence_vectors=found[i].sentence_vectors)
            for i in wanted
            if i in found
        ]

    def _follow_up_vector(self, question: Question) -> np.ndarray | None:
        """A follow-up's own words embedded (its query carries the earlier turn's)."""
        if question.query == question.text:
            return None
        return self.embedder.embed([question.text])[0]

    def _asked(
        self, question: str | Question, history: Sequence[Turn] | None, answerer: str
    ) -> Question:
        if isinstance(question, Question):
            return question
        return self.question(question, history, answerer=answerer)

    def _answerer(self, name: str) -> Answerer:
        if name not in self.answerers:
            raise ConfigError(not_available(name))
        return self.answerers[name]

    def _rewriter(self, answerer: str) -> QueryRewriter:
        self._answerer(answerer)  # one that is not available says so
        return self.rewriters[answerer]

    def stream(
        self,
        question: str | Question,
        history: Sequence[Turn] | None = None,
        *,
        stop: threading.Event | None = None,
        **options: Any,
    ) -> Iterator[str | list[Hit] | Answer]:
        """`ask` as it happens: the retrieved passages, pieces of text as the answerer writes
        them, then the `Answer` (whose text may differ: an LLM's unsupported sentences are
        dropped).

        Args:
            question: The question.
            history: Earlier turns, for a follow-up.
            stop: Set it to stop an LLM mid-answer; the extractive answer then comes, with a
                notice.
            **options: `k`, `answerer` and `source`, as `ask` takes them.
        """
        events: queue.SimpleQueue[str | list[Hit] | Answer | Exception] = queue.SimpleQueue()
        sink = events.put if stop is None else StoppableSink(events.put, stop)

        def work() -> None:
            try:
                answer = self.ask(question, history, on_token=sink, on_hits=events.put, **options)
                events.put(answer)
            except Exception as error:  # raised again in the caller's thread
                events.put(error)

        threading.Thread(target=work, daemon=True).start()
        while not isinstance(event := events.get(), Answer):
            if isinstance(event, Exception):
                raise event
            yield event
        yield event

    def search(
        self,
        question: str | Question,
        history: Sequence[Turn] | None = None,
        *,
        k: int | None = None,
        source: str | None = None,
    ) -> list[Hit]:
        """The fused passage ranking `ask` would answer from (for the eval and LangChain)."""
        asked = self._asked(question, history, self.settings.answerer)
        return self._search(asked.query, k or self.settings.k, source, {})[1]

    def _search(
        self, query: str, k: int, source: str | None, timings: dict[str, float]
    ) -> tuple[np.ndarray, list[Hit]]:
        self.store.refresh()  # another process may have changed the store
        source = source or self.settings.source
        if source and not self.store.has_source(source):
            self._require_index()
            raise QuestionError(
                f"no document '{source}' is indexed: `chipqa stats` lists the documents "
                "(name them by their path inside the corpus folder)"
            )
        step = time.perf_counter()
        vector = self.embedder.embed([query])[0]
        timings["embed_query"] = (time.perf_counter() - step) * 1000
        hits = retrieve(
            query,
            vector,
            self.store,
            k=k,
            candidates=max(self.settings.candidates, k),
            rrf_k=self.settings.rrf_k,
            source=source,
            timings=timings,
        )
        return vector, hits

    def _require_index(self) -> None:
        """Raise `EmptyIndexError` when nothing is indexed: asked only once a search finds
        nothing, as counting the chunks before every question cost a Chroma call."""
        if not self.store.chunk_count():
            raise EmptyIndexError("nothing is indexed yet: run `chipqa ingest` first")


def _rewriter_for(answerer: Answerer) -> QueryRewriter:
    """The query rewriter for `answerer`: its own chat model when it writes with one."""
    if isinstance(answerer, ChatAnswerer):
        return LLMRewriter(answerer.chat_model)
    return HeuristicRewriter()


def build_assistant(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    embedder: Embedder | None = None,
    answerers: dict[str, Answerer] | None = None,
) -> Assistant:
    """Wire the pipeline; pass components to replace the defaults."""
    settings = settings or Settings()
    embedder = embedder or SentenceEmbedder(
        settings.embedding_model, settings.batch_size, settings.embedding_precision
    )
    store = store or ChromaStore(settings, embedder.name, embedder.dimension)
    if answerers is None:
        answerers = build_answerers(settings.answerer_options, embedder, settings.answerer)
    return Assistant(settings, embedder, store, answerers)
