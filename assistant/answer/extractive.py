"""Answer stage, extractive: quote the sentences that answer, cite each one exactly.

1. The reader (`reader.py`) scores every sentence of the retrieved passages as an answer.
2. Answerability: ChipQA abstains when no retrieved sentence is even close to the question
   (off topic), when the question names a term the corpus never uses, asks for an attribute
   (a price, a revenue, a headcount, a founding date …) that no retrieved sentence states
   for the things it names, asks about a year no retrieved sentence mentions, or when the
   calibrated probability that the answer is right is too low.
3. The answer starts from the best sentence and adds the next best ones that do not repeat
   it; a sentence that leans on the one before it ("In response, …") brings it along, a
   lead-in ending in ":" brings its list, and a corpus question's answer comes whole. For a
   question about whether a view is shared, the counter-claims the passages hold are added.
4. `confidence` is the probability, fitted on the dev split, that the answer holds the
   key facts (for an abstention: that it does not).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from assistant.answer.base import AnswerRequest
from assistant.answer.question import CONTRAST, QuestionShape, analyse, names_in
from assistant.answer.reader import Candidate, load_weights, logistic, read
from assistant.cite import make_citation
from assistant.retrieve import CorpusIndex
from assistant.text import QUOTE_MARKS, WORD, content_terms
from assistant.types import ABSTAIN_TEXT, Answer, Citation

REDUNDANT = 0.85  # sentences this similar to one already chosen add nothing
MAX_ANTECEDENTS = 3
COVERAGE = 0.5  # weight of each question term a further sentence adds to the answer
MIN_SHARE = 0.1  # further sentences need this share of the best sentence's probability
RELATED_READING = 3
MIN_NAME_LENGTH = 3  # shorter capitalised words ("TV", "AI") are too generic to judge by
UNKNOWN_TERMS, OFF_TOPIC, NOT_STATED, UNCLEAR = (
    "unknown_terms",
    "off_topic",
    "not_stated",
    "unclear",
)
CALENDAR_OR_QUANTITY = re.compile(  # not names: 'Dec', 'Monday', '27th', '600bn', 'H1', 'Q3'
    r"^(?:(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|[hq][1-4]|fy\d+|"
    r"\d[\d.,]*(?:st|nd|rd|th|s|k|m|bn|b|tn|x|pc))$",
    re.I,
)
LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*$")


class ExtractiveAnswerer:
    """The default answerer: quotes the corpus, needs no LLM and no network."""

    def __init__(self, abstain_below: float | None = None) -> None:
        """`abstain_below`: answer probability under which to abstain (default: fitted)."""
        self.abstain_below = abstain_below

    def answer(self, request: AnswerRequest) -> Answer:
        """Select, order and cite sentences; abstain when the evidence does not answer."""
        shape = analyse(request.question)
        candidates = read(request, shape)
        anchor = choose_anchor(candidates, shape)
        probability = answer_confidence(anchor, candidates, shape)
        why = self._why_not(request, candidates, shape, probability)
        if why or anchor is None:
            return abstention(request, candidates, why, probability)
        chosen = compose_order(_select(anchor, candidates, shape, request), candidates)
        text, citations = compose(chosen)
        if request.on_token:
            request.on_token(text)
        return Answer(
            question=request.question,
            text=text,
            abstained=False,
            confidence=probability,
            citations=citations,
            passages=request.hits,
        )

    def _why_not(
        self,
        request: AnswerRequest,
        candidates: list[Candidate],
        shape: QuestionShape,
        probability: float,
    ) -> Why | None:
        """The first reason the passages do not answer the question, if any."""
        missing = unknown_terms(request.question, request.index)
        floor = self.abstain_below
        if missing:
            return Why(UNKNOWN_TERMS, missing)
        if not on_topic(candidates):
            return Why(OFF_TOPIC)
        if choose_anchor(candidates, shape) is None:
            return Why(NOT_STATED, list(shape.names))
        if probability < (load_weights()["abstain_below"] if floor is None else floor):
            return Why(UNCLEAR)
        return None


def on_topic(candidates: list[Candidate]) -> bool:
    """Some retrieved sentence is at least as close to the question as the least close
    best sentence of any answerable dev question (fitted: `topical_floor`)."""
    best = max((c.features["semantic"] for c in candidates), default=0.0)
    return best >= load_weights()["topical_floor"]


def choose_anchor(candidates: list[Candidate], shape: QuestionShape) -> Candidate | None:
    """The best sentence that can answer: for an attribute question, one stating it for
    the named thing; for a question about a later year, one mentioning that year."""
    eligible = [c for c in candidates if _states_what_is_asked(c, shape)]
    return max(eligible, key=lambda c: c.probability, default=None)


def _states_what_is_asked(candidate: Candidate, shape: QuestionShape) -> bool:
    text = f"{_before(candidate)} {candidate.sentence.text}"
    if any(year not in text for year in shape.future_years):
        return False
    if shape.attribute is None:
        return True
    heading = f"{candidate.hit.doc.title} {candidate.hit.chunk.section}"
    return shape.attribute.stated_in(candidate.sentence.text) and names_in(
        shape.names, f"{heading} {text}"
    )


def _before(candidate: Candidate) -> str:
    sentences = candidate.hit.chunk.sentences
    return sentences[candidate.position - 1].text if candidate.position else ""


def answer_features(
    anchor: Candidate, candidates: list[Candidate], shape: QuestionShape
) -> dict[str, float]:
    """What the confidence model sees: how good the best sentence is, and how alone."""
    others = [c.probability for c in candidates if c is not anchor]
    return {
        "best": _logit(anchor.probability),
        "margin": _logit(anchor.probability) - _logit(max(others, default=0.0)),
        "semantic": max(c.features["semantic"] for c in candidates),
        "anchor_semantic": anchor.features["semantic"],
        "lexical": anchor.features["lexical_context"],
        "names": anchor.features["names_passage"],
        "typed": float(shape.expects is not None),
        "expects": anchor.features["expects"],
    }


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def answer_confidence(
    anchor: Candidate | None, candidates: list[Candidate], shape: QuestionShape
) -> float:
    """Probability, fitted on dev, that an answer built on `anchor` holds the key facts."""
    if anchor is None:
        return 0.0
    return logistic(load_weights()["confidence"], answer_features(anchor, candidates, shape))


def _select(
    anchor: Candidate, candidates: list[Candidate], shape: QuestionShape, request: AnswerRequest
) -> list[Candidate]:
    """The anchor, then further answering sentences, in budget: each next one by its
    probability, raised when it covers question terms the answer does not cover yet."""
    budget = request.settings.answer_words
    wanted = set(content_terms(request.query))
    chosen = _with_context(anchor, candidates)
    chosen += _continuation(chosen[-1], candidates, budget - _words(chosen))
    floor = MIN_SHARE * anchor.probability
    pool = [c for c in candidates if c not in chosen and c.probability >= floor]
    if shape.kind in ("dispute", "compare"):
        chosen += [c for c in _counter_claims(candidates, chosen) if c not in chosen]
    while pool and _words(chosen) < budget:
        covered = wanted & set(content_terms(" ".join(c.sentence.text for c in chosen)))
        pick = max(
            pool, key=lambda c: c.probability * (1 + COVERAGE * _new_terms(c, wanted - covered))
        )
        pool.remove(pick)
        if _repeats(pick, chosen):
            continue
        addition = [c for c in _with_context(pick, candidates) if c not in chosen]
        if _words(chosen) + _words(addition) <= budget:
            chosen += addition
    return chosen


def _new_terms(candidate: Candidate, uncovered: set[str]) -> int:
    return len(uncovered & set(content_terms(candidate.sentence.text)))


def _counter_claims(candidates: list[Candidate], chosen: list[Candidate]) -> list[Candidate]:
    """Sentences that qualify or contest a claim, from passages other than the anchor's first."""
    used = {c.hit.chunk.id for c in chosen}
    contrasting = [
        c
        for c in candidates
        if CONTRAST.search(c.sentence.text) and c.features["lexical_context"] > 0
    ]
    contrasting.sort(key=lambda c: (c.hit.chunk.id in used, -c.probability))
    return contrasting[:2]


