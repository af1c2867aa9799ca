"""Answer stage, extractive: quote the sentences that answer, cite each one exactly.

1. The reader (`reader.py`) scores every sentence of the retrieved passages as an answer.
2. Answerability: ChipQA abstains when no retrieved sentence is even close to the question
   (off topic) or the passages name what it is about only as where something else happened
   ("a conference in Hangzhou"), when the question names a term the corpus never uses, asks
   for an attribute (a price, a revenue, a headcount, a founder …) or a number of
   things that no retrieved sentence states for the things it names, asks about a year no
   retrieved sentence mentions, or when the calibrated probability that the answer is right
   is too low.
3. The answer starts from the best sentence and adds the next best ones that do not repeat
   it, within the answer length (once per part of a question that asks several things:
   "Which chip did it use, and was that chip later restricted?"); a sentence that leans on
   the one before it ("In response, …") brings it along, a lead-in ending in ":" brings its
   list, and a corpus question's answer comes whole. For a question about whether a view is
   shared, the counter-claims the passages hold are added.
4. `confidence` is the probability, fitted on the dev split, that the answer holds the
   key facts (for an abstention: that it does not).
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, replace

from assistant.answer.answerability import (
    NOT_STATED,
    OFF_TOPIC,
    UNCLEAR,
    UNKNOWN_TERMS,
    Why,
    abstention,
    as_written,
    unknown_terms,
)
from assistant.answer.base import AnswerRequest
from assistant.answer.compose import compose, compose_order, continuation, with_context
from assistant.answer.parts import (
    PartReading,
    read_parts,
    widened,
    with_cited,
    with_parts,
)
from assistant.answer.reader import Candidate, load_weights, logistic, read
from assistant.provenance.dates import DATE as CALENDAR_DATE
from assistant.provenance.dates import document_as_of
from assistant.question.shape import (
    CONTRAST,
    COUNT,
    FIGURE,
    FORWARD,
    GENERIC_NAMES,
    NUMBER_WORDS,
    SUM_OF_MONEY,
    QuestionShape,
    analyse,
    names_in,
    names_model,
    periods_in,
    question_names,
    stands_for,
    years_in,
)
from assistant.text import STOPWORDS, content_terms
from assistant.types import Answer, Hit

VALUE_KINDS = ("amount", "when")  # questions whose answer is a figure or a date
CLAUSE_BREAK = re.compile(r";\s*|,\s+(?:and|while|whereas|but)\s+|\s+(?:while|whereas)\s+")
UNITS = frozenset(
    {"rmb", "usd", "yuan", "gb", "tb", "nm", "tflops", "pflops", "fp8", "fp16", "bf16"}
)
PREMISE_NOTICE = "The documents say otherwise than the question assumes."
SOURCE_BEFORE = re.compile(r"\b(?:to|by|per|from|told|according to)\s+(?:the\s+)?$", re.I)
OWNER = re.compile(  # a capitalised name, possessive or not, unless it reports the figure
    r"\b(?P<name>[A-Z][A-Za-z0-9&.-]*(?:\s[A-Z][A-Za-z0-9&-]*)*)(?P<possessive>['’]s)?"
    r"(?!\s(?:\w+\s)?(?:reported|said|says|confirmed|told|wrote|estimated)(?:\s(?:on|that|in)\b|,))"
)
REDUNDANT = 0.85  # sentences this similar to one already chosen add nothing
COVERAGE = 0.5  # weight of each question term a further sentence adds to the answer
MIN_SHARE = 0.1  # further sentences need this share of the best sentence's probability
NOTICE_PART_WORDS = 15  # a part the documents do not state is named by this many words


class ExtractiveAnswerer:
    """The default answerer: quotes the corpus, needs no LLM and no network."""

    def __init__(self, abstain_below: float | None = None) -> None:
        """`abstain_below`: answer probability under which to abstain (default: fitted)."""
        self.abstain_below = abstain_below

    def answer(self, request: AnswerRequest) -> Answer:
        """Select, order and cite sentences; abstain when the evidence does not answer. A
        question that asks several things reads each part's best passages too, and gets
        each part's best sentence that the answer lacks."""
        shape = read_against(analyse(request.question), request.hits)
        readings = read_parts(request, shape, self._read_alone)
        request = widened(request, readings)
        candidates = read(request, shape)
        anchor = choose_anchor(candidates, shape)
        probability = answer_confidence(anchor, candidates, shape)
        why = self._why_not(request, candidates, shape, anchor, probability)
        if why and why.reason == NOT_STATED and request.following:
            after = request.following(request.hits)  # the answer may go on in the next passage
            if after:
                return self.answer(replace(request, hits=[*request.hits, *after], following=None))
        plan = None if why else still_planned(candidates, shape)
        if plan:
            why = Why(NOT_STATED, [plan.name], planned_for=plan.year)
        correction = None if why else contrary_to_premise(candidates, shape)
        if correction:
            anchor, probability = correction, answer_confidence(correction, candidates, shape)
        readings = [] if why and why.reason != NOT_STATED else readings
        stated = [r for r in readings if r.anchor is not None]
        if (why or anchor is None) and not stated:
            elsewhere = None
            if why and why.reason == NOT_STATED and not plan:
                elsewhere = figure_of_another(candidates, shape)
                why = replace(why, given_for=elsewhere[1]) if elsewhere else why
            first = plan.candidate if plan else elsewhere[0] if elsewhere else None
            return abstention(request, candidates, why, probability, first)
        chosen = []
        if anchor is not None and why is None:
            chosen = compose_order(_select(anchor, candidates, shape, request), candidates)
        else:
            probability = min(r.probability for r in readings)
        chosen = with_parts(chosen, stated, request.answer_words)
        text, citations = compose(chosen)
        if request.on_token:
            request.on_token(text)
        unstated = [_clipped(r.part.rstrip("?. ")) for r in readings if r.anchor is None]
        notice = f"The documents do not say: {'; '.join(unstated)}." if unstated else None
        return Answer(
            question=request.question,
            text=text,
            abstained=False,
            confidence=probability,
            citations=citations,
            passages=with_cited(request.hits, chosen),
            notice=PREMISE_NOTICE if correction else notice,
            premise_corrected=correction is not None,
        )

    def _read_alone(self, alone: AnswerRequest, taken: list[Candidate]) -> PartReading:
        """One part read over its own passages as if it were asked alone, and answered by
        none of the sentences `taken` by the parts before it (nor one repeating them); a
        part whose passages do not state it has no anchor."""
        shape = read_against(analyse(alone.question), alone.hits)
        candidates = read(alone, shape)
        untaken = [c for c in candidates if not (taken and _repeats(c, taken))]
        anchor = choose_anchor(_about_what_is_new(untaken, shape, taken), shape)
        probability = answer_confidence(anchor, candidates, shape)
        if self._why_not(alone, candidates, shape, anchor, probability, whole=False):
            anchor, probability = None, 0.0
        return PartReading(alone.question, candidates, anchor, probability, alone.hits)

    def _why_not(
        self,
        request: AnswerRequest,
        candidates: list[Candidate],
        shape: QuestionShape,
        anchor: Candidate | None,
        probability: float,
        *,
        whole: bool = True,
    ) -> Why | None:
        """The first reason the passages do not answer the question, if any, given its best
        answering sentence (`anchor`) and that answer's `probability`. A part of a question
        (`whole` false) is not judged by its terms or by the topical floor, both of which the
        whole question has passed: a fragment reads less close to any sentence than the
        question it comes from."""
        passages = " ".join(hit.chunk.text for hit in request.hits) if whole else ""
        missing = unknown_terms(request.question, request.known_term, passages) if whole else []
        floor = self.abstain_below
        if missing:
            return Why(UNKNOWN_TERMS, missing)
        if (whole and not on_topic(candidates)) or only_a_setting(request, shape):
            return Why(OFF_TOPIC)
        if anchor is None:
            return Why(NOT_STATED, as_written(shape.names, request.question))
        if probability < (load_weights()["abstain_below"] if floor is None else floor):
            return Why(UNCLEAR)
        return None


