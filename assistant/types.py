"""The typed outputs of each pipeline stage: Document → Chunk → Hit → Citation → Answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    import numpy as np


class Turn(TypedDict):
    """One earlier exchange of a conversation."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who stands behind a sentence: claim type, claimant (short name or None), event date."""

    claim_type: str
    claimant: str | None
    event_date: str | None


@dataclass(frozen=True, slots=True)
class Document:
    """A loaded source file: its full text and metadata."""

    source: str  # stable key: path relative to the corpus root, or the file name
    text: str
    title: str
    sha256: str
    meta: dict[str, Any] = field(default_factory=dict)  # date, publisher, kind, sources, topics
    page_starts: tuple[int, ...] = ()  # PDF: offset where each page's text begins
    corpus: str | None = None  # the corpus it is indexed from (`host:folder`), set by ingest
    hidden_chars: int = 0  # characters of text a reader cannot see, left out at load
    uploaded: bool = False  # from the corpus's uploads folder, set by ingest
    trusted: bool = False  # an upload someone chose to trust (see `assistant.trust`)

    @property
    def unverified(self) -> bool:
        """An upload nobody trusted: the uploader's words, never an authority by itself."""
        return self.uploaded and not self.trusted

    def page_at(self, offset: int) -> int | None:
        """1-based page number holding character `offset` (PDFs only)."""
        if not self.page_starts:
            return None
        return sum(1 for start in self.page_starts if start <= offset)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence or list item; `start`/`end` are offsets into the document text."""

    start: int
    end: int
    text: str
    provenance: Provenance | None = field(default=None, compare=False)  # tagged at ingest


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable passage of a document, with its sentences."""

    id: str
    source: str
    index: int
    start: int
    end: int
    text: str
    section: str
    sentences: tuple[Sentence, ...]
    page: int | None = None


@dataclass(frozen=True, slots=True)
class DocInfo:
    """What the store knows about one indexed document."""

    source: str
    title: str
    sha256: str
    chunks: int
    expected_chunks: int
    meta: dict[str, Any]
    corpus: str | None = None  # the corpus it was indexed from; None: before corpora were kept
    uploaded: bool = False  # from the uploads folder
    trusted: bool = False  # an upload someone chose to trust

    @property
    def unverified(self) -> bool:
        """An upload nobody trusted: the uploader's words, never an authority by itself."""
        return self.uploaded and not self.trusted

    @property
    def complete(self) -> bool:
        """False when an ingest of this document was interrupted."""
        return self.chunks == self.expected_chunks


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What a store holds, read from the store alone (no model, no in-memory index)."""

    collection: str
    store: str  # the data folder, or host:port of a Chroma server
    documents: list[DocInfo]  # sorted by source
    chunks: int
    sentences: int
    corpus_dir: str = ""  # the corpus folder, resolved
    data_dir: str = ""  # the data folder, resolved

    @property
    def corpora(self) -> dict[str, int]:
        """Documents per corpus in the store (`unrecorded`: indexed before corpora were kept)."""
        counts: dict[str, int] = {}
        for doc in self.documents:
            name = doc.corpus or "unrecorded"
            counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object printed by `chipqa stats --json`."""
        return {
            "collection": self.collection,
            "store": self.store,
            "corpus_dir": self.corpus_dir,
            "data_dir": self.data_dir,
            "corpora": self.corpora,
            "documents": len(self.documents),
            "chunks": self.chunks,
            "sentences": self.sentences,
            "incomplete": [d.source for d in self.documents if not d.complete],
            "sources": [
                {
                    "source": d.source,
                    "title": d.title,
                    "date": d.meta.get("date"),
                    "chunks": d.chunks,
                    "complete": d.complete,
                    "corpus": d.corpus,
                    "uploaded": d.uploaded,
                    "trusted": d.trusted,
                }
                for d in self.documents
            ],
        }


@dataclass(slots=True)
class Hit:
    """A retrieved chunk with its fused score, its rank in each of the three rankings (None:
    not among that ranking's candidates) and the vector of each of its sentences (rows in
    sentence order; empty when not read from the store)."""

    chunk: Chunk
    doc: DocInfo
    score: float
    dense_rank: int | None = None  # by the chunk's own vector
    bm25_rank: int | None = None  # by its words
    sentence_rank: int | None = None  # by its sentences' vectors
    sentence_vectors: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited passage: `quote == document_text[start:end]`."""

    n: int
    source: str
    title: str
    quote: str
    start: int
    end: int
    score: float  # support score of the cited sentence(s), 0..1
    chunk_id: str = ""
    section: str = ""
    date: str = ""
    page: int | None = None
    passage: str = ""  # the surrounding chunk text, for display
    passage_start: int = 0
    sources: tuple[str, ...] = ()  # a brief's listed sources
    claim_type: str | None = None  # official, company, reported, estimate, forecast or fact
    claimant: str | None = None  # who makes the claim, when the sentence or its context says
    event_date: str | None = None  # the date the quoted sentence reports (ISO date or month)
    as_of: str | None = None  # the document's as-of date
    uploaded: bool = False  # quotes an uploaded document: the uploader's words, not verified
    trusted: bool = False  # … which someone chose to trust as a source
    instructions: tuple[tuple[int, int], ...] = ()  # spans of the passage addressing the reader

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the passage text and its spans are left out)."""
        data = asdict(self)
        data.pop("passage")
        data.pop("instructions")
        data["sources"] = list(self.sources)
        return data


@dataclass(frozen=True, slots=True)
class StatedValue:
    """One claimant's value in a disagreement, and the number of the citation quoting it."""

    value: str
    claimant: str
    citation: int


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Sources giving values of one quantity that do not agree, each value cited."""

    about: str
    values: tuple[StatedValue, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"about", "values": [{"value", "claimant", "citation"}]}."""
        return {"about": self.about, "values": [asdict(v) for v in self.values]}


ABSTAIN_TEXT = "The documents in the corpus do not answer this."


@dataclass(frozen=True, slots=True)
class Answer:
    """What `ask` returns to the CLI, the UI and the eval: built once, never changed."""

    question: str
    text: str
    abstained: bool
    confidence: float
    citations: list[Citation]
    related: list[Citation] = field(default_factory=list)
    passages: list[Hit] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    notice: str | None = None
    retrieval_query: str = ""
    abstain_reason: str | None = None  # unknown_terms, off_topic, not_stated, unclear
    as_of: str | None = None  # the latest date among the cited evidence
    disagreements: tuple[Disagreement, ...] = ()
    premise_corrected: bool = False  # the cited sentences contradict the question's premise

    def to_dict(self) -> dict[str, Any]:
        """The JSON object printed by `chipqa ask --json`."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "as_of": self.as_of,
            "disagreements": [d.to_dict() for d in self.disagreements],
            "citations": [c.to_dict() for c in self.citations],
            "related": [c.to_dict() for c in self.related],
            "notice": self.notice,
            "abstain_reason": self.abstain_reason,
            "premise_corrected": self.premise_corrected,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
