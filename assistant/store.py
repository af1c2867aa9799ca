"""Store stage: chunks and sentence vectors in Chroma, embedded or on a server.

Two collections share one name: `<name>` holds chunk vectors, `<name>-sentences`
holds the vector of every sentence (so answering needs no re-embedding). What is
indexed (the manifest) is read back from chunk metadata, so it can never disagree
with the store, and a document whose chunk count falls short was interrupted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from assistant.chroma_client import DEFAULT_PORT, brief_error, connect
from assistant.errors import IndexMismatchError, StoreError
from assistant.provenance import Provenance
from assistant.types import Chunk, DocInfo, Document, Sentence

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from assistant.settings import Settings

PAGE = 5000  # rows per Chroma read/write call


@dataclass(frozen=True)
class DenseMatch:
    """One nearest-neighbour result: chunk id and cosine similarity."""

    chunk_id: str
    similarity: float


@contextmanager
def _guarded() -> Iterator[None]:
    """Turn a failed Chroma call (server down, store broken) into one `StoreError` line."""
    try:
        yield
    except StoreError:
        raise
    except Exception as error:  # chromadb and its HTTP client raise many unrelated types
        raise StoreError(
            f"the vector store is unavailable ({brief_error(error)}); retry shortly"
        ) from error


class Store(Protocol):
    """Where the chunks, their vectors and their sentences' vectors are kept. What is indexed
    is read back from it (`documents`), so it can never disagree with the index."""

    @property
    def location(self) -> str:
        """Where the store lives, for people: a folder, or host:port."""
        ...

    def write(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Add one document's chunks; a retry never duplicates them. `vectors` has a row per
        chunk, then a row per sentence of the chunks in order."""
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

    def sentence_vectors(self) -> dict[str, np.ndarray]:
        """chunk id → (sentences, dimension) matrix, in sentence order."""
        ...

    def nearest(self, vector: np.ndarray, n: int, source: str | None = None) -> list[DenseMatch]:
        """The `n` chunks closest to `vector`, optionally within one source."""
        ...

    def chunk_count(self) -> int:
        """Number of stored chunks."""
        ...

    def sentence_count(self) -> int:
        """Number of stored sentence vectors."""
        ...