def read_against(shape: QuestionShape, hits: list[Hit]) -> QuestionShape:
    """`shape` with the year of the newest document among `hits`: a year after it is yet to
    come, a plan for a year before it is history. An upload nobody trusted sets no date, and
    no document is newer than today."""
    dates = [
        found for hit in hits if not hit.doc.unverified and (found := document_as_of(hit.doc.meta))
    ]
    latest = min(max(dates).year, datetime.date.today().year) if dates else None
    return replace(shape, latest_year=latest)


@dataclass(frozen=True)
class Plan:
    """A numbered thing the documents speak of only as planned, and for which year."""

    name: str
    year: str
    candidate: Candidate  # the sentence that plans it


def still_planned(candidates: list[Candidate], shape: QuestionShape) -> Plan | None:
    """For a question about what came of a numbered thing ('Did the Ascend 970 ship on
    time?'): the plan, when every retrieved sentence naming it plans it for a year after
    the newest document ('Ascend 970 due in the fourth quarter of 2028')."""
    if not shape.outcome:
        return None
    for name in shape.numbered:
        named = re.compile(rf"(?<![\w+]){re.escape(name)}(?![\w+])", re.IGNORECASE)
        mentions = [c for c in candidates if named.search(c.sentence.text)]
        years = [_planned_year(c.sentence.text, shape) for c in mentions]
        if mentions and all(years):
            best = max(range(len(mentions)), key=lambda i: mentions[i].probability)
            return Plan(name, str(years[best]), mentions[best])
    return None


