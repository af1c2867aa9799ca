"""Retrieval stage: three rankings of the same chunks, fused with reciprocal rank fusion.

1. dense: Chroma nearest neighbours of the question among chunk vectors;
2. BM25 over chunk words (built in memory from the store, rebuilt only after ingest);
3. sentence: chunks ranked by their best sentence vector (precomputed at ingest),
   which finds a single fact buried in a long passage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from assistant.store import Store
from assistant.text import content_terms
from assistant.types import Chunk, DocInfo, Hit


@dataclass
class CorpusIndex:
    """In-memory view of the store: chunks, BM25 and sentence vectors. Rebuilt after ingest."""

    chunks: list[Chunk]
    docs: dict[str, DocInfo]
    sentence_vectors: dict[str, np.ndarray]
    vocabulary: frozenset[str]
    _bm25: object = field(repr=False)
    _position: dict[str, int] = field(repr=False)
    _doc_of: np.ndarray = field(repr=False)  # source of each chunk
    _sentence_matrix: np.ndarray = field(repr=False)  # every sentence vector, chunk by chunk
    _sentence_starts: np.ndarray = field(repr=False)  # first row of each holder's sentences
    _sentence_holders: np.ndarray = field(repr=False)  # chunk positions that have sentences

    @classmethod
    def build(cls, store: Store) -> CorpusIndex:
        """Read every chunk once and index it for BM25."""
        import bm25s

        pairs = list(store.load_chunks())
        chunks = [chunk for chunk, _ in pairs]
        docs = {doc.source: doc for _, doc in pairs}
        corpus_tokens = [content_terms(f"{c.section} {c.text}") or ["_"] for c in chunks]
        bm25 = bm25s.BM25()
        if chunks:
            bm25.index(corpus_tokens, show_progress=False)
        vocabulary = frozenset(t for toks in corpus_tokens for t in toks) | frozenset(
            t for d in docs.values() for t in content_terms(d.title)
        )
        matrix, starts, held, views = _stack(chunks, store.sentence_vectors())
        return cls(
            chunks=chunks,
            docs=docs,
            sentence_vectors=views,
            vocabulary=vocabulary,
            _bm25=bm25,
            _position={c.id: i for i, c in enumerate(chunks)},
            _doc_of=np.asarray([c.source for c in chunks]),
            _sentence_matrix=matrix,
            _sentence_starts=starts,
            _sentence_holders=held,
        )

    def bm25_ranking(self, query: str, n: int, source: str | None = None) -> list[str]:
        """Ids of the `n` best BM25 chunks with a positive score."""
        terms = content_terms(query)
        if not self.chunks or not terms:
            return []
        scores = np.asarray(self._bm25.get_scores(terms))  # type: ignore[attr-defined]
        if source:
            scores = np.where(self._doc_of == source, scores, 0.0)
        top = np.argsort(-scores)[:n]
        return [self.chunks[i].id for i in top if scores[i] > 0]

    def sentence_ranking(self, vector: np.ndarray, n: int, source: str | None = None) -> list[str]:
        """Ids of the `n` chunks holding the sentences most similar to `vector`."""
        if not len(self._sentence_holders):
            return []
        best = np.full(len(self.chunks), -np.inf)
        similarities = self._sentence_matrix @ vector
        best[self._sentence_holders] = np.maximum.reduceat(similarities, self._sentence_starts)
        if source:
            best[self._doc_of != source] = -np.inf
        n = min(n, len(best))
        top = np.argpartition(-best, n - 1)[:n]
        top = top[np.argsort(-best[top])]
        return [self.chunks[i].id for i in top if np.isfinite(best[i])]

    def chunk(self, chunk_id: str) -> Chunk | None:
        """A chunk by id, or None if it is not in this snapshot."""
        position = self._position.get(chunk_id)
        return None if position is None else self.chunks[position]


def _stack(
    chunks: list[Chunk], vectors: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One matrix of all sentence vectors; per-chunk views into it (no second copy)."""
    held = [i for i, c in enumerate(chunks) if len(vectors.get(c.id, ()))]
    if not held:
        return np.zeros((0, 1), np.float32), np.zeros(0, int), np.zeros(0, int), {}
    sizes = [len(vectors[chunks[i].id]) for i in held]
    matrix = np.vstack([vectors[chunks[i].id] for i in held])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    views = {
        chunks[i].id: matrix[start : start + size]
        for i, start, size in zip(held, starts, sizes, strict=True)
    }
    return matrix, starts, np.asarray(held), views


def fuse(rankings: list[list[str]], rrf_k: int) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(id) = Σ 1 / (rrf_k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def retrieve(
    query: str,
    query_vector: np.ndarray,
    store: Store,
    index: CorpusIndex,
    *,
    k: int,
    candidates: int,
    rrf_k: int,
    source: str | None = None,
    timings: dict[str, float] | None = None,
) -> list[Hit]:
    """Top-`k` chunks for `query` by fused dense and BM25 rank."""
    timings = timings if timings is not None else {}
    began = time.perf_counter()
    dense = store.nearest(query_vector, min(candidates, len(index.chunks)), source)
    timings["dense_search"] = _ms(began)
    began = time.perf_counter()
    lexical = index.bm25_ranking(query, candidates, source)
    timings["bm25"] = _ms(began)
    began = time.perf_counter()
    by_sentence = index.sentence_ranking(query_vector, candidates, source)
    timings["sentence_search"] = _ms(began)
    began = time.perf_counter()
    dense_ids = [m.chunk_id for m in dense]
    hits = []
    for chunk_id, score in fuse([dense_ids, lexical, by_sentence], rrf_k):
        chunk = index.chunk(chunk_id)
        if chunk is None:  # written by another process since the snapshot; skip
            continue
        hits.append(
            Hit(
                chunk=chunk,
                doc=index.docs[chunk.source],
                score=score,
                dense_rank=dense_ids.index(chunk_id) + 1 if chunk_id in dense_ids else None,
                bm25_rank=lexical.index(chunk_id) + 1 if chunk_id in lexical else None,
            )
        )
        if len(hits) == k:
            break
    timings["fusion"] = _ms(began)
    return hits


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
