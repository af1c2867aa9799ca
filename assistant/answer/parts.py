"""A question that asks several things, part by part: each part retrieved on its own (a
part that leans on the one before is retrieved with it, as a follow-up is with its turn),
its best passages read with the question's, and its best sentence added to the answer when
the answer lacks it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.answer.base import AnswerRequest
from assistant.answer.compose import continuation, with_context
from assistant.answer.reader import Candidate
from assistant.question.rewrite import retrieval_query
from assistant.question.shape import QuestionShape
from assistant.types import Hit, Turn

PASSAGES_ADDED = 2  # each part's best passages, read with the question's own
MAX_PARTS = 4  # parts read on their own (each costs a search); the rest with the question


@dataclass(frozen=True)
class PartReading:
    """One part read on its own passages: its best answering sentence, if stated."""

    part: str
    candidates: list[Candidate]
    anchor: Candidate | None
    probability: float
    hits: list[Hit]

    @property
    def answer(self) -> str:
        """The part's best sentence, or '' when the passages do not state it."""
        return self.anchor.sentence.text if self.anchor else ""

    def sentences(self, words: int) -> list[Candidate]:
        """The anchor with what it needs to be read alone, and the sentence carrying it on."""
        if self.anchor is None:
            return []
        chosen = with_context(self.anchor, self.candidates)
        room = words - sum(len(c.sentence.text.split()) for c in chosen)
        return chosen + continuation(chosen[-1], self.candidates, room)


ReadAlone = Callable[[AnswerRequest, list[Candidate]], PartReading]  # the part, and the
# sentences earlier parts answered with (a part asks something else: it is not answered by them)


def read_parts(
    request: AnswerRequest, shape: QuestionShape, read_alone: ReadAlone
) -> list[PartReading]:
    """Each part of the question (the first `MAX_PARTS`) retrieved with its own query and
    read as if asked alone, in order: a part that leans on the one before ('… and was that
    chip restricted?') is retrieved with it and the names of its answer, as a follow-up is
    with its turn."""
    if not shape.parts or request.search is None:
        return []
    conversation = request.query.removeprefix(request.question)
    readings: list[PartReading] = []
    for part in shape.parts[:MAX_PARTS]:
        before = (
            [Turn(question=readings[-1].part, answer=readings[-1].answer)] if readings else None
        )
        query = retrieval_query(part, before) + conversation
        vector, hits = request.search(query)
        alone = replace(
            request,
            question=part,
            query=query,
            query_vector=vector,
            hits=hits,
            search=None,
            asked_vector=None,
        )
        readings.append(read_alone(alone, [r.anchor for r in readings if r.anchor]))
    return readings


def widened(request: AnswerRequest, readings: list[PartReading]) -> AnswerRequest:
    """The request with each part's best passages read after the question's own."""
    found = {hit.chunk.id: hit for hit in request.hits}
    for reading in readings:
        for hit in reading.hits[:PASSAGES_ADDED]:
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
