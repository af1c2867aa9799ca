"""Store stage: chunks and sentence vectors in Chroma, embedded or on a server, and the BM25
file beside them. `Store` is what the pipeline uses; `ChromaStore` keeps it."""

from assistant.store.base import DenseMatch, DocumentRows, Store, StoredPassage
from assistant.store.store import ChromaStore

__all__ = ["ChromaStore", "DenseMatch", "DocumentRows", "Store", "StoredPassage"]
