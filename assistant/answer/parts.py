"""A question that asks several things, part by part: each part retrieved on its own (a
part that leans on the one before is retrieved with it, as a follow-up is with its turn),
its best passages read with the question's, and its best sentence added to the answer when
the answer lacks it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from assistant.answer.base import AnswerRequest
from assistant.answer.compose import continuation, with_context
from assistant.answer.reader import Candidate
from assistant.question.rewrite import retrieval_query
from assistant.question.shape import QuestionShape
from assistant.types import Hit, Turn

PASSAGES_ADDED = 2  # each part's best passages, read with the question's own


@dataclass(frozen=True)
class PartSearch:
    """One part of a question, retrieved on its own."""

    part: str
    query: str
    vector: np.ndarray
    hits: list[Hit]

    def alone(self, request: AnswerRequest) -> AnswerRequest:
        """The request as if this part had been asked alone."""
        return replace(
            request,
            question=self.part,
            query=self.query,
            query_vector=self.vector,
            hits=self.hits,
            search=None,
        )


@dataclass(frozen=True)
class PartReading:
    """One part read on its own passages: its best answering sentence, if stated."""

    part: str
    candidates: list[Candidate]
    anchor: Candidate | None
    probability: float

    def sentences(self, words: int) -> list[Candidate]:
        """The anchor with what it needs to be read alone, and the sentence carrying it on."""
        if self.anchor is None:
            return []
        chosen = with_context(self.anchor, self.candidates)
        room = words - sum(len(c.sentence.text.split()) for c in chosen)
        return chosen + continuation(chosen[-1], self.candidates, room)


def search_parts(request: AnswerRequest, shape: QuestionShape) -> list[PartSearch]:
    """Each part of the question retrieved with its own query: the part, the part before it
    when it leans on it ('… and was it later restricted?'), and a follow-up's carried terms."""
    if not shape.parts or request.search is None:
        return []
    conversation = request.query.removeprefix(request.question)
    found: list[PartSearch] = []
    for part in shape.parts:
        before = [Turn(question=found[-1].part, answer="")] if found else None
        query = retrieval_query(part, before) + conversation
        vector, hits = request.search(query)
        found.append(PartSearch(part, query, vector, hits))
    return found


def widened(request: AnswerRequest, searched: list[PartSearch]) -> AnswerRequest:
    """The request with each part's best passages read after the question's own."""
    found = {hit.chunk.id: hit for hit in request.hits}
    for part in searched:
        for hit in part.hits[:PASSAGES_ADDED]:
            found.setdefault(hit.chunk.id, hit)
    return replace(request, hits=list(found.values()))


def with_parts(chosen: list[Candidate], stated: list[PartReading], words: int) -> list[Candidate]:
    """The answer's sentences, then, for each part whose best sentence the answer lacks,
    that sentence with what it needs (sentences are matched by passage and position)."""
    found = {(c.hit.chunk.id, c.position): c for c in chosen}
    for reading in stated:
        anchor = reading.anchor
        if anchor is None or (anchor.hit.chunk.id, anchor.position) in found:
            continue
        for c in reading.sentences(words):
            found.setdefault((c.hit.chunk.id, c.position), c)
    return list(found.values())


def with_cited(hits: list[Hit], chosen: list[Candidate]) -> list[Hit]:
    """The question's passages, then each further passage the answer cites."""
    found = {hit.chunk.id: hit for hit in hits}
    for candidate in chosen:
        found.setdefault(candidate.hit.chunk.id, candidate.hit)
    return list(found.values())
