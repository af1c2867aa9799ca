"""ChipQA as LangChain components, for composing your own chains.

`ChipQARetriever` returns ChipQA's fused passages (dense ∪ BM25 ∪ sentence vectors) as
`Document`s; `ChipQAChain` is the whole answer pipeline as a `Runnable` whose output is the
`chipqa ask --json` object. Both wrap one `Assistant` (see `build_assistant`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import ConfigDict

from assistant.errors import QuestionError
from assistant.pipeline import Assistant
from assistant.types import Answer, Hit, Turn

ChainInput = str | dict[str, Any]  # a question, or {"question", "history", "k", ...}
OPTIONS = ("k", "answerer", "source")


class ChipQARetriever(BaseRetriever):
    """The passages ChipQA would answer from, best first, as LangChain documents.

    Each document's text is a passage of a source document; its metadata holds `source`,
    `title`, `date`, `section`, `page`, `start`/`end` (character offsets into the source
    document's text), `score` (fused) and its rank in each ranking fused: `dense_rank`,
    `bm25_rank` and `sentence_rank`.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Assistant
    k: int | None = None  # passages returned (default: the assistant's `k`)
    source: str | None = None  # only passages of this source document

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.assistant.search(query, k=self.k, source=self.source)
        return [as_document(hit) for hit in hits]


def as_document(hit: Hit) -> Document:
    """One retrieved passage as a LangChain document (its id is the chunk id)."""
    chunk = hit.chunk
    metadata = {
        "source": chunk.source,
        "title": hit.doc.title,
        "date": hit.doc.meta.get("date"),
        "section": chunk.section,
        "page": chunk.page,
        "start": chunk.start,
        "end": chunk.end,
        "score": hit.score,
        "dense_rank": hit.dense_rank,
        "bm25_rank": hit.bm25_rank,
        "sentence_rank": hit.sentence_rank,
    }
    return Document(page_content=chunk.text, id=chunk.id, metadata=metadata)


class ChipQAChain(Runnable[ChainInput, dict[str, Any]]):
    """Question in, the `chipqa ask --json` object out: every sentence cited.

    The input is a question, or a dict with `question` and optionally `history` (earlier
    turns as `{"question", "answer"}` dicts), `k`, `answerer` and `source`. `stream` yields
    `{"token": text}` chunks as the answer is written, then the whole object; `batch` and
    the async methods come from `Runnable`.
    """

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def invoke(
        self, input: ChainInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Answer one question."""
        return self._call_with_config(self._answer, input, config)

    def stream(
        self, input: ChainInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        """`{"token": text}` chunks while the answer is written, then the whole object."""
        yield from self._transform_stream_with_config(iter([input]), self._events, config)

    def _answer(self, value: ChainInput) -> dict[str, Any]:
        question, history, options = _request(value)
        return self.assistant.ask(question, history, **options).to_dict()

    def _events(self, values: Iterator[ChainInput]) -> Iterator[dict[str, Any]]:
        for value in values:
            question, history, options = _request(value)
            for event in self.assistant.stream(question, history, **options):
                if isinstance(event, str):
                    yield {"token": event}
                elif isinstance(event, Answer):
                    yield event.to_dict()


def _request(value: ChainInput) -> tuple[str, list[Turn], dict[str, Any]]:
    """The question, earlier turns and `ask` options of one input."""
    if isinstance(value, str):
        return value, [], {}
    unknown = sorted(set(value) - {"question", "history", *OPTIONS})
    if not isinstance(value.get("question"), str) or unknown:
        raise QuestionError(
            f"the input needs a 'question' and takes only 'history', {', '.join(OPTIONS)}"
            + (f" (not {', '.join(unknown)})" if unknown else "")
        )
    history = [
        Turn(question=str(t["question"]), answer=str(t["answer"]))
        for t in value.get("history") or []
    ]
    return value["question"], history, {k: value[k] for k in OPTIONS if k in value}
