"""The store's protocol and the values it returns: what ingest, retrieval and the pipeline
rely on, whatever keeps the vectors (`assistant.store.ChromaStore` does)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.types import Chunk, DocInfo, Document

# A document to write, its chunks, and their vectors then their sentences' vectors.
DocumentRows = tuple[Document, Sequence[Chunk], np.ndarray]


@dataclass(frozen=True)
class StoredPassage:
    """A chunk as the answerer needs it: its text and sentences, its document, and the
    vector of each sentence (rows in sentence order)."""

    chunk: Chunk
    doc: DocInfo
    sentence_vectors: np.ndarray


@dataclass(frozen=True)
class DenseMatch:
    """One nearest-neighbour result: chunk id and cosine similarity."""

    chunk_id: str
    similarity: float


class Store(Protocol):
    """Where the chunks, their vectors and their sentences' vectors are kept. What is indexed
    is read back from it (`documents`), so it can never disagree with the index."""

    @property
    def location(self) -> str:
        """Where the store lives, for people: a folder, or host:port."""
        ...

    def write(self, documents: Sequence[DocumentRows]) -> None:
        """Add documents' chunks; a retry never duplicates them. Each document's vectors have
        a row per chunk, then a row per sentence of the chunks in order."""
        ...

    def delete_source(self, source: str) -> None:
        """Remove every chunk and sentence of one document."""
        ...

    def documents(self) -> dict[str, DocInfo]:
        """What is indexed, per source."""
        ...

    def load_chunks(self) -> Iterator[tuple[Chunk, DocInfo]]:
        """Every stored chunk with its document's info."""
        ...

    def document_chunks(self, source: str) -> list[Chunk]:
        """Every stored chunk of one document, in text order (no sentence tags or vectors)."""
        ...

    def passages(self, chunk_ids: Sequence[str]) -> dict[str, StoredPassage]:
        """The stored chunks with these ids (ids no longer stored are left out)."""
        ...

    def read_chunks(self, chunk_ids: Sequence[str]) -> dict[str, tuple[Chunk, DocInfo]]:
        """The stored chunks with these ids and their documents (ids no longer stored are
        left out), their sentences untagged: `passages` without `read_sentences`."""
        ...

    def read_sentences(self, chunks: Sequence[Chunk]) -> dict[str, tuple[Chunk, np.ndarray]]:
        """`chunks` (from `read_chunks`) with their sentences' tags, and the vector of each of
        their sentences (rows in sentence order)."""
        ...

    def nearest(self, vector: np.ndarray, n: int, source: str | None = None) -> list[DenseMatch]:
        """The `n` chunks closest to `vector`, optionally within one source."""
        ...

    def nearest_by_sentence(
        self, vector: np.ndarray, n: int, source: str | None = None
    ) -> list[str]:
        """Ids of up to `n` chunks holding the sentences closest to `vector`, best first."""
        ...

    def lexical_ranking(self, query: str, n: int, source: str | None = None) -> list[str]:
        """Ids of the `n` chunks that best match the query's words (BM25), best first."""
        ...

    def knows_term(self, term: str) -> bool:
        """Whether a content term occurs in any stored chunk or document title."""
        ...

    def chunk_count(self) -> int:
        """Number of stored chunks."""
        ...

    def sentence_count(self) -> int:
        """Number of stored sentence vectors."""
        ...

    def refresh(self) -> None:
        """Catch up with changes other processes made to the store (cheap when none)."""
        ...

    def has_source(self, source: str) -> bool:
        """Whether any chunk of this source document is stored."""
        ...

    def damaged_sources(self) -> set[str]:
        """Sources with a stored chunk whose text fails its hash, or has none to check."""
        ...
