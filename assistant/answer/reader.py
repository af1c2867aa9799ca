"""Sentence reader: how likely each sentence of the retrieved passages answers the question.

Each sentence gets a few transparent features (below) and a linear score; a softmax over the
sentences of one question turns scores into the probability that a sentence is the best
answer. The weights, with the answer-level confidence model, live in `reader_weights.json`,
fitted on the dev split of the gold FAQ by `python -m assistant.evaluation.fit_reader`.
Raw cosine to the question is one feature among several: a topical sentence shares the
question's words, an answering one also has the shape the question asks for (a date for
"when", a figure for "how much", a reason for "why") and sits in a passage that names what
the question names.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.base import AnswerRequest
from assistant.provenance.evidence import is_instruction
from assistant.question.shape import QuestionShape, analyse
from assistant.text import content_terms, term_overlap, term_share
from assistant.types import Hit, Sentence

WEIGHTS_FILE = Path(__file__).with_name("reader_weights.json")
FAQ_MATCH = 0.6  # a corpus question this close to the user's passes its relevance on
DANGLING = re.compile(
    r"^(?:But|However|Also|Still|Yet|It|Its|It’s|They|Their|This|That|These|Those|"
    r"In response|As a result|Instead|He|She|His|Her|The (?:move|figure|rule|company|chip|"
    r"deal|claim|report|fund|firm|plan)s?)\b"
)
SENTENCE_FEATURES = (
    "semantic",  # cosine(question, sentence); a follow-up's words count beside its query's
    "context",  # cosine(question, sentence + the sentence before it)
    "passage",  # best sentence cosine within the passage
    "rank",  # 1 / (1 + the passage's fused rank)
    "lexical",  # share of question terms in the sentence
    "lexical_context",  # … in the sentence, the one before it and the section heading
    "expects",  # the sentence has the shape the question type asks for
    "names",  # share of the question's names in the sentence
    "names_passage",  # … in the passage, its heading or its document title
    "faq",  # similarity of a corpus question this sentence answers
    "dangling",  # opens with a connective or pronoun whose antecedent is elsewhere
    "short",  # under five words
    "novelty",  # share of the sentence's terms the question does not use
    "first",  # opens its passage
    "title",  # share of question terms in the document title and section heading
)


@dataclass
class Candidate:
    """A sentence of a retrieved passage with its features and answer probability."""

    hit: Hit
    rank: int  # the passage's fused rank, from 0
    position: int  # index of the sentence within its chunk
    sentence: Sentence
    vector: np.ndarray
    features: dict[str, float]
    probability: float = 0.0

    @property
    def is_question(self) -> bool:
        """A question in the corpus (an FAQ heading) is never an answer by itself."""
        return self.sentence.text.rstrip().endswith("?")

    @property
    def is_instruction(self) -> bool:
        """A sentence addressing the reader ("ignore previous instructions") is never an answer."""
        return is_instruction(self.sentence)


@cache
def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, Any]:
    """The fitted reader and confidence weights."""
    return dict(json.loads(path.read_text(encoding="utf-8")))


def read(request: AnswerRequest, shape: QuestionShape | None = None) -> list[Candidate]:
    """Every statement of the retrieved passages (no questions, no instructions), with the
    probability that it is the best answer among them (a softmax over the fitted sentence
    scores)."""
    shape = shape or analyse(request.question)
    wanted = set(content_terms(request.query))
    query = reading_vector(request)
    candidates = []
    for rank, hit in enumerate(request.hits):
        vectors = hit.sentence_vectors
        if vectors is None or len(vectors) != len(hit.chunk.sentences):
            continue
        candidates += _passage_candidates(hit, rank, vectors, query, wanted, shape)
    statements = [c for c in candidates if not (c.is_question or c.is_instruction)]
    model = load_weights()["sentence"]
    scores = np.asarray([score(model, c.features) for c in statements])
    if len(scores):
        shares = np.exp(scores - scores.max())
        for candidate, share in zip(statements, shares / shares.sum(), strict=True):
            candidate.probability = float(share)
    return statements


def reading_vector(request: AnswerRequest) -> np.ndarray:
    """What sentences are compared with: the retrieval query's vector, and for a follow-up
    also its own words' ('How did buyers take to it?'), so that the sentence answering what
    it asks outranks the one that answered the turn before."""
    if request.asked_vector is None:
        return request.query_vector
    both = request.query_vector + request.asked_vector
    return np.asarray(both / np.linalg.norm(both))


def _passage_candidates(
    hit: Hit,
    rank: int,
    vectors: np.ndarray,
    query: np.ndarray,
    wanted: set[str],
    shape: QuestionShape,
) -> list[Candidate]:
    similarities = vectors @ query
    contextual = _context_vectors(vectors) @ query
    faq = _faq_similarity(hit, similarities)
    heading = f"{hit.doc.title} {hit.chunk.section}"
    names = set(shape.names)
    names_passage = _share(names, set(content_terms(f"{heading} {hit.chunk.text}")))
    title_overlap = term_overlap(wanted, heading)
    section = set(content_terms(hit.chunk.section))
    before: set[str] = set()  # the terms of the sentence before
    result = []
    for position, sentence in enumerate(hit.chunk.sentences):
        terms = set(content_terms(sentence.text))
        features = {
            "semantic": float(similarities[position]),
            "context": float(contextual[position]),
            "passage": float(similarities.max()),
            "rank": 1.0 / (1.0 + rank),
            "lexical": term_share(wanted, terms),
            "lexical_context": term_share(wanted, section | before | terms),
            "expects": float(bool(shape.expects and shape.expects.search(sentence.text))),
            "names": _share(names, terms),
            "names_passage": names_passage,
            "faq": faq[position],
            "dangling": float(bool(DANGLING.match(sentence.text))),
            "short": float(len(sentence.text.split()) < 5),
            "novelty": _novelty(wanted, terms),
            "first": float(position == 0),
            "title": title_overlap,
        }
        result.append(Candidate(hit, rank, position, sentence, vectors[position], features))
        before = terms
    return result


def _context_vectors(vectors: np.ndarray) -> np.ndarray:
    """Each sentence vector plus half the one before it, renormalised (no extra encoding)."""
    shifted = np.vstack([np.zeros_like(vectors[:1]), vectors[:-1]])
    mixed = vectors + 0.5 * shifted
    return np.asarray(mixed / np.linalg.norm(mixed, axis=1, keepdims=True))


def _faq_similarity(hit: Hit, similarities: np.ndarray) -> list[float]:
    """For a sentence that answers a corpus question: how close that question is to ours."""
    result, asked = [], 0.0
    for position, sentence in enumerate(hit.chunk.sentences):
        if sentence.text.rstrip().endswith("?"):
            similarity = float(similarities[position])
            asked = similarity if similarity >= FAQ_MATCH else 0.0
            result.append(0.0)
        else:
            result.append(asked)
    return result


def _novelty(wanted: set[str], terms: set[str]) -> float:
    """Share of the sentence's content `terms` that the question does not contain."""
    return len(terms - wanted) / len(terms) if terms else 0.0


def _share(names: set[str], terms: set[str]) -> float:
    """Share of `names` (content terms) among a text's `terms`; 1.0 when there are none."""
    return term_share(names, terms) if names else 1.0


def score(model: dict[str, Any], features: dict[str, float]) -> float:
    """bias + Σ weight × feature, for a fitted model {"bias": b, "weights": {name: w}}."""
    return float(model["bias"]) + sum(
        float(w) * features.get(name, 0.0) for name, w in model["weights"].items()
    )


def logistic(model: dict[str, Any], features: dict[str, float]) -> float:
    """σ(score): the probability a fitted logistic model gives."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score(model, features)))))
