"""Completion stage: where the sources disagree, the newest evidence and the as-of date.

It runs on every answer, whatever answered it: a disagreement between the passages is stated
and cited value by value, a question about the current state gets the most recent dated
evidence, and the answer says what date its cited evidence is as of. It returns what it
adds, as a `Completion`; the pipeline builds the answer from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from assistant.cite import make_citation
from assistant.provenance.dates import as_date, human_date
from assistant.provenance.disagreement import Conflict, conflicts, upload_conflicts
from assistant.provenance.evidence import as_of_text, quoting
from assistant.provenance.latest import Newest, newest_evidence
from assistant.provenance.lexicon import FORECAST
from assistant.provenance.relevance import Relevance
from assistant.question.base import Question
from assistant.types import Answer, Citation, Disagreement, Hit, Sentence, StatedValue

DISAGREEMENT_MARGIN = 0.06  # a disagreement's sentences must be this close to the most relevant


@dataclass(frozen=True)
class Completion:
    """What completing an answer adds to it."""

    suffix: str  # sentences for the end of the answer's text ("" when none)
    citations: tuple[Citation, ...]  # the answer's citations, then those the suffix adds
    disagreements: tuple[Disagreement, ...] = ()
    as_of: str | None = None  # the latest date among the cited evidence


def complete(answer: Answer, question: Question, vector: np.ndarray) -> Completion:
    """Disagreements, newest evidence and as-of for `answer` (none for an abstention)."""
    if answer.abstained:
        return Completion("", tuple(answer.citations))
    relevance = Relevance(answer.passages, vector)
    cite = _Citer(answer.citations, relevance)
    found = [
        conflict
        for conflict in conflicts(answer.passages)
        if any(relevance.near_best(h, s, DISAGREEMENT_MARGIN) for h, s in conflict.sentences())
    ]
    found += upload_conflicts(answer.passages, relevance, answer.citations)
    stated = [_disagreement(conflict, cite) for conflict in found]
    added = [_disagreement_sentence(d) for d in stated]
    if question.latest:
        newest = newest_evidence(cite.citations, answer.passages, relevance)
        if newest is not None:
            added.append(_newest(newest, cite))
    dated = as_of(cite.citations)
    if dated:
        added.append(f"Sources as of {human_date(dated)}.")
    suffix = "".join(f" {sentence}" for sentence in added if sentence)
    return Completion(suffix, tuple(cite.citations), tuple(stated), dated)


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


def _disagreement(found: Conflict, cite: _Citer) -> Disagreement:
    """One conflict as the answer states it: each value with its claimant and citation."""
    values = tuple(
        StatedValue(v.text, claim.claimant, cite(claim.hit, claim.sentence))
        for claim, v in found.stated
    )
    return Disagreement(found.about, values)


def _disagreement_sentence(disagreement: Disagreement) -> str:
    """'The sources disagree on X: a per X, b per Y [1], c per Z [2].': a marker after each
    run of values one quote holds."""
    values = disagreement.values
    parts = []
    for position, v in enumerate(values):
        ends = position + 1 == len(values) or values[position + 1].citation != v.citation
        parts.append(f"{v.value} per {v.claimant}" + (f" [{v.citation}]" if ends else ""))
    return f"The sources disagree on {disagreement.about}: {', '.join(parts)}."


def _newest(newest: Newest, cite: _Citer) -> str:
    """The newest evidence unless already cited, the older account quoted above it, and the
    older document it supersedes."""
    latest, older = newest.latest, newest.older
    shown = quoting(cite.citations, latest.hit.chunk.id, latest.sentence.start) is not None
    older_shown = older is not None and quoting(
        cite.citations, older.hit.chunk.id, older.sentence.start
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
    """Cites passage sentences: an existing citation, else a new one whose score is the
    sentence's similarity to the question. `citations` is the answer's, then the new ones."""

    def __init__(self, citations: Sequence[Citation], relevance: Relevance) -> None:
        self.citations, self.relevance = list(citations), relevance

    def __call__(self, hit: Hit, sentence: Sentence) -> int:
        """The number of the citation quoting `sentence` (added when none does yet)."""
        found = quoting(self.citations, hit.chunk.id, sentence.start)
        if found is not None:
            return found.n
        n = len(self.citations) + 1
        score = min(1.0, max(0.0, self.relevance(hit, sentence)))
        self.citations.append(make_citation(n, hit, sentence.start, sentence.end, score))
        return n
