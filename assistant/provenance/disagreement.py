"""Where the retrieved passages disagree: different values for the same quantity from
different claimants. Transparent rules, no model:

- Claims about the same thing are the attributed items of one list (they share its lead-in:
  "News outlets reported slightly different figures for Nvidia's loss:"), or the attributed
  clauses of one sentence joined by "while", "though", "but" or ";" ("X said the fourth
  quarter of 2025, while Y's schedule put it in the fourth quarter of 2026").
- A claim is attributed when its tag names a claimant or gives a non-fact type, or (a clause)
  when its subject is a source ("another summary", "some trackers").
- They disagree when two claimants state values of the same unit (money and its scale, %,
  counted things, a date for clauses) whose ranges do not overlap.
- An uploaded document is also checked against the other documents, uploads included: a
  sentence of an upload and another document's sentence that names the same things (a
  capitalised name besides dates) disagree when they state values of one unit, dates
  included, that do not overlap (curated documents first, the answer's own citations first,
  then the most relevant). Both must be about as relevant to the question as its best
  passage sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.provenance.dates import MONTHS
from assistant.provenance.evidence import UPLOADER, is_instruction, quoting, uploaders
from assistant.provenance.lexicon import (
    ESTIMATE,
    FACT,
    GOV_VERBS,
    NOT_NAMES,
    REPORTED,
    SAY_VERBS,
    VERB_LIKE,
    WORD,
    word_set,
)
from assistant.provenance.relevance import Relevance
from assistant.provenance.tagger import previous_context, tag_sentence
from assistant.provenance.values import Value, last_date, values_in
from assistant.types import Citation, Hit, Sentence

CONTRAST = re.compile(r",?\s+(?:while|whereas|though|although|but)\s+|;\s+")
SOURCE_NOUNS = word_set(
    """report reports summary summaries tracker trackers schedule roadmap keynote estimate
    estimates account accounts outlet outlets analyst analysts table filing statement paper
    survey"""
)
SPEAKER_VERBS = (SAY_VERBS | GOV_VERBS | VERB_LIKE | {"list", "gives", "counted"}) - SOURCE_NOUNS
LISTED_TYPES = (REPORTED, ESTIMATE)  # list items of other types are their claimants' own acts
TOPIC = (
    re.compile(r"\b(?:figures|estimates|numbers|accounts)\s+(?:for|of|on)\s+(?P<about>.+)"),
    re.compile(r"\b(?:differ|disagree|vary)\s+(?:on|about|over)\s+(?P<about>[^:]+)"),
)
TOPIC_END = re.compile(r"\s+(?:vary|differ|disagree)\b.*$|:.*$")
SPEAKER_WORDS = 5
UPLOAD_MARGIN = 0.2  # how much less relevant than the best sentence an upload's rival may be
CAPITALISED = re.compile(r"\b[A-Z][\w-]*(?: \d+\b)?")
DATE_WORDS = frozenset(MONTHS) | {"An", "A", "The"}
NAMELESS = DATE_WORDS | NOT_NAMES  # capitalised words that name nothing in particular


@dataclass(frozen=True, slots=True)
class Claim:
    """An attributed sentence or clause of a retrieved passage, with the values it states."""

    hit: Hit
    sentence: Sentence
    text: str
    claimant: str
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """Claimants giving values of one unit that do not agree, one (claim, value) each."""

    about: str
    stated: tuple[tuple[Claim, Value], ...]
    context: tuple[Sentence, ...] = ()  # the lead-in of the list whose items disagree

    def sentences(self) -> list[tuple[Hit, Sentence]]:
        """The claims' sentences and their lead-in, each with its passage."""
        hit = self.stated[0][0].hit
        return [(c.hit, c.sentence) for c, _ in self.stated] + [(hit, s) for s in self.context]


Group = tuple[str, list[Claim], tuple[Sentence, ...]]  # about, claims, lead-in


