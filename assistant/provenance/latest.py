"""Questions about the current state ("now", "still", "latest"): the most recent dated
evidence among the retrieved passages, when it is newer than everything the answer cites.

A passage sentence is a candidate when it states an event date, is not a forecast, and is
about as relevant to the question as the most relevant passage sentence (its similarity at
most `MARGIN` below the best). The newest candidate is added unless the answer already
cites it or something at least as recent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from assistant.provenance.dates import as_date
from assistant.provenance.evidence import quoting
from assistant.provenance.lexicon import FORECAST
from assistant.retrieve import CorpusIndex
from assistant.types import Citation, Hit, Sentence

LATEST = re.compile(
    r"\b(?:current(?:ly)?|now|latest|still|today|at present|presently|most recent|any ?more"
    r"|these days|so far|to date)\b",
    re.IGNORECASE,
)
MARGIN = 0.15  # how much less similar to the question than the best sentence a candidate may be


@dataclass(frozen=True, slots=True)
class Evidence:
    """A dated passage sentence."""

    hit: Hit
    sentence: Sentence
    when: str


@dataclass(frozen=True, slots=True)
class Newest:
    """The most recent relevant dated evidence, and the most recent evidence before it (one
    the answer cites, when there is one)."""

    latest: Evidence
    older: Evidence | None


def asks_for_latest(question: str) -> bool:
    """Whether the question is about the current or latest state."""
    return bool(LATEST.search(question))


def newest_evidence(
    citations: Sequence[Citation], hits: Sequence[Hit], vector: np.ndarray, index: CorpusIndex
) -> Newest | None:
    """The newest dated evidence among the relevant and the cited passage sentences."""
    scored = [(hit, s, score) for hit in hits for s, score in _similarities(hit, vector, index)]
    best = max((score for _, _, score in scored), default=0.0)
    dated = [
        Evidence(hit, s, s.provenance.event_date)
        for hit, s, score in scored
        if s.provenance is not None
        and s.provenance.event_date
        and s.provenance.claim_type != FORECAST
        and (score >= best - MARGIN or quoting(citations, hit.chunk.id, s.start))
    ]
    if not dated:
        return None
    latest = max(dated, key=_middle)
    earlier = [e for e in dated if _middle(e) < _middle(latest)]
    cited = [e for e in earlier if quoting(citations, e.hit.chunk.id, e.sentence.start)]
    return Newest(latest, max(cited or earlier, key=_middle, default=None))


def _similarities(hit: Hit, vector: np.ndarray, index: CorpusIndex) -> list[tuple[Sentence, float]]:
    vectors = index.sentence_vectors.get(hit.chunk.id)
    if vectors is None or len(vectors) != len(hit.chunk.sentences):
        return []
    return list(zip(hit.chunk.sentences, (vectors @ vector).tolist(), strict=True))


def _middle(evidence: Evidence) -> float:
    """The middle day of the period its ISO date, month or year names (an ordinal)."""
    value = evidence.when
    last = as_date(value) or date.min
    first = date(last.year, 1, 1) if len(value) == 4 else last.replace(day=1)
    first = last if len(value) > 7 else first
    return (first.toordinal() + last.toordinal()) / 2
