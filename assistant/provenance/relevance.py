"""How relevant each passage sentence is to the question: the cosine of its vector (stored at
ingest) with the question's, so the completion stage embeds nothing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.types import Hit, Sentence


class Relevance:
    """Similarities of the passages' sentences to the question, and the best of them."""

    def __init__(self, hits: Sequence[Hit], vector: np.ndarray) -> None:
        self.scores: dict[str, list[float]] = {}
        for hit in hits:
            vectors = hit.sentence_vectors
            if vectors is not None and len(vectors) == len(hit.chunk.sentences):
                self.scores[hit.chunk.id] = (vectors @ vector).tolist()
        self.best = max((max(s) for s in self.scores.values() if s), default=0.0)

    def __call__(self, hit: Hit, sentence: Sentence) -> float:
        """The sentence's similarity to the question (0 when its vectors are missing)."""
        scores = self.scores.get(hit.chunk.id)
        return scores[hit.chunk.sentences.index(sentence)] if scores else 0.0

    def near_best(self, hit: Hit, sentence: Sentence, margin: float) -> bool:
        """Whether the sentence is at most `margin` less similar than the best sentence."""
        return self(hit, sentence) >= self.best - margin
