"""Store stage: chunks and sentence vectors in Chroma, embedded or on a server.

Two collections share one name: `<name>` holds chunk vectors, `<name>-sentences`
holds the vector of every sentence (searched by its own nearest-neighbour index, and
handed to the answerer so answering needs no re-embedding). Beside them, a SQLite FTS5
file ranks chunks by their words (`assistant.lexical`). What is indexed (the manifest)
is read back from chunk metadata, so it can never disagree with the store, and a
document whose chunk count falls short was interrupted. Nothing here keeps a copy of
the corpus in memory: every search runs in Chroma or SQLite. The sentence tags and vectors
of recently read passages are kept for as long as the store's generation holds (below);
passage text is read, and checked, every time.

Every write gives the store a new generation (collection metadata), so a process that
shares the store sees before a question that another one changed it (`refresh`). Each
chunk's text is stored with its hash, checked whenever the passage is read.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import numpy as np

from assistant.errors import IndexMismatchError, StoreError
from assistant.store.base import DenseMatch, DocumentRows, StoredPassage
from assistant.store.cache import GenerationCache
from assistant.store.chroma_client import (
    DEFAULT_PORT,
    brief_error,
    connect,
    reconnect,
    storage_problem,
    unavailable,
)
from assistant.store.lexical import DerivedLexicalIndex
from assistant.store.records import (
    chunk_from_row,
    chunk_meta,
    doc_info,
    provenance,
    sentence_counts,
    tag_meta,
    text_intact,
)
from assistant.types import Chunk, DocInfo, Document, Provenance

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from assistant.settings import Settings

PAGE = 5000  # rows per Chroma read/write call
SENTENCES_PER_CHUNK = 4  # sentence neighbours fetched per chunk wanted (chunks hold ~4)
GENERATION = "generation"  # chunk collection metadata: a new token with every write
SENTENCES_KEPT = 1024  # chunks whose sentence rows are kept in memory (about 5 MB)
SentenceRows = dict[int, tuple[Provenance | None, Any]]  # sentence position → (tag, vector)
P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)


def _guarded(
    method: Callable[Concatenate[ChromaStore, P], T],
) -> Callable[Concatenate[ChromaStore, P], T]:
    """A `ChromaStore` method whose failed Chroma calls end in one `StoreError` line."""

    @functools.wraps(method)
    def guarded(store: ChromaStore, *args: P.args, **kwargs: P.kwargs) -> T:
        with store.guard():
            return method(store, *args, **kwargs)

    return guarded


class ChromaStore:
    """A `Store` in one Chroma database (local folder or server): chunk vectors in one
    collection, sentence vectors in another (a `where` on a mixed one is 100× slower)."""

    def __init__(self, settings: Settings, model_name: str, dimension: int) -> None:
        self.settings = settings
        self._meta: dict[str, Any] = {"embedding_model": model_name, "dimension": dimension}
        self._open(connect(settings))
        self._seen = self.generation()  # the generation this process's view shows
        self._refresh_lock = threading.Lock()
        path = self._lexical_path(settings.collection_name())
        self._lexical = DerivedLexicalIndex(path, self, settings.data_dir)
        self._reported: set[str] = set()  # damaged passages already reported
        self._sentences_read: GenerationCache[SentenceRows] = GenerationCache(SENTENCES_KEPT)

    def _open(self, client: Any) -> None:
        """Use `client`'s two collections (checked to hold this model's vectors)."""
        name = self.settings.collection_name()
        self._client = client
        self._chunks = self._collection(name, self._meta)
        self._sentences = self._collection(f"{name}-sentences", self._meta)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a failed Chroma call (server down or silent, disk full) into one line."""
        try:
            yield
        except StoreError:
            raise
        except Exception as error:  # chromadb and its HTTP client raise many unrelated types
            raise StoreError(self._local_problem(error) or unavailable(error)) from error

    def _local_problem(self, error: Exception) -> str | None:
        """For the embedded store, one line for a full, read-only or damaged disk."""
        return None if self.settings.uses_server else storage_problem(error, self.settings.data_dir)

    def _lexical_path(self, name: str) -> Path:
        """The FTS5 file for this collection, in the data folder (per server for a server)."""
        folder = self.settings.data_dir / "lexical"
        if self.settings.uses_server:
            where = self.settings
            server = f"{where.chroma_host}-{where.chroma_port or DEFAULT_PORT}"
            return folder / f"{server}-{where.chroma_tenant}-{where.chroma_database}-{name}.sqlite3"
        return folder / f"{name}.sqlite3"

    def refresh(self) -> None:
        """Catch up with what other processes changed since this one last looked: a cheap
        read of the store's generation. When it moved, the embedded store's client is opened
        afresh (its vector index was loaded before the change) and the lexical file is
        compared with the store before its next use."""
        generation = self.generation()
        with self._refresh_lock:
            self._lexical.reopen_if_replaced()
            if generation != self._seen:
                if not self.settings.uses_server:
                    self._open(reconnect(self.settings))
                self._seen = generation
                self._lexical.store_changed()

    @_guarded
    def generation(self) -> str | None:
        """The store's generation: a token each write replaces (None: none written yet)."""
        found = self._client.get_collection(self._chunks.name, embedding_function=None)
        generation = (found.metadata or {}).get(GENERATION)
        return None if generation is None else str(generation)

    def _changed(self) -> None:
        """Give the store a new generation, so other processes see that their view is stale.
        This process's view stays current, unless another wrote since it last looked."""
        before = self.generation()
        generation = uuid.uuid4().hex
        self._chunks.modify(metadata={**self._meta, GENERATION: generation})
        if before == self._seen:
            self._seen = generation
            self._lexical.advance(before, generation)

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
                self._local_problem(error)
                or f"cannot open Chroma collection '{name}' ({brief_error(error)}); "
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

    @_guarded
    def write(self, documents: Sequence[DocumentRows]) -> None:
        """Add documents' chunks (ids are deterministic, so a retry never duplicates), all of
        them in as few Chroma calls as pages allow: a call costs about 8 ms beyond its rows.

        Sentence vectors go first: the chunks are the manifest, so a document whose write
        was cut short has no chunks (or too few) and the next ingest redoes it.
        """
        if not documents:
            return
        chunks = [c for _, doc_chunks, _ in documents for c in doc_chunks]
        rows = [(c, i, s) for c in chunks for i, s in enumerate(c.sentences)]
        chunk_vectors = np.vstack([v[: len(cs)] for _, cs, v in documents])
        sentence_vectors = np.vstack([v[len(cs) :] for _, cs, v in documents])
        for first in range(0, len(rows), PAGE):
            page = rows[first : first + PAGE]
            self._sentences.upsert(
                ids=[f"{c.id}:{i}" for c, i, _ in page],
                embeddings=sentence_vectors[first : first + PAGE],
                metadatas=[
                    {"chunk_id": c.id, "source": c.source, "i": i, **tag_meta(s)}
                    for c, i, s in page
                ],
            )
        metas = [meta for doc, doc_chunks, _ in documents for meta in _metas(doc, doc_chunks)]
        for first in range(0, len(chunks), PAGE):
            page_chunks = chunks[first : first + PAGE]
            self._chunks.upsert(
                ids=[c.id for c in page_chunks],
                embeddings=chunk_vectors[first : first + PAGE],
                documents=[c.text for c in page_chunks],
                metadatas=metas[first : first + PAGE],
            )
        self._lexical.add(chunks, {doc.source: doc.title for doc, _, _ in documents})
        self._changed()
        self._sentences_read.clear()

    @_guarded
    def delete_source(self, source: str) -> None:
        """Remove every chunk and sentence of one document."""
        self._sentences.delete(where={"source": source})
        self._chunks.delete(where={"source": source})
        self._lexical.delete_source(source)
        self._changed()
        self._sentences_read.clear()

    def documents(self) -> dict[str, DocInfo]:
        """What is indexed, per source, read back from chunk metadata."""
        docs: dict[str, DocInfo] = {}
        for meta in self._all_metadata():
            source = str(meta["source"])
            info = docs.get(source)
            if info is None:
                info = docs[source] = doc_info(meta)
            docs[source] = replace(info, chunks=info.chunks + 1)
        return docs

    def _all_metadata(self) -> Iterator[dict[str, Any]]:
        for rows in self._pages(["metadatas"]):
            yield from (dict(m) for m in rows["metadatas"] or [])

    def _pages(self, include: Any) -> Iterator[Any]:
        """Every stored chunk's row, a page at a time, with the fields in `include`."""
        for offset in range(0, self.chunk_count(), PAGE):
            with self.guard():
                rows = self._chunks.get(include=include, limit=PAGE, offset=offset)
            yield rows

    def damaged_sources(self) -> set[str]:
        """Sources with a stored chunk whose text fails its hash, or has none to check."""
        return {
            str(meta["source"])
            for rows in self._pages(["metadatas", "documents"])
            for meta, text in zip(rows["metadatas"] or [], rows["documents"] or [], strict=True)
            if not text_intact(meta, text)
        }

    @_guarded
    def has_source(self, source: str) -> bool:
        """Whether any chunk of this source document is stored."""
        return bool(self._chunks.get(where={"source": source}, limit=1, include=[])["ids"])

    def load_chunks(self) -> Iterator[tuple[Chunk, DocInfo]]:
        """Every stored chunk with its document info, a page at a time."""
        docs = self.documents()
        for chunks, _ in self.chunk_pages():
            yield from ((chunk, docs[chunk.source]) for chunk in chunks)

    def chunk_pages(self) -> Iterator[tuple[list[Chunk], dict[str, str]]]:
        """Every stored chunk, a page at a time, with the titles of the page's documents."""
        for rows in self._pages(["metadatas", "documents"]):
            metas = [dict(m) for m in rows["metadatas"] or []]
            tags = self._sentence_rows(sentence_counts(rows["ids"], metas), include_vectors=False)
            chunks = [
                chunk_from_row(chunk_id, meta, text, tags.get(chunk_id, {}))
                for chunk_id, meta, text in zip(
                    rows["ids"], metas, rows["documents"] or [], strict=True
                )
            ]
            yield chunks, {str(m["source"]): str(m["title"]) for m in metas}

    @_guarded
    def document_chunks(self, source: str) -> list[Chunk]:
        """Every stored chunk of one document, in text order (no sentence tags or vectors)."""
        rows = self._chunks.get(where={"source": source}, include=["metadatas", "documents"])
        metas = [dict(m) for m in rows["metadatas"] or []]
        chunks = [
            chunk_from_row(chunk_id, meta, text, {})
            for chunk_id, meta, text in zip(
                rows["ids"], metas, rows["documents"] or [], strict=True
            )
        ]
        return sorted(chunks, key=lambda chunk: chunk.start)

    def passages(self, chunk_ids: Sequence[str]) -> dict[str, StoredPassage]:
        """The stored chunks with these ids, with their sentences' tags and vectors."""
        found = self.read_chunks(chunk_ids)
        tagged = self.read_sentences([chunk for chunk, _ in found.values()])
        return {
            chunk_id: StoredPassage(tagged[chunk_id][0], doc, tagged[chunk_id][1])
            for chunk_id, (_, doc) in found.items()
        }

    def read_chunks(self, chunk_ids: Sequence[str]) -> dict[str, tuple[Chunk, DocInfo]]:
        """The stored chunks with these ids and their documents, in one read; their sentences
        are not tagged (`read_sentences` reads the tags and vectors of those chosen)."""
        if not chunk_ids:
            return {}
        with self.guard():
            rows = self._chunks.get(ids=list(chunk_ids), include=["metadatas", "documents"])
        found = {}
        for chunk_id, row_meta, text in zip(
            rows["ids"], rows["metadatas"] or [], rows["documents"] or [], strict=True
        ):
            meta = dict(row_meta)
            if self._intact(chunk_id, meta, text):
                found[chunk_id] = (chunk_from_row(chunk_id, meta, text, {}), doc_info(meta))
        return found

    def read_sentences(self, chunks: Sequence[Chunk]) -> dict[str, tuple[Chunk, np.ndarray]]:
        """`chunks` with their sentences' tags, and the vector of each of their sentences
        (rows in sentence order), in one read of those not kept from an earlier one."""
        counts = {chunk.id: len(chunk.sentences) for chunk in chunks}
        seen = self._seen  # the generation the rows are read at
        rows = self._sentences_read.found(counts, seen)
        missing = {chunk_id: n for chunk_id, n in counts.items() if chunk_id not in rows}
        if missing:
            read = self._sentence_rows(missing, include_vectors=True)
            fresh = {chunk_id: read.get(chunk_id, {}) for chunk_id in missing}
            # rows that are not all there (being written or deleted) are not kept
            whole = {c: _own(r) for c, r in fresh.items() if len(r) == missing[c]}
            self._sentences_read.keep(whole, seen)
            rows |= fresh
        return {chunk.id: _tagged(chunk, rows[chunk.id]) for chunk in chunks}

    def _intact(self, chunk_id: str, meta: Mapping[str, Any], text: str) -> bool:
        """Whether a passage's text is the text it was indexed with (when its hash is stored);
        a damaged one is reported once and left out."""
        if text_intact(meta, text) is not False:
            return True
        if chunk_id not in self._reported:
            self._reported.add(chunk_id)
            log.warning(
                "a passage of %s in the index is not the text it was indexed with and is "
                "left out: run `chipqa ingest --repair`",
                meta["source"],
            )
        return False

    def _sentence_rows(
        self, counts: Mapping[str, int], *, include_vectors: bool
    ) -> dict[str, SentenceRows]:
        """chunk id → sentence position → (provenance tagged at ingest, vector or None), read
        by id (`<chunk id>:<position>`): a metadata filter would scan the collection."""
        found: dict[str, SentenceRows] = {}
        include: Any = ["metadatas", "embeddings"] if include_vectors else ["metadatas"]
        ids = [f"{chunk_id}:{i}" for chunk_id, count in counts.items() for i in range(count)]
        for first in range(0, len(ids), PAGE):
            with self.guard():
                rows = self._sentences.get(ids=ids[first : first + PAGE], include=include)
            vectors = rows["embeddings"] if include_vectors else None
            for row, meta in enumerate(rows["metadatas"] or []):
                vector = vectors[row] if vectors is not None else None
                position = found.setdefault(str(meta["chunk_id"]), {})
                position[int(str(meta["i"]))] = (provenance(meta), vector)
        return found

    @_guarded
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

    @_guarded
    def nearest_by_sentence(
        self, vector: np.ndarray, n: int, source: str | None = None
    ) -> list[str]:
        """Ids of up to `n` chunks holding the sentences closest to `vector`, best first:
        an approximate search of the sentence collection, grouped by chunk. The chunk id is
        read from the sentence id (`<chunk id>:<position>`): asking Chroma for the rows'
        metadata as well made the search 7× slower."""
        if n <= 0:
            return []
        result = self._sentences.query(
            query_embeddings=[vector.tolist()],
            n_results=n * SENTENCES_PER_CHUNK,
            where={"source": source} if source else None,
            include=[],
        )
        ranked = dict.fromkeys(sentence_id.rpartition(":")[0] for sentence_id in result["ids"][0])
        return list(ranked)[:n]

    def lexical_ranking(self, query: str, n: int, source: str | None = None) -> list[str]:
        """Ids of the `n` chunks that best match the query's words (BM25 in SQLite FTS5)."""
        return self._lexical.rank(query, n, source)

    def knows_term(self, term: str) -> bool:
        """Whether a content term occurs in any stored chunk or document title."""
        return self._lexical.knows(term)

    @_guarded
    def chunk_count(self) -> int:
        """Number of stored chunks."""
        return int(self._chunks.count())

    @_guarded
    def sentence_count(self) -> int:
        """Number of stored sentence vectors."""
        return int(self._sentences.count())


def _tagged(
    chunk: Chunk, rows: Mapping[int, tuple[Provenance | None, Any]]
) -> tuple[Chunk, np.ndarray]:
    """A chunk with its sentences tagged from their rows, and their vectors in order."""
    sentences = tuple(
        replace(sentence, provenance=rows[i][0]) if i in rows else sentence
        for i, sentence in enumerate(chunk.sentences)
    )
    vectors = np.asarray([rows[i][1] for i in sorted(rows)], dtype=np.float32)
    return replace(chunk, sentences=sentences), vectors


def _own(rows: SentenceRows) -> SentenceRows:
    """Rows to keep: their vectors copied as float32 (the precision they are used at), so
    that a kept row holds no whole read's array in memory."""
    return {i: (tag, np.array(vector, dtype=np.float32)) for i, (tag, vector) in rows.items()}


def _metas(doc: Document, chunks: Sequence[Chunk]) -> list[Mapping[str, Any]]:
    """Chroma metadata of each chunk of one document."""
    doc_meta = json.dumps(doc.meta, sort_keys=True)
    return [chunk_meta(doc, c, len(chunks), doc_meta) for c in chunks]