class ChromaStore:
    """A `Store` in one Chroma database (local folder or server): chunk vectors in one
    collection, sentence vectors in another (a `where` on a mixed one is 100× slower)."""

    def __init__(self, settings: Settings, model_name: str, dimension: int) -> None:
        self.settings = settings
        self._client = connect(settings)
        meta = {"embedding_model": model_name, "dimension": dimension}
        name = settings.collection_name()
        self._chunks = self._collection(name, meta)
        self._sentences = self._collection(f"{name}-sentences", meta)

    @property
    def location(self) -> str:
        """Where the store lives: host:port of the server, or the data folder."""
        if self.settings.uses_server:
            return f"{self.settings.chroma_host}:{self.settings.chroma_port or DEFAULT_PORT}"
        return str(self.settings.data_dir)

    def _collection(self, name: str, meta: dict[str, Any]) -> Collection:
        try:
            collection = self._client.get_or_create_collection(
                name,
                metadata=meta,
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        except Exception as error:  # chromadb raises many unrelated types here
            raise StoreError(
                f"cannot open Chroma collection '{name}' ({brief_error(error)}); "
                "check the store, retry"
            ) from error
        found = {k: (collection.metadata or {}).get(k) for k in meta}
        if found != meta:
            raise IndexMismatchError(
                f"collection '{name}' was built with {found['embedding_model']} "
                f"(dimension {found['dimension']}), not {meta['embedding_model']} "
                f"(dimension {meta['dimension']}): set CHIPQA_COLLECTION to a new name "
                "or delete the data directory and re-ingest"
            )
        return collection

    @_guarded()
    def write(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Add one document's chunks (ids are deterministic, so a retry never duplicates).

        Sentence vectors go first: the chunks are the manifest, so a document whose write
        was cut short has no chunks (or too few) and the next ingest redoes it.
        """
        rows = [(c, i, s) for c in chunks for i, s in enumerate(c.sentences)]
        chunk_vectors, sentence_vectors = vectors[: len(chunks)], vectors[len(chunks) :]
        for first in range(0, len(rows), PAGE):
            page = rows[first : first + PAGE]
            self._sentences.upsert(
                ids=[f"{c.id}:{i}" for c, i, _ in page],
                embeddings=sentence_vectors[first : first + PAGE],
                metadatas=[
                    {"chunk_id": c.id, "source": c.source, "i": i, **_tag_meta(s)}
                    for c, i, s in page
                ],
            )
        doc_meta = json.dumps(doc.meta, sort_keys=True)
        self._chunks.upsert(
            ids=[c.id for c in chunks],
            embeddings=chunk_vectors,
            documents=[c.text for c in chunks],
            metadatas=[_chunk_meta(doc, c, len(chunks), doc_meta) for c in chunks],
        )

    @_guarded()
    def delete_source(self, source: str) -> None:
        """Remove every chunk and sentence of one document."""
        self._sentences.delete(where={"source": source})
        self._chunks.delete(where={"source": source})

    def documents(self) -> dict[str, DocInfo]:
        """What is indexed, per source, read back from chunk metadata."""
        docs: dict[str, DocInfo] = {}
        for meta in self._all_metadata():
            source = str(meta["source"])
            info = docs.get(source)
            if info is None:
                info = docs[source] = _doc_info(meta)
            docs[source] = DocInfo(
                info.source,
                info.title,
                info.sha256,
                info.chunks + 1,
                info.expected_chunks,
                info.meta,
            )
        return docs

    def _all_metadata(self) -> Iterator[dict[str, Any]]:
        total = self.chunk_count()
        for offset in range(0, total, PAGE):
            with _guarded():
                rows = self._chunks.get(include=["metadatas"], limit=PAGE, offset=offset)
            yield from (dict(m) for m in rows["metadatas"] or [])

    def load_chunks(self) -> Iterator[tuple[Chunk, DocInfo]]:
        """Every stored chunk with its document info (for BM25 and the answerer)."""
        docs = self.documents()
        tags = self._sentence_tags()
        total = self.chunk_count()
        for offset in range(0, total, PAGE):
            with _guarded():
                rows = self._chunks.get(
                    include=["metadatas", "documents"], limit=PAGE, offset=offset
                )
            for chunk_id, meta, text in zip(
                rows["ids"], rows["metadatas"] or [], rows["documents"] or [], strict=True
            ):
                chunk = _chunk_from_row(chunk_id, dict(meta), text, tags.get(chunk_id, {}))
                yield chunk, docs[str(meta["source"])]

    def _sentence_tags(self) -> dict[str, dict[int, Provenance]]:
        """chunk id → sentence position → the provenance tagged at ingest."""
        found: dict[str, dict[int, Provenance]] = {}
        for offset in range(0, self.sentence_count(), PAGE):
            with _guarded():
                rows = self._sentences.get(include=["metadatas"], limit=PAGE, offset=offset)
            for meta in rows["metadatas"] or []:
                if "claim_type" in meta:
                    found.setdefault(str(meta["chunk_id"]), {})[int(str(meta["i"]))] = Provenance(
                        str(meta["claim_type"]),
                        _text(meta.get("claimant")),
                        _text(meta.get("event_date")),
                    )
        return found

    def sentence_vectors(self) -> dict[str, np.ndarray]:
        """chunk id → (sentences, dimension) matrix, in sentence order."""
        found: dict[str, dict[int, np.ndarray]] = {}
        total = self.sentence_count()
        for offset in range(0, total, PAGE):
            with _guarded():
                rows = self._sentences.get(
                    include=["metadatas", "embeddings"], limit=PAGE, offset=offset
                )
            vectors = rows["embeddings"]
            for meta, vector in zip(
                rows["metadatas"] or [], vectors if vectors is not None else [], strict=True
            ):
                found.setdefault(str(meta["chunk_id"]), {})[int(str(meta["i"]))] = vector
        return {
            chunk_id: np.asarray([rows[i] for i in sorted(rows)], dtype=np.float32)
            for chunk_id, rows in found.items()
        }

    @_guarded()
    def nearest(self, vector: np.ndarray, n: int, source: str | None = None) -> list[DenseMatch]:
        """The `n` chunks closest to `vector`, optionally within one source.

        Chroma returns fewer than `n` when fewer exist, so no count is asked first (that
        was a second round trip per question).
        """
        if n <= 0:
            return []
        result = self._chunks.query(
            query_embeddings=[vector.tolist()],
            n_results=n,
            where={"source": source} if source else None,
            include=["distances"],
        )
        distances = (result["distances"] or [[]])[0]
        return [
            DenseMatch(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], distances, strict=True)
        ]

    @_guarded()
    def chunk_count(self) -> int:
        """Number of stored chunks."""
        return int(self._chunks.count())

    @_guarded()
    def sentence_count(self) -> int:
        """Number of stored sentence vectors."""
        return int(self._sentences.count())


def _chunk_meta(doc: Document, chunk: Chunk, total: int, doc_meta: str) -> dict[str, Any]:
    spans = [offset for s in chunk.sentences for offset in (s.start, s.end)]
    meta: dict[str, Any] = {
        "source": doc.source,
        "title": doc.title,
        "sha256": doc.sha256,
        "doc_chunks": total,
        "doc_meta": doc_meta,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "section": chunk.section,
        "spans": spans,
    }
    if chunk.page is not None:
        meta["page"] = chunk.page
    return meta


def _doc_info(meta: dict[str, Any]) -> DocInfo:
    return DocInfo(
        source=str(meta["source"]),
        title=str(meta["title"]),
        sha256=str(meta["sha256"]),
        chunks=0,
        expected_chunks=int(meta["doc_chunks"]),
        meta=json.loads(meta["doc_meta"]),
    )


def _tag_meta(sentence: Sentence) -> dict[str, str]:
    """A sentence's provenance as Chroma metadata (which holds no None values)."""
    tag = sentence.provenance
    if tag is None:
        return {}
    found = {"claim_type": tag.claim_type, "claimant": tag.claimant, "event_date": tag.event_date}
    return {key: value for key, value in found.items() if value is not None}


def _text(value: object) -> str | None:
    """A metadata value as text; None stays None."""
    return None if value is None else str(value)


def _chunk_from_row(
    chunk_id: str, meta: dict[str, Any], text: str, tags: dict[int, Provenance]
) -> Chunk:
    start = int(meta["start"])
    spans = [int(x) for x in meta["spans"]]
    sentences = tuple(
        Sentence(a, b, text[a - start : b - start], tags.get(i))
        for i, (a, b) in enumerate(zip(spans[::2], spans[1::2], strict=True))
    )
    return Chunk(
        id=chunk_id,
        source=str(meta["source"]),
        index=int(meta["index"]),
        start=start,
        end=int(meta["end"]),
        text=text,
        section=str(meta["section"]),
        sentences=sentences,
        page=meta.get("page"),
    )