def _with_context(candidate: Candidate, candidates: list[Candidate]) -> list[Candidate]:
    """A sentence with what it needs to be read alone: its antecedent, its list, its FAQ."""
    same = sorted((c for c in candidates if c.hit is candidate.hit), key=lambda c: c.position)
    if candidate.features["faq"] > 0:
        return _faq_answer(candidate, same)
    group = [candidate]
    if candidate.features["dangling"] > 0 or _is_list_item(candidate):
        group = _antecedents(candidate, same) + group
    if candidate.sentence.text.endswith(":") or _is_list_item(candidate):
        group += [c for c in _list_items_after(group[-1], same) if c not in group]
    return group


def _continuation(last: Candidate, candidates: list[Candidate], room: int) -> list[Candidate]:
    """The next sentence when it carries the last one on ('But it …', 'Its …'), if it fits."""
    following = next(
        (c for c in candidates if c.hit is last.hit and c.position == last.position + 1), None
    )
    if following is None or following.features["dangling"] == 0:
        return []
    return [following] if len(following.sentence.text.split()) <= room else []


def _antecedents(candidate: Candidate, same: list[Candidate]) -> list[Candidate]:
    """The sentences before that it leans on: back past every connective or pronoun
    opener ('In response, …' ← 'Also, …'), or, for a list item, back to its lead-in."""
    by_position = {c.position: c for c in same}
    run: list[Candidate] = []
    current = candidate
    while current.features["dangling"] > 0 or _is_list_item(current):
        previous = by_position.get(current.position - 1)
        if previous is None or len(run) == MAX_ANTECEDENTS:
            break
        run.insert(0, previous)
        if _is_list_item(current) and previous.sentence.text.endswith(":"):
            break
        current = previous
    if _is_list_item(candidate) and not (run and run[0].sentence.text.endswith(":")):
        return []
    return run