def _planned_year(sentence: str, shape: QuestionShape) -> int | None:
    """The year `sentence` plans something for: when every year it names, but in the date
    of a report, comes after the newest document, the first of them."""
    years = _years_spoken_of(sentence)
    return min(years) if years and min(years) > shape.newest_year else None


def _clipped(part: str) -> str:
    """A part as the notice names it: its first `NOTICE_PART_WORDS` words."""
    words = part.split()
    return part if len(words) <= NOTICE_PART_WORDS else " ".join(words[:NOTICE_PART_WORDS]) + " …"


def on_topic(candidates: list[Candidate]) -> bool:
    """Some retrieved sentence is at least as close to the question as the least close
    best sentence of any answerable dev question (fitted: `topical_floor`)."""
    best = max((c.features["semantic"] for c in candidates), default=0.0)
    return best >= load_weights()["topical_floor"]


SETTING = re.compile(r"\bin\s+(?:the\s+)?$", re.IGNORECASE)  # ends before a place: 'held in'
LOOK_BACK = 20  # characters read before a name for what introduces it


def only_a_setting(request: AnswerRequest, shape: QuestionShape) -> bool:
    """Whether the passages name what the question is about only as the place where
    something else happened ('a conference in Hangzhou'): they are not about it. A
    follow-up is about what the turn before it was about, not only the names it repeats."""
    if request.query != request.question:
        return False
    before = [
        b for hit in request.hits for b in _before_each_name(_passage_text(hit), shape.subject)
    ]
    return bool(before) and all(SETTING.search(b) for b in before)


def _passage_text(hit: Hit) -> str:
    return f"{hit.doc.title}. {hit.chunk.section}. {hit.chunk.text}"


def _before_each_name(text: str, names: tuple[str, ...]) -> list[str]:
    """The few words before each word of `text` that is one of `names`, or the country a
    capital among them stands for."""
    forms = set(names).union(*(stands_for(name) for name in names))
    if not forms:
        return []
    alternatives = "|".join(re.escape(form) for form in sorted(forms))
    mention = re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)
    return [
        text[max(0, word.start() - LOOK_BACK) : word.start()]
        for word in mention.finditer(text)
        if set(content_terms(word.group())) & forms
    ]


