"""Synthetic store records for the scale simulation: documents of chunks and sentences with
vectors and text shaped like the real ones, made without an embedding model.

Vectors are unit vectors built from shared parts: a direction common to the whole corpus,
one per topic, one per document, one per chunk (a sentence mixes its chunk's vector with its
own part). The weights reproduce the cosines measured on the shipped corpus's MiniLM
vectors: unrelated chunks about 0.3, chunks of one document about 0.5, a sentence to its
chunk about 0.7. Text is drawn with Zipf-like word frequencies from a vocabulary whose
most frequent words are the English stopwords ChipQA drops (a third of the words, as in
the shipped corpus) and the rest made-up words, a fifth of them from the document's topic,
so lexical posting lists are skewed as in real text. Every record is a pure function of
(seed, document number).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from assistant.text import STOPWORDS, content_terms
from assistant.types import Chunk, Document, Sentence

DIMENSION = 384  # all-MiniLM-L6-v2's
TOPICS = 500
VOCABULARY = 30_000
TOPIC_WORDS = 60
TOPIC_WORD_SHARE = 0.2
CHUNKS_PER_DOC = 32  # a 10-page report (the shipped corpus: 8.2): 160 records a write
SENTENCES = (3, 6)  # per chunk, drawn from [3, 6): 4 on average (the shipped corpus: 2.8)
WORDS = (10, 22)  # per sentence (the shipped corpus: 55 words per chunk)
# Squared weights of the shared parts of a chunk vector: corpus, topic, document, chunk.
CHUNK_PARTS = np.sqrt(np.array([0.30, 0.10, 0.15, 0.45], dtype=np.float32))
SENTENCE_TO_CHUNK = 0.72  # cosine of a sentence vector to its chunk's
QUERY_TO_CHUNK = 0.6  # cosine of a query vector to the chunk it asks about
QUERY_TERMS = 3  # content words of that chunk in the query
CORPUS_STREAM, DOCUMENT_STREAM, QUERY_STREAM = 0, 1, 2  # independent random streams
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


@dataclass(frozen=True)
class Query:
    """A question about one stored chunk: its vector, its words and that chunk's id."""

    vector: np.ndarray
    text: str
    chunk_id: str


class SyntheticCorpus:
    """Documents, their chunks and all their vectors, generated on demand from a seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        rng = np.random.default_rng([seed, CORPUS_STREAM])
        self.common = _unit(rng.standard_normal(DIMENSION))
        self.topics = _unit(rng.standard_normal((TOPICS, DIMENSION)))
        self.words = sorted(STOPWORDS) + _vocabulary(VOCABULARY - len(STOPWORDS))
        ranks = np.arange(1, VOCABULARY + 1, dtype=np.float64)
        self.word_cdf = np.cumsum(1 / (ranks + 2.7)) / np.sum(1 / (ranks + 2.7))
        self.topic_words = rng.integers(len(STOPWORDS) + 300, VOCABULARY, (TOPICS, TOPIC_WORDS))

    def document(self, number: int) -> tuple[Document, list[Chunk], np.ndarray]:
        """Document `number` with its chunks and its vectors (a row per chunk, then a row per
        sentence of the chunks in order), as ingest hands them to `Store.write`."""
        rng = np.random.default_rng([self.seed, DOCUMENT_STREAM, number])
        topic = int(rng.integers(TOPICS))
        chunk_vectors = self._chunk_vectors(rng, topic, CHUNKS_PER_DOC)
        counts = rng.integers(*SENTENCES, CHUNKS_PER_DOC)
        texts = [[self._sentence(rng, topic) for _ in range(n)] for n in counts]
        source = f"simulated/{number:08d}.md"
        doc_text = "\n\n".join(" ".join(sentences) for sentences in texts)
        chunks = _chunks(source, texts)
        sentence_vectors = [
            _mix(chunk_vectors[i], rng, SENTENCE_TO_CHUNK, n) for i, n in enumerate(counts)
        ]
        doc = Document(
            source=source,
            text=doc_text,
            title=f"Simulated report {number}",
            sha256=hashlib.sha256(doc_text.encode()).hexdigest(),
        )
        return doc, chunks, np.vstack([chunk_vectors, *sentence_vectors])

    def query(self, number: int, documents: int) -> Query:
        """A question about a random chunk of the first `documents` documents."""
        rng = np.random.default_rng([self.seed, QUERY_STREAM, number])
        _, chunks, vectors = self.document(int(rng.integers(documents)))
        row = int(rng.integers(len(chunks)))
        terms = sorted(set(content_terms(chunks[row].text)))
        words = rng.choice(terms, QUERY_TERMS, replace=False)
        vector = _mix(vectors[row], rng, QUERY_TO_CHUNK, 1)[0]
        return Query(vector, " ".join(words), chunks[row].id)

    def _chunk_vectors(self, rng: np.random.Generator, topic: int, n: int) -> np.ndarray:
        doc_part = _unit(rng.standard_normal(DIMENSION))
        own = _unit(rng.standard_normal((n, DIMENSION)))
        shared = CHUNK_PARTS[:3] @ np.stack([self.common, self.topics[topic], doc_part])
        return _unit(shared + CHUNK_PARTS[3] * own)

    def _sentence(self, rng: np.random.Generator, topic: int) -> str:
        n = int(rng.integers(*WORDS))
        ranks = np.searchsorted(self.word_cdf, rng.random(n))
        topical = rng.random(n) < TOPIC_WORD_SHARE
        ranks[topical] = rng.choice(self.topic_words[topic], int(topical.sum()))
        words = [self.words[r] for r in ranks]
        return " ".join(words).capitalize() + "."


def _chunks(source: str, texts: list[list[str]]) -> list[Chunk]:
    """The chunks of a document whose chunks (lists of sentences) are joined by blank lines."""
    chunks, start = [], 0
    for index, sentences in enumerate(texts):
        spans, offset = [], start
        for text in sentences:
            spans.append(Sentence(offset, offset + len(text), text))
            offset += len(text) + 1
        text = " ".join(sentences)
        chunks.append(
            Chunk(
                id=f"{source}#{index}",
                source=source,
                index=index,
                start=start,
                end=start + len(text),
                text=text,
                section=f"Part {index + 1}",
                sentences=tuple(spans),
            )
        )
        start += len(text) + 2
    return chunks


def _mix(vector: np.ndarray, rng: np.random.Generator, cosine: float, n: int) -> np.ndarray:
    """`n` unit vectors whose cosine to `vector` is about `cosine`."""
    own = _unit(rng.standard_normal((n, DIMENSION)))
    return _unit(cosine * vector + np.sqrt(1 - cosine**2) * own)


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, as float32."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / norms, dtype=np.float32)


def _vocabulary(size: int) -> list[str]:
    """`size` distinct made-up pronounceable words, shortest first."""
    words: list[str] = []
    length = 1
    while len(words) < size:
        length += 1
        grid = np.indices((len(SYLLABLES),) * length).reshape(length, -1).T
        words += ["".join(SYLLABLES[i] for i in row) for row in grid[: size - len(words)]]
    return words