def _list_items_after(intro: Candidate, same: list[Candidate]) -> list[Candidate]:
    items: list[Candidate] = []
    for candidate in (c for c in same if c.position > intro.position):
        if not _is_list_item(candidate) or candidate.position != intro.position + len(items) + 1:
            break
        items.append(candidate)
    return items


def _faq_answer(candidate: Candidate, same: list[Candidate]) -> list[Candidate]:
    """The whole answer to the corpus question `candidate` belongs to: its run of
    consecutive sentences (questions are not candidates, so they end a run)."""
    runs: list[list[Candidate]] = []
    for c in same:
        if runs and c.position == runs[-1][-1].position + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return next(run for run in runs if candidate in run)


def _is_list_item(candidate: Candidate) -> bool:
    chunk, sentence = candidate.hit.chunk, candidate.sentence
    before = chunk.text[: sentence.start - chunk.start].rsplit("\n", 2)
    line_start = before[-1]
    previous_line = before[-2] if len(before) > 1 else ""
    if line_start.strip() and LIST_MARKER.match(line_start):
        return True
    return not line_start.strip() and bool(LIST_MARKER.match(previous_line))


def _repeats(candidate: Candidate, chosen: list[Candidate]) -> bool:
    return max(float(candidate.vector @ c.vector) for c in chosen) >= REDUNDANT


def _words(chosen: list[Candidate]) -> int:
    return sum(len(c.sentence.text.split()) for c in chosen)


def compose_order(chosen: list[Candidate], candidates: list[Candidate]) -> list[Candidate]:
    """Passages in the order their best chosen sentence ranks; document order within one."""
    best: dict[str, int] = {}
    for rank, candidate in enumerate(chosen):
        best.setdefault(candidate.hit.chunk.id, rank)
    return sorted(chosen, key=lambda c: (best[c.hit.chunk.id], c.position))


def compose(chosen: list[Candidate]) -> tuple[str, list[Citation]]:
    """Answer text with a [n] after each sentence; a list becomes one cited sentence."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    parts = []
    for group in _groups(chosen):
        first, last = group[0], group[-1]
        key = (first.hit.chunk.id, first.sentence.start, last.sentence.end)
        if key not in numbers:
            numbers[key] = len(citations) + 1
            score = max(c.probability for c in group)
            citations.append(make_citation(numbers[key], first.hit, key[1], key[2], score))
        parts.append(f"{_sentence_text(group)} [{numbers[key]}]")
    return " ".join(parts), citations


def _groups(chosen: list[Candidate]) -> list[list[Candidate]]:
    """A list lead-in and its items form one group; every other sentence stands alone."""
    groups: list[list[Candidate]] = []
    for candidate in chosen:
        previous = groups[-1] if groups else None
        if (
            previous
            and _is_list_item(candidate)
            and previous[0].hit is candidate.hit
            and previous[0].sentence.text.endswith(":")
            and candidate.position == previous[-1].position + 1
        ):
            previous.append(candidate)
        else:
            groups.append([candidate])
    return groups


def _sentence_text(group: list[Candidate]) -> str:
    if len(group) == 1:
        return group[0].sentence.text
    intro, items = group[0].sentence.text, [c.sentence.text.rstrip(".;") for c in group[1:]]
    return f"{intro} {'; '.join(items)}."


def unknown_terms(question: str, index: CorpusIndex) -> list[str]:
    """Names in the question the corpus never uses: capitalised words after the first
    word, and words mixing letters and digits (e.g. 'Arizona', '18A')."""
    words = WORD.findall(question.translate(QUOTE_MARKS))
    names = [
        word
        for position, word in enumerate(words)
        if (position > 0 and word[0].isupper() and len(word) >= MIN_NAME_LENGTH)
        or (any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word))
    ]
    return [
        name
        for name in names
        if not CALENDAR_OR_QUANTITY.match(name) and _unseen(name, index.vocabulary)
    ]


def _unseen(name: str, vocabulary: frozenset[str]) -> bool:
    terms = content_terms(name)
    return bool(terms) and terms[0] not in vocabulary


@dataclass(frozen=True)
class Why:
    """Why ChipQA abstains, and the names involved."""

    reason: str
    names: list[str] = field(default_factory=list)

    def notice(self) -> str:
        """One sentence for the user."""
        quoted = ", ".join(f"“{n}”" for n in self.names)
        if self.reason == UNKNOWN_TERMS:
            return f"None of the documents mentions {quoted}."
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
) -> Answer:
    """The fixed 'not in the corpus' answer, with the closest passages as related reading."""
    related: list[Citation] = []
    seen: set[str] = set()
    for candidate in sorted(candidates, key=lambda c: -c.probability):
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