def contrary_to_premise(candidates: list[Candidate], shape: QuestionShape) -> Candidate | None:
    """For a question that takes a rise or a fall for granted ('Why did its shares climb?'),
    the best sentence about its subject (and the period it names) that says the contrary
    ('Its shares fell 17%'), when no sentence saying what the question assumes reads better."""
    if shape.premise is None or not candidates:
        return None
    assumed, contrary = shape.premise
    floor = MIN_SHARE * max(c.probability for c in candidates)
    about = [
        c
        for c in candidates
        if c.probability >= floor
        and any(names_in((name,), _read_up_to(c)) for name in shape.subject)
        and _covers_the_period(c.sentence.text, shape)
    ]
    says = [c for c in about if assumed.search(c.sentence.text)]
    denies = [c for c in about if contrary.search(c.sentence.text) and c not in says]
    correction = max(denies, key=lambda c: c.probability, default=None)
    best_saying = max((c.probability for c in says), default=0.0)
    return correction if correction and correction.probability > best_saying else None


def choose_anchor(candidates: list[Candidate], shape: QuestionShape) -> Candidate | None:
    """The best sentence that can answer: for an attribute question, one stating it for
    the named thing; for a question about a later year, one mentioning that year."""
    eligible = [c for c in candidates if _states_what_is_asked(c, shape)]
    if shape.kind in VALUE_KINDS:
        eligible = [c for c in eligible if _shows_value(c, shape)] or eligible
    best = max(eligible, key=lambda c: c.probability, default=None)
    if best is not None and shape.defines:
        defining = [c for c in eligible if c.probability >= MIN_SHARE * best.probability]
        best = max(
            (c for c in defining if defines(c.sentence.text, shape.defines)),
            key=lambda c: c.probability,
            default=best,
        )
    return best


def defines(sentence: str, thing: str) -> bool:
    """Whether `sentence` says what `thing` is: 'The Nvidia H20 is a Hopper chip …',
    '…: HBM, or high-bandwidth memory, is …', 'a startup called DeepSeek …'."""
    name = re.escape(thing).replace(r"\ ", r"\s+")
    opening = rf"(?:^|[:;]\s+)(?:[\w’'-]+\s+){{0,2}}?{name}(?:\s*\([^)]*\))?(?:,\s+or\s+[^,]+,)?"
    copula = r"(?:\s+(?:is|are|was|were|refers\s+to|means|stands\s+for)\b|,\s+(?:a|an|the)\b)"
    called = rf"\b(?:called|named|known\s+as)\s+(?:the\s+)?{name}\b"
    return bool(re.search(opening + copula, sentence, re.I) or re.search(called, sentence, re.I))


def _shows_value(candidate: Candidate, shape: QuestionShape) -> bool:
    """Whether the sentence itself, not only the one before it, shows the figure or date."""
    return _states_value_of_subject(candidate, shape, candidate.sentence.text)


def _states_what_is_asked(candidate: Candidate, shape: QuestionShape) -> bool:
    text = f"{_before(candidate)} {candidate.sentence.text}"
    if (shape.future and not _looks_ahead(text, shape)) or not _covers_the_period(text, shape):
        return False
    if not _covers_the_year(candidate.sentence.text, shape):
        return False
    if any(year not in text for year in shape.future_years) or not names_model(
        shape.models, candidate.hit
    ):
        return False
    if not _names_the_numbered(_read_up_to(candidate), shape):
        return False
    if shape.kind in VALUE_KINDS and not _states_value_of_subject(candidate, shape, text):
        return False
    if shape.attribute is None:
        return True
    return shape.attribute.stated_in(candidate.sentence.text) and names_in(
        shape.subject, _read_up_to(candidate)
    )


