"""The provenance stage, run on every answer whatever answered it: the sources disagree
(stated and cited value by value, an upload against the curated documents too), the newest
evidence for a question about the current state, and the date the cited evidence is as of.
An upload never makes an answer newer than its curated evidence: see `latest` and `as_of`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from assistant.cite import make_citation
from assistant.provenance.dates import as_date, human_date
from assistant.provenance.disagreement import (
    Disagreement,
    disagreements,
    upload_disagreements,
)
from assistant.provenance.evidence import as_of_text, quoting
from assistant.provenance.latest import Newest, newest_evidence
from assistant.provenance.lexicon import FORECAST
from assistant.provenance.relevance import Relevance
from assistant.question.shape import asks_for_latest
from assistant.types import Answer, Citation, Hit, Sentence

DISAGREEMENT_MARGIN = 0.06  # a disagreement's sentences must be this close to the most relevant


def add_provenance(answer: Answer, vector: np.ndarray) -> str:
    """Complete `answer` in place: disagreements, newest evidence, as-of. Returns the text added."""
    if answer.abstained:
        return ""
    relevance = Relevance(answer.passages, vector)
    cite = _Citer(answer, relevance)
    found = [
        d
        for d in disagreements(answer.passages)
        if any(relevance.near_best(h, s, DISAGREEMENT_MARGIN) for h, s in d.sentences())
    ]
    found += upload_disagreements(answer.passages, relevance, answer.citations)
    added = [_disagreement(answer, d, cite) for d in found]
    if asks_for_latest(answer.question):
        newest = newest_evidence(answer.citations, answer.passages, relevance)
        if newest is not None:
            added.append(_newest(answer, newest, cite))
    answer.as_of = as_of(answer.citations)
    if answer.as_of:
        added.append(f"Sources as of {human_date(answer.as_of)}.")
    suffix = "".join(f" {sentence}" for sentence in added if sentence)
    answer.text += suffix
    return suffix


def as_of(citations: Sequence[Citation]) -> str | None:
    """The latest as-of date of the cited documents; for undated ones, the latest event date
    their quotes report (forecasts excepted). An upload's dates count only when no curated
    document is cited: they are the uploader's."""
    curated = [c for c in citations if not (c.uploaded and not c.trusted)]
    citations = curated or citations
    dated = [c.as_of for c in citations if c.as_of]
    if not dated:
        dated = [c.event_date for c in citations if c.event_date and c.claim_type != FORECAST]
    return max(dated, key=lambda d: as_date(d) or date.min, default=None)


def _disagreement(answer: Answer, found: Disagreement, cite: _Citer) -> str:
    """Record one disagreement on `answer`; its sentence, each value cited with its claimant."""
    values = [
        {"value": v.text, "claimant": claim.claimant, "citation": cite(claim.hit, claim.sentence)}
        for claim, v in found.stated
    ]
    answer.disagreements.append({"about": found.about, "values": values})
    return f"The sources disagree on {found.about}: {_stated(values)}."


def _stated(values: list[dict[str, Any]]) -> str:
    """'a per X, b per Y [1], c per Z [2]': a marker after each run of values one quote holds."""
    parts = []
    for position, v in enumerate(values):
        ends = position + 1 == len(values) or values[position + 1]["citation"] != v["citation"]
        parts.append(f"{v['value']} per {v['claimant']}" + (f" [{v['citation']}]" if ends else ""))
    return ", ".join(parts)


def _newest(answer: Answer, newest: Newest, cite: _Citer) -> str:
    """The newest evidence unless already cited, the older account quoted above it, and the
    older document it supersedes."""
    latest, older = newest.latest, newest.older
    shown = quoting(answer.citations, latest.hit.chunk.id, latest.sentence.start) is not None
    older_shown = older is not None and quoting(
        answer.citations, older.hit.chunk.id, older.sentence.start
    )
    n = cite(latest.hit, latest.sentence)
    parts = (
        [] if shown else [f"Most recent ({human_date(latest.when)}): {latest.sentence.text} [{n}]"]
    )
    if older is None:
        return " ".join(parts)
    if older_shown and not shown:
        parts.append(f"It is newer than the {human_date(older.when)} account quoted above.")
    new_as_of, old_as_of = as_of_text(latest.hit.doc.meta), as_of_text(older.hit.doc.meta)
    if new_as_of and old_as_of and new_as_of > old_as_of:
        m = cite(older.hit, older.sentence)
        parts.append(
            f"“{latest.hit.doc.title}” (as of {human_date(new_as_of)}) [{n}] supersedes"
            f" “{older.hit.doc.title}” (as of {human_date(old_as_of)}) [{m}]."
        )
    return " ".join(parts)


class _Citer:
    """Cites passage sentences on an answer: an existing citation, else a new one whose score
    is the sentence's similarity to the question."""

    def __init__(self, answer: Answer, relevance: Relevance) -> None:
        self.answer, self.relevance = answer, relevance

    def __call__(self, hit: Hit, sentence: Sentence) -> int:
        """The number of the citation quoting `sentence` (added when none does yet)."""
        citations = self.answer.citations
        found = quoting(citations, hit.chunk.id, sentence.start)
        if found is not None:
            return found.n
        n = len(citations) + 1
        score = min(1.0, max(0.0, self.relevance(hit, sentence)))
        citations.append(make_citation(n, hit, sentence.start, sentence.end, score))
        return n
