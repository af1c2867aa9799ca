"""Retrieval stage: three rankings of the same chunks, fused with reciprocal rank fusion.

1. dense: Chroma nearest neighbours of the question among chunk vectors;
2. lexical: BM25 over chunk words, ranked by SQLite FTS5 beside the store;
3. sentence: Chroma nearest neighbours among sentence vectors (precomputed at ingest),
   grouped by chunk, which finds a single fact buried in a long passage.

Only the fused top `k` chunks (and spares) are then read from the store, and the sentences'
tags and vectors of the chosen few alone; when the first k − 1 all come from one document,
the last place goes to another document's (except for a question about the current state:
its dated mentions often share a document).
When the question names a model number ('GEN041') that no top passage names, the last place
goes to the best lexical match if it names it: near-identical model numbers embed alike.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from assistant.question.shape import analyse, asks_for_latest, names_model
from assistant.store.base import Store
from assistant.types import Hit

SPARES = 2  # read beyond k: a chunk deleted by another process since it was ranked is skipped
FURTHER = 4  # read only when every passage read so far comes from one document


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
    *,
    k: int,
    candidates: int,
    rrf_k: int,
    source: str | None = None,
    timings: dict[str, float] | None = None,
) -> list[Hit]:
    """Top-`k` chunks for `query` by fused dense, lexical and sentence rank."""
    timings = timings if timings is not None else {}
    began = time.perf_counter()
    dense = [m.chunk_id for m in store.nearest(query_vector, candidates, source)]
    timings["dense_search"] = _ms(began)
    began = time.perf_counter()
    lexical = store.lexical_ranking(query, candidates, source)
    timings["lexical_search"] = _ms(began)
    began = time.perf_counter()
    by_sentence = store.nearest_by_sentence(query_vector, candidates, source)
    timings["sentence_search"] = _ms(began)
    began = time.perf_counter()
    fused = fuse([dense, lexical, by_sentence], rrf_k)
    ranked = _read(store, fused[: k + SPARES], dense, lexical, by_sentence)
    latest = asks_for_latest(query)
    if not latest and k > 1 and len({hit.chunk.source for hit in ranked}) == 1:
        ranked += _read(
            store, fused[k + SPARES : k + SPARES + FURTHER], dense, lexical, by_sentence
        )
    # the current state needs every dated mention, often in one document's timeline
    hits = ranked[:k] if latest else _two_sources(ranked, k)
    hits = _naming_the_model(hits, query, store, dict(fused), (dense, lexical, by_sentence))
    hits = _with_sentences(store, hits)
    timings["read_passages"] = _ms(began)
    return hits


def _read(
    store: Store,
    fused: list[tuple[str, float]],
    dense: list[str],
    lexical: list[str],
    by_sentence: list[str],
) -> list[Hit]:
    """The fused chunks that are still in the store, without their sentences' tags and
    vectors (`_with_sentences` reads those for the chunks chosen)."""
    found = store.read_chunks([chunk_id for chunk_id, _ in fused])
    return [
        Hit(
            chunk=found[chunk_id][0],
            doc=found[chunk_id][1],
            score=score,
            dense_rank=_rank(chunk_id, dense),
            bm25_rank=_rank(chunk_id, lexical),
            sentence_rank=_rank(chunk_id, by_sentence),
        )
        for chunk_id, score in fused
        if chunk_id in found
    ]


def _with_sentences(store: Store, hits: list[Hit]) -> list[Hit]:
    """`hits` with their sentences' tags and vectors, read in one call."""
    found = store.read_sentences([hit.chunk for hit in hits])
    return [
        replace(hit, chunk=found[hit.chunk.id][0], sentence_vectors=found[hit.chunk.id][1])
        for hit in hits
    ]


def _two_sources(ranked: list[Hit], k: int) -> list[Hit]:
    """The top `k`, except that when the first k − 1 all come from one document, the best
    passage of another takes the place of the weakest (a correction, a counter-view or the
    other half of a comparison often sits there); the passage holding the closest sentence
    keeps its place."""
    top = ranked[:k]
    if k < 2 or len({h.chunk.source for h in top[: k - 1]}) > 1:
        return top
    other = next((h for h in ranked[k - 1 :] if h.chunk.source != top[0].chunk.source), None)
    if other is None or any(other is hit for hit in top):
        return top
    kept = _best_sentence_passage(top)
    dropped = next(h for h in reversed(top) if h is not kept)
    return [h for h in top if h is not dropped] + [other]


def _best_sentence_passage(hits: list[Hit]) -> Hit | None:
    """The passage holding the sentence that reads closest to the question, if any is ranked."""
    ranked = [h for h in hits if h.sentence_rank is not None]
    return min(ranked, key=lambda h: h.sentence_rank or 0, default=None)


def _naming_the_model(
    hits: list[Hit],
    query: str,
    store: Store,
    scores: dict[str, float],
    rankings: tuple[list[str], list[str], list[str]],
) -> list[Hit]:
    """`hits`, or when none names the question's model numbers, the best lexical match in
    the last place if it names one."""
    models = analyse(query).models
    dense, lexical, by_sentence = rankings
    if not models or not hits or not lexical or any(names_model(models, h) for h in hits):
        return hits
    best = [(lexical[0], scores.get(lexical[0], 0.0))]
    found = _read(store, best, dense, lexical, by_sentence)
    return [*hits[:-1], found[0]] if found and names_model(models, found[0]) else hits


def _rank(chunk_id: str, ranking: list[str]) -> int | None:
    """1-based position of `chunk_id` in a ranking, or None when absent."""
    return ranking.index(chunk_id) + 1 if chunk_id in ranking else None


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