def _names_the_numbered(text: str, shape: QuestionShape) -> bool:
    """`text` names each numbered name of the question ('Ascend 960'), or one of its
    variants ('Ascend 950PR' for 'Ascend 950'): the Ascend 950's memory is not the 960's."""
    return all(
        re.search(rf"(?<!\w){re.escape(name)}(?!\d)", text, re.IGNORECASE)
        for name in shape.numbered
    )


def _states_value_of_subject(candidate: Candidate, shape: QuestionShape, text: str) -> bool:
    """For 'how much' and 'when': the sentence (or the one before) has a figure (digits or
    words) or a date, and is about the question's subject (another entity's figure is no
    answer). For 'how many': a number of things."""
    if shape.counted:
        shown = _counts(text, shape)
    elif shape.kind == "amount":
        text = _without_numbered_names(CALENDAR_DATE.sub(" ", text), shape)
        shown = bool(FIGURE.search(text) or NUMBER_WORDS.search(text))
    else:
        shown = shape.expects is None or bool(shape.expects.search(text))
    return (
        shown
        and names_in(shape.subject, _read_up_to(candidate))
        and _figure_is_subjects(candidate.sentence.text, shape)
    )


def _counts(text: str, shape: QuestionShape) -> bool:
    """For 'how many': `text` has a number of things, not a date, a sum of money, a share,
    a measure ('5nm', '80 GB') or a number of a name the question uses ('Zephyr 40')."""
    text = _without_numbered_names(CALENDAR_DATE.sub(" ", text), shape)
    text = SUM_OF_MONEY.sub(" ", text)
    return bool(COUNT.search(text) or NUMBER_WORDS.search(text))


def _without_numbered_names(text: str, shape: QuestionShape) -> str:
    """`text` without the question's names that hold a number: the 60 of 'Mate 60' is no
    amount, nor the 2 of 'N+2'."""
    for name in shape.numbered:
        text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    return text


def _looks_ahead(text: str, shape: QuestionShape) -> bool:
    """Whether `text` speaks of what is yet to happen: a plan or forecast, and (unless the
    question asks what someone said) not one for a year before the newest document's
    ('shipments as early as May 2025' is history by 2026)."""
    if shape.reported:
        return bool(FORWARD.search(text))
    years = years_in(text)
    return bool(FORWARD.search(text)) and (not years or max(years) >= shape.newest_year)


def _covers_the_period(text: str, shape: QuestionShape) -> bool:
    """For a question about one reporting period ('the first six months of 2025'): the
    sentence names that period, or none (a nine-month figure is no half-year's)."""
    if shape.period is None:
        return True
    named = periods_in(text)
    return not named or shape.period in named


def _covers_the_year(sentence: str, shape: QuestionShape) -> bool:
    """For a figure asked about one year ('revenue in 2025'): `sentence` names that year, or
    no year but in the date of a report ('2024 revenue, reported on 25 August 2025' is no
    figure for 2025)."""
    asked = set(shape.years)
    if (shape.kind != "amount" and shape.attribute is None) or len(asked) != 1:
        return True
    named = _years_spoken_of(sentence)
    return not named or asked <= set(named)


def _years_spoken_of(sentence: str) -> list[int]:
    """The years `sentence` names, but in the day date of a report or a filing."""
    return years_in(CALENDAR_DATE.sub(_year_unless_a_day, sentence))


def _year_unless_a_day(date: re.Match[str]) -> str:
    """A date as its years, unless it is a day's date (that of a report or a filing)."""
    return " " if date.group("d1") or date.group("d2") else date.group(0)


