"""The ingest ChipQA had before, timed beside today's by `chipqa bench` for the ratio.

One document at a time: each chunk's own text embedded beside its sentences (about four
embeddings per chunk) in float32 batches of 16, then the document written before the next
one is embedded.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from assistant.chunk import chunk_document, embedding_text
from assistant.embed import SentenceEmbedder
from assistant.errors import LoadError
from assistant.ingest import source_key
from assistant.load import iter_corpus_files, load_document
from assistant.provenance.evidence import tag_chunks
from assistant.settings import Settings
from assistant.store import ChromaStore

PREVIOUS_BATCH = 16
PREVIOUS_MAX = 10  # largest corpus multiple it is timed on (×100 would take most of an hour)


def time_previous_ingest(settings: Settings) -> dict[str, float]:
    """`previous_ingest` in a fresh process with its own model and Chroma client (the model
    load is not timed)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_load_and_ingest, settings).result()


def _load_and_ingest(settings: Settings) -> dict[str, float]:
    embedder = SentenceEmbedder(settings.embedding_model, PREVIOUS_BATCH, "float32")
    embedder.load()
    return previous_ingest(settings, embedder)


def previous_ingest(settings: Settings, embedder: SentenceEmbedder) -> dict[str, float]:
    """Ingest `settings.corpus_dir` the previous way into a fresh store in `settings.data_dir`."""
    store = ChromaStore(settings, embedder.name, embedder.dimension)
    began = time.perf_counter()
    chunks_written = 0
    for path in iter_corpus_files(settings.corpus_dir.resolve()):
        try:
            doc = load_document(path, source_key(path, settings.corpus_dir))
        except LoadError:
            continue
        chunks = tag_chunks(
            doc, chunk_document(doc, embedder.count_tokens, settings.max_chunk_tokens)
        )
        texts = [embedding_text(c) for c in chunks] + [s.text for c in chunks for s in c.sentences]
        vectors = embedder.embed(texts)
        store.delete_source(doc.source)
        store.write([(doc, chunks, vectors)])
        chunks_written += len(chunks)
    seconds = max(time.perf_counter() - began, 1e-9)
    return {"seconds": seconds, "chunks": chunks_written, "chunks_per_s": chunks_written / seconds}