def conflicts(hits: Sequence[Hit]) -> list[Conflict]:
    """The conflicts among `hits`' claims, in the order the passages give them."""
    found: list[Conflict] = []
    seen: set[tuple[str, ...]] = set()
    for about, claims, context in [*_list_groups(hits), *_contrast_groups(hits)]:
        for index, stated in enumerate(_split_by_unit(claims)):
            key = tuple(f"{c.sentence.start}:{v.text}" for c, v in stated)
            if key not in seen:
                seen.add(key)
                named = about if index == 0 else _noun(stated)
                found.append(Conflict(named, stated, context))
    return found


def upload_conflicts(
    hits: Sequence[Hit], relevance: Relevance, citations: Sequence[Citation]
) -> list[Conflict]:
    """Where an upload's sentence and another document's (a curated one first, one the
    answer cites first, else the most relevant) give values that do not agree."""
    if not any(hit.doc.unverified for hit in hits):
        return []
    claims = sorted(
        (
            claim
            for hit in _distinct(hits)
            for sentence in hit.chunk.sentences
            if relevance.near_best(hit, sentence, UPLOAD_MARGIN)
            and (claim := _sentence_claim(hit, sentence)) is not None
        ),
        key=lambda c: (
            c.hit.doc.unverified,
            quoting(citations, c.hit.chunk.id, c.sentence.start) is None,
            -relevance(c.hit, c.sentence),
        ),
    )
    found, paired = [], set()
    for upload in (c for c in claims if c.hit.doc.unverified):
        rivals = (
            c
            for c in claims
            if c.hit.doc.source != upload.hit.doc.source
            and _common_names([c, upload], NAMELESS)
            and (c.sentence, upload.sentence) not in paired
        )
        clash = next(((c, split) for c in rivals if (split := _split_by_unit([c, upload]))), None)
        if clash:
            rival, (stated, *_) = clash
            paired.add((upload.sentence, rival.sentence))
            named = _shared_names([c for c, _ in stated], NAMELESS)
            found.append(Conflict(named if stated[0][1].unit == "date" else _noun(stated), stated))
    return found


def _sentence_claim(hit: Hit, sentence: Sentence) -> Claim | None:
    """A whole sentence as a claim: its values and last date, and its claimant (the
    document's title for an unattributed one; an upload's names its file)."""
    if sentence.provenance is None or is_instruction(sentence):
        return None
    values = [*values_in(sentence.text), *filter(None, [last_date(sentence.text)])]
    claimant = sentence.provenance.claimant or f"“{hit.doc.title}”"
    if hit.doc.unverified:
        claimant = claimant.replace(UPLOADER, f"{UPLOADER} of {Path(hit.doc.source).name}", 1)
    return Claim(hit, sentence, sentence.text, claimant, tuple(values)) if values else None


def _list_groups(hits: Sequence[Hit]) -> list[Group]:
    """Attributed list items grouped by the lead-in line they share, per passage."""
    groups: dict[tuple[str, str], list[Claim]] = {}
    for hit in _distinct(hits):
        chunk = hit.chunk
        for sentence in chunk.sentences:
            tag = sentence.provenance
            if tag is None or tag.claim_type not in LISTED_TYPES:
                continue
            lead = previous_context(chunk.text, sentence.start - chunk.start)
            values = tuple(values_in(sentence.text))
            if lead.endswith(":") and values:
                label = tag.claimant or _speaker(sentence.text)
                if label:
                    claim = Claim(hit, sentence, sentence.text, label, values)
                    groups.setdefault((chunk.id, lead), []).append(claim)
    return [
        (_topic(lead) or "the figures", claims, _lead_in(claims[0].hit, lead))
        for (_, lead), claims in groups.items()
    ]


def _lead_in(hit: Hit, lead: str) -> tuple[Sentence, ...]:
    """The passage sentence that is the list's lead-in."""
    return tuple(s for s in hit.chunk.sentences if s.text == lead)[:1]


def _contrast_groups(hits: Sequence[Hit]) -> list[Group]:
    """Attributed clauses of one sentence joined by a contrast, each with its values."""
    groups: list[Group] = []
    for hit in _distinct(hits):
        for sentence in hit.chunk.sentences:
            tag = sentence.provenance
            if tag is None or not tag.claimant or not CONTRAST.search(sentence.text):
                continue
            first, *others = CONTRAST.split(sentence.text)
            claims = [_clause(hit, sentence, first, tag.claimant)]
            claims += [_clause(hit, sentence, text, _clause_claimant(text, hit)) for text in others]
            kept = [c for c in claims if c is not None]
            if len(kept) > 1:
                groups.append((_topic(first) or _shared_names(kept), kept, ()))
    return groups


