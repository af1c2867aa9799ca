"""Answerability: why the passages do not answer a question, the notice that says so,
and the abstention with the closest passages as related reading."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.answer.base import AnswerRequest, TermCheck
from assistant.answer.reader import Candidate, load_weights
from assistant.cite import make_citation
from assistant.question.shape import (
    CALENDAR_OR_QUANTITY,
    MIN_NAME_LENGTH,
    QUALIFIER,
    initialisms,
    stands_for,
)
from assistant.text import QUOTE_MARKS, WORD, content_terms, is_model_name
from assistant.types import ABSTAIN_TEXT, Answer, Citation

RELATED_READING = 3
UNKNOWN_TERMS, OFF_TOPIC, NOT_STATED, UNCLEAR = (
    "unknown_terms",
    "off_topic",
    "not_stated",
    "unclear",
)


def unknown_terms(question: str, known_term: TermCheck, passages: str = "") -> list[str]:
    """Names in the question the corpus never uses: capitalised words after the first
    word, and words mixing letters and digits (e.g. 'Arizona', '18A'); an acronym that
    `passages` spell out ('BIS': 'Bureau of Industry and Security') is used."""
    words = WORD.findall(QUALIFIER.sub(" ", question.translate(QUOTE_MARKS)))
    names = [
        word
        for position, word in enumerate(words)
        if (position > 0 and word[0].isupper() and len(word) >= MIN_NAME_LENGTH)
        or is_model_name(word)
    ]
    unseen = [n for n in names if not CALENDAR_OR_QUANTITY.match(n) and _unseen(n, known_term)]
    spelled_out = initialisms(passages) if unseen and passages else set()
    return [name for name in unseen if name.lower() not in spelled_out]


def _unseen(name: str, known_term: TermCheck) -> bool:
    terms = content_terms(name)
    return (
        bool(terms)
        and not known_term(terms[0])
        and not any(known_term(t) for t in stands_for(terms[0]))
    )


def as_written(terms: tuple[str, ...], question: str) -> list[str]:
    """The question's own words for name `terms` ('thread' → 'Threads'), for a notice."""
    words = {term: word for word in WORD.findall(question) for term in content_terms(word)[:1]}
    return [words.get(term, term) for term in terms]


@dataclass(frozen=True)
class Why:
    """Why ChipQA abstains, and the names involved."""

    reason: str
    names: list[str] = field(default_factory=list)
    given_for: str | None = None  # whose such figure the passages give instead, if anyone's
    planned_for: str | None = None  # the year the passages plan the thing asked about for

    def notice(self) -> str:
        """One sentence for the user."""
        quoted = ", ".join(f"“{n}”" for n in self.names)
        if self.reason == UNKNOWN_TERMS:
            return f"None of the documents mentions {quoted}."
        if self.reason == NOT_STATED and self.names and self.planned_for:
            return (
                f"The documents speak of {quoted} only as planned for {self.planned_for}"
                " (the first related passage), so what came of it is not stated."
            )
        if self.reason == NOT_STATED and self.names and self.given_for:
            return (
                f"The documents mention {quoted} but do not state what the question asks;"
                f" they give it for {self.given_for} (the first related passage)."
            )
        if self.reason == NOT_STATED and self.names:
            return f"The documents mention {quoted} but do not state what the question asks."
        if self.reason == NOT_STATED:
            return "No retrieved passage states what the question asks."
        if self.reason == OFF_TOPIC:
            return "Nothing in the documents is close to this question."
        return "The closest passages do not clearly answer this question."


def abstain_confidence(why: Why | None, answer_probability: float) -> float:
    """How likely abstaining is right: measured per reason on dev, else 1 − p(answer)."""
    measured = load_weights().get("abstain_confidence", {})
    if why and why.reason in measured:
        return float(measured[why.reason])
    return 1.0 - answer_probability


def abstention(
    request: AnswerRequest,
    candidates: list[Candidate],
    why: Why | None = None,
    answer_probability: float = 0.0,
    first: Candidate | None = None,
) -> Answer:
    """The fixed 'not in the corpus' answer, with the closest passages as related reading
    (`first` before them: the sentence the notice points at)."""
    related: list[Citation] = []
    seen: set[str] = set()
    closest = sorted(candidates, key=lambda c: -c.probability)
    for candidate in [first, *closest] if first else closest:
        if candidate.hit.chunk.id in seen or len(related) == RELATED_READING:
            continue
        seen.add(candidate.hit.chunk.id)
        s = candidate.sentence
        related.append(
            make_citation(len(related) + 1, candidate.hit, s.start, s.end, candidate.probability)
        )
    return Answer(
        question=request.question,
        text=ABSTAIN_TEXT,
        abstained=True,
        confidence=abstain_confidence(why, answer_probability),
        citations=[],
        related=related,
        passages=request.hits,
        notice=why.notice() if why else None,
        abstain_reason=why.reason if why else None,
    )