def figure_of_another(
    candidates: list[Candidate], shape: QuestionShape
) -> tuple[Candidate, str] | None:
    """For a figure or date asked about a named thing that no passage gives: the best
    sentence giving one for something else, and the name it gives it for ('Nvidia's filing
    warned of $5.5 billion …' when AMD's charge was asked)."""
    if not shape.subject or (shape.kind not in VALUE_KINDS and shape.attribute is None):
        return None
    unnamed = replace(shape, names=())
    floor = MIN_SHARE * max((c.probability for c in candidates), default=0.0)
    for candidate in sorted(candidates, key=lambda c: -c.probability):
        if candidate.probability < floor:
            break
        owner = _whose_figure(candidate.sentence.text, shape)
        if owner and _states_what_is_asked(candidate, unnamed):
            return candidate, owner
    return None


def _whose_figure(sentence: str, shape: QuestionShape) -> str | None:
    """The name a sentence gives its first figure for: in the first clause with a figure, its
    first possessive name ('Nvidia's'), else its first name, that the question does not use;
    a reporter ('The Financial Times reported on …', 'confirmed to Reuters') is no owner."""
    clause = next(iter(_clauses_with_figures(sentence)), "")
    names = [
        m
        for m in OWNER.finditer(clause)
        if not set(content_terms(m.group("name"))) & (set(shape.names) | GENERIC_NAMES)
        and not CALENDAR_DATE.match(m.group("name"))
        and not SOURCE_BEFORE.search(clause[: m.start()])
        and m.group("name").split()[0].lower() not in STOPWORDS  # 'The', 'In' open sentences
    ]
    owned = [m for m in names if m.group("possessive")] or names
    return owned[0].group("name") if owned else None


def _clauses_with_figures(sentence: str) -> list[str]:
    """The clauses of `sentence` that give a figure (a date is none)."""
    return [c for c in CLAUSE_BREAK.split(sentence) if FIGURE.search(CALENDAR_DATE.sub(" ", c))]


def _figure_is_subjects(sentence: str, shape: QuestionShape) -> bool:
    """For 'how much': some clause giving a figure names the question's subject, or names
    no one else ('Nvidia warned of $5.5 billion …, and AMD's MI308 was caught too' gives no
    figure of AMD's)."""
    if shape.kind != "amount" or not shape.subject:
        return True
    clauses = _clauses_with_figures(sentence)
    named = [set(question_names(f"x {c}")) - UNITS for c in clauses]
    return not clauses or any(names & set(shape.subject) or not names for names in named)


def _read_up_to(candidate: Candidate) -> str:
    """What a reader has seen by the end of the sentence: the document's title, the
    section's heading and the passage up to the sentence (a list item's lead-in, the
    sentence that named what 'it' is)."""
    chunk = candidate.hit.chunk
    upto = chunk.text[: candidate.sentence.end - chunk.start]
    return f"{candidate.hit.doc.title} {chunk.section} {upto}"


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
    budget = request.answer_words * max(1, len(shape.parts))  # room for each part's answer
    wanted = set(content_terms(request.query))
    chosen = with_context(anchor, candidates)
    chosen += continuation(chosen[-1], candidates, budget - _words(chosen))
    floor = MIN_SHARE * anchor.probability
    pool = [
        c
        for c in candidates
        if c not in chosen and c.probability >= floor and names_model(shape.models, c.hit)
    ]
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
        addition = [c for c in with_context(pick, candidates) if c not in chosen]
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


def _about_what_is_new(
    candidates: list[Candidate], shape: QuestionShape, taken: list[Candidate]
) -> list[Candidate]:
    """For a part that names what the sentences answering the parts before it do not ('…,
    and how does that stack up against the H100?'): the sentences that name one of those."""
    new = [
        name for name in shape.subject if not any(names_in((name,), _read_up_to(t)) for t in taken)
    ]
    if not taken or not new:
        return candidates
    return [c for c in candidates if any(names_in((name,), _read_up_to(c)) for name in new)]


def _repeats(candidate: Candidate, chosen: list[Candidate]) -> bool:
    return max(float(candidate.vector @ c.vector) for c in chosen) >= REDUNDANT


def _words(chosen: list[Candidate]) -> int:
    return sum(len(c.sentence.text.split()) for c in chosen)