def _clause(hit: Hit, sentence: Sentence, text: str, claimant: str | None) -> Claim | None:
    """A clause as a claim: its values and its last date (None if unattributed or valueless)."""
    values = [*values_in(text), *filter(None, [last_date(text)])]
    if not claimant or not values:
        return None
    return Claim(hit, sentence, text, claimant, tuple(values))


def _clause_claimant(text: str, hit: Hit) -> str | None:
    """Who a later clause attributes its claim to: its tag's claimant, or a source subject."""
    tag = tag_sentence(text, "", hit.doc.meta)
    if tag.claimant and tag.claim_type != FACT:
        return uploaders(tag).claimant if hit.doc.unverified else tag.claimant
    speaker = _speaker(text)
    words = {w.lower() for w in (speaker or "").split()}
    return speaker if words & SOURCE_NOUNS else None


def _split_by_unit(claims: list[Claim]) -> list[tuple[tuple[Claim, Value], ...]]:
    """Per unit, the first value of each claimant, when two claimants' values never agree."""
    units = list(dict.fromkeys(v.unit for c in claims for v in c.values))
    found = []
    for unit in units:
        by_claimant: dict[str, tuple[Claim, list[Value]]] = {}
        for claim in claims:
            mine = [v for v in claim.values if v.unit == unit]
            if mine and claim.claimant.casefold() not in by_claimant:
                by_claimant[claim.claimant.casefold()] = (claim, mine)
        sets = list(by_claimant.values())
        clash = any(
            not any(a.agrees(b) for a in first[1] for b in second[1])
            for i, first in enumerate(sets)
            for second in sets[i + 1 :]
        )
        if clash:
            found.append(tuple((claim, values[0]) for claim, values in sets))
    return found


def _speaker(text: str) -> str | None:
    """The words before a clause's first verb or number ("another summary", "most reports")."""
    words = []
    for match in WORD.finditer(text):
        word = match.group()
        if word.lower() in SPEAKER_VERBS or word[0].isdigit():
            break
        words.append(word)
    return " ".join(words[:SPEAKER_WORDS]) if 0 < len(words) <= SPEAKER_WORDS else None


def _topic(text: str) -> str | None:
    """What a lead-in or clause says the claims are about ("Nvidia's loss on 27 January")."""
    for pattern in TOPIC:
        match = pattern.search(text.rstrip(":"))
        if match:
            return TOPIC_END.sub("", match["about"]).strip() or None
    return None


def _shared_names(claims: list[Claim], skipped: frozenset[str] = DATE_WORDS) -> str:
    """'the date for Atlas': capitalised words every clause names, besides its claimant."""
    shared = _common_names(claims, skipped)
    return f"the date for {' '.join(shared)}" if shared else "the date"


def _common_names(claims: list[Claim], skipped: frozenset[str]) -> list[str]:
    """Capitalised words every claim names, besides its claimant and the `skipped` ones."""
    names = [
        {
            w
            for w in CAPITALISED.findall(c.text)
            if w not in c.claimant and w.split()[0] not in skipped
        }
        for c in claims
    ]
    shared = [w for w in CAPITALISED.findall(claims[0].text) if all(w in n for n in names)]
    return list(dict.fromkeys(shared))


def _noun(stated: tuple[tuple[Claim, Value], ...]) -> str:
    """A second quantity of one group: the words before its first value ("closing share price")."""
    claim, value = stated[0]
    before = claim.text[: claim.text.find(value.text)].split()[-4:]
    while before and before[-1].lower() in {"of", "as", "at", "to", "was", "is"}:
        before.pop()
    while before and before[0].lower() in {"a", "an", "the", "with", "and", "gave"}:
        before.pop(0)
    return " ".join(before) or f"the {value.unit} figure"


def _distinct(hits: Sequence[Hit]) -> list[Hit]:
    """Each passage once."""
    return list({hit.chunk.id: hit for hit in hits}.values())
