"""Questions about the current state ("now", "still", "latest"): the most recent dated
evidence among the retrieved passages, and the evidence before it.

A passage sentence is a candidate when it states an event date, is not a forecast, and is
cited by the answer or about as relevant to the question as the most relevant passage
sentence (its similarity at most `MARGIN` below the best). The newest candidate is the one
whose date's period has the latest middle (ties: the later in its document); the evidence
before it is the newest earlier candidate the answer cites, else the newest earlier one.
An uploaded document's candidates count only when no curated document gives any, so an
upload never supersedes a curated document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.provenance.dates import period
from assistant.provenance.evidence import quoting
from assistant.provenance.lexicon import FORECAST
from assistant.provenance.relevance import Relevance
from assistant.types import Citation, Hit, Sentence

MARGIN = 0.2  # how much less similar to the question than the best sentence a candidate may be


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


def newest_evidence(
    citations: Sequence[Citation], hits: Sequence[Hit], relevance: Relevance
) -> Newest | None:
    """The newest dated evidence among the relevant and the cited passage sentences."""
    dated = [
        Evidence(hit, s, s.provenance.event_date)
        for hit in {h.chunk.id: h for h in hits}.values()
        for s in hit.chunk.sentences
        if s.provenance is not None
        and s.provenance.event_date
        and s.provenance.claim_type != FORECAST
        and (relevance.near_best(hit, s, MARGIN) or quoting(citations, hit.chunk.id, s.start))
    ]
    if not dated:
        return None
    latest = max([e for e in dated if not e.hit.doc.unverified] or dated, key=_order)
    earlier = [e for e in dated if _middle(e) < _middle(latest)]
    cited = [e for e in earlier if quoting(citations, e.hit.chunk.id, e.sentence.start)]
    return Newest(latest, max(cited or earlier, key=_middle, default=None))


def _order(evidence: Evidence) -> tuple[float, str, int]:
    """Newest last: by date, then (same date, same document) by position in the text."""
    return _middle(evidence), evidence.hit.chunk.source, evidence.sentence.start


def _middle(evidence: Evidence) -> float:
    """The middle day of the period its ISO date, month or year names (an ordinal)."""
    first, last = period(evidence.when)
    return (first.toordinal() + last.toordinal()) / 2
