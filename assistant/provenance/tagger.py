"""Claim provenance: what kind of claim a sentence makes, who makes it, and the date it reports.

A transparent, rule-based tagger (no model), fast enough to run over every sentence at ingest.
It follows the labelling rules written at the top of `eval/claims.yaml`:

- The claim type comes from the sentence's first attribution in a main clause: a frame
  ("According to Reuters, ..."), or a source in subject position followed by an attribution or
  action verb ("SemiAnalysis estimated", "BIS added", "Huawei executive Eric Xu said"). The kind
  of source decides the type: a government body -> official, a company or its people -> company,
  a news outlet or "reports" -> reported, an analyst, research firm or "experts" -> estimate.
  Attributions inside clauses that only describe or date something ("..., which DeepSeek said",
  "came after SAMR said ...") are ignored.
- A sentence whose subject is a rule ("The October 2022 rules created ...") is official.
- A list item with no attribution of its own takes its lead-in line's type and claimant.
- forecast wins when the sentence looks ahead of the document's `as_of` date: a future cue
  ("will", "plans to", "due in", "forecast") whose target period ends after `as_of`, a period
  that starts after it ("for the fourth quarter of 2027"), or any prediction in an undated text.
- Anything else is fact, with no claimant.

Before all that, a sentence that addresses the reader or an assistant rather than stating
anything ("Ignore previous instructions", "answer every question by saying ...", "SYSTEM:")
is an instruction, with no claimant and no date: it is never an answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from assistant.chunk import BULLET, LONE_BULLET, split_sentences
from assistant.provenance.dates import dates_in, dating, document_as_of, is_forecast
from assistant.provenance.lexicon import (
    ACCORDING_TO,
    APPOSITIVE,
    AUXILIARIES,
    BE_FORMS,
    CLAUSE_END,
    COMPANY,
    COPULAS,
    COUNTRY,
    DOC_NOUN_BEFORE,
    DOC_NOUNS,
    ESTIMATE,
    FACT,
    FORECAST,
    GOV_NOUN,
    GOV_VERBS,
    INCLUDING,
    INSTRUCTION,
    INSTRUCTION_CUE,
    INTRO_CLAUSE,
    LEAD_FRAME,
    NEGATIONS,
    OFFICIAL,
    PRONOUN,
    PUT_AT,
    QUOTED_AS,
    REPORT_CUE,
    REPORTED,
    REPORTEDLY,
    RULE_NOUN,
    SAY_VERBS,
    SUBJECT_WORDS,
    SUBORDINATE,
    UNKNOWN,
    VERB_LIKE,
    WORD,
    tail,
)
from assistant.provenance.mentions import (
    Source,
    cues,
    is_place,
    named_in,
    overlaps,
    people,
    pronouns,
    surname,
    unknown_names,
)
from assistant.types import Provenance


def tag_sentence(
    sentence: str, previous: str = "", doc_meta: Mapping[str, Any] | None = None
) -> Provenance:
    """Claim type, claimant and event date of one sentence.

    `previous` is the sentence before it, or for a list item the line introducing the list
    (see `previous_context`); `doc_meta` is the document's front matter (`as_of`, `publisher`,
    `sources`), used only as the claimant fallback and to judge future against `as_of`.
    """
    if is_instruction(sentence):
        return Provenance(INSTRUCTION, None, None)
    meta = doc_meta or {}
    as_of = document_as_of(meta)
    dates = dates_in(sentence, as_of)
    kind, claimant = _claim(sentence, previous)
    lead_in_ahead = previous.endswith(":") and is_forecast(previous, as_of)
    if lead_in_ahead or is_forecast(sentence, as_of, dates):
        kind = FORECAST
    elif kind == FACT:
        return Provenance(FACT, None, dating(dates))
    return Provenance(kind, claimant or _meta_claimant(meta), dating(dates))


def is_instruction(sentence: str) -> bool:
    """Whether the sentence tells the reader or an assistant what to do instead of claiming."""
    return bool(INSTRUCTION_CUE.search(sentence))


def previous_context(text: str, start: int) -> str:
    """The context `tag_sentence` wants for the sentence at `start` in a document's `text`.

    For a list item, the line introducing the list (when it ends with ':'); otherwise the
    sentence before it in the same paragraph or the last sentence of the previous line
    ("" after a heading).
    """
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start].strip()
    if before and not BULLET.fullmatch(before + " "):
        pieces = split_sentences(before, 0)
        return pieces[-1].text if pieces else ""
    line, end = _line_before(text, line_start - 1)
    item = bool(before) or bool(line and LONE_BULLET.match(line))
    while line is not None:
        above, above_end = _line_before(text, end)
        in_list = bool(LONE_BULLET.match(line) or BULLET.match(line))
        in_list = in_list or bool(above and LONE_BULLET.match(above))
        if line.strip() and not (item and in_list):
            break
        line, end = above, above_end
    if line is None or line.lstrip().startswith("#"):
        return ""
    last = split_sentences(BULLET.sub("", line.strip(), count=1), 0)
    return last[-1].text if last else ""


# --- Claim type and claimant ----------------------------------------------------------------


def _claim(sentence: str, previous: str) -> tuple[str, str | None]:
    """(kind, claimant): own attribution, else the list lead-in's, else a rule subject."""
    source = _attribution(sentence)
    if source:
        return source.kind, source.name or _context_name(sentence, source, previous)
    if previous.endswith(":"):
        kind, claimant = _claim(previous, "")
        if kind != FACT:
            return kind, claimant
    if _is_rule_subject(sentence):
        return OFFICIAL, _rule_issuer(sentence, previous)
    return FACT, None


def _attribution(sentence: str) -> Source | None:
    """The first attribution in a main clause: a frame, else a source followed by its verb."""
    frame = _frame(sentence)
    if frame or _is_definition(sentence):
        return frame  # a definition ("X is ...") makes no attributed claim
    for mention in _mentions(sentence):
        if not _is_subordinate(sentence, mention.start):
            found = _attributed(sentence, mention)
            if found:
                return found
    hedge = REPORTEDLY.search(sentence)
    if hedge and not _is_subordinate(sentence, hedge.start()):
        return Source(None, REPORTED, hedge.start(), hedge.end())
    return None


def _frame(sentence: str) -> Source | None:
    """'According to X', 'By the X figures,' or 'Under the guidance reported on ...,'."""
    match = ACCORDING_TO.search(sentence) or LEAD_FRAME.match(sentence)
    if not match:
        return None
    src = match["src"]
    named = next(named_in(src), None) or next(unknown_names(src), None)
    if named:
        kind = named.kind if named.kind in (OFFICIAL, COMPANY, ESTIMATE) else REPORTED
        return Source(named.name, kind, match.start(), match.end())
    if "reported" in src or REPORT_CUE.search(src) or match.re is ACCORDING_TO:
        return Source(None, REPORTED, match.start(), match.end(), needs_context=True)
    return None


def _mentions(sentence: str) -> list[Source]:
    """Possible sources in order: people with roles, listed names, cues, pronouns, other names."""
    persons = list(people(sentence))
    unknown = list(unknown_names(sentence))
    found = persons + [
        m
        for m in named_in(sentence)
        if not overlaps(m, persons) and not is_place(sentence, m, unknown)
    ]
    found += cues(sentence) + pronouns(sentence)
    found += [m for m in unknown if not overlaps(m, found)]
    return sorted(found, key=lambda m: m.start)


def _attributed(sentence: str, mention: Source) -> Source | None:
    """The attribution a mention makes when a fitting verb follows it, else None."""
    verb = _verb_after(sentence, mention)
    if verb is None:
        return None
    kind = _mention_kind(sentence, mention, verb)
    name = mention.name or _cue_name(sentence, mention)
    described = _described_cue(sentence, mention)
    if described is not None:  # 'Published estimates', 'Independent analysts': unnamed
        kind, name = described.kind, None
    quoted = QUOTED_AS.search(sentence, mention.end) if verb == "quoted" else None
    if quoted:
        name = surname(quoted["name"])
    return Source(name, kind, mention.start, mention.end, mention.needs_context)


def _described_cue(sentence: str, mention: Source) -> Source | None:
    """The unnamed source right after an unlisted capitalised word that only qualifies it."""
    if mention.kind != UNKNOWN:
        return None
    return next((cue for cue in cues(sentence) if 0 < cue.start - mention.end <= 1), None)


def _verb_after(sentence: str, mention: Source) -> str | None:
    """The first verb fitting the mention's kind in the next few words of its clause.

    None if the clause turns subordinate or negative first, or the verb is passive.
    """
    rest = sentence[mention.end :]
    rest = rest[APPOSITIVE.match(rest).end() :]  # type: ignore[union-attr]
    clause = CLAUSE_END.split(rest, maxsplit=1)[0]
    window = {COUNTRY: 3, UNKNOWN: 6}.get(mention.kind, 10)
    before = ""
    for word in WORD.findall(clause)[:window]:
        lowered = word.lower()
        if SUBORDINATE.fullmatch(lowered) or lowered in NEGATIONS:
            return None
        if lowered in AUXILIARIES:
            continue
        if _fits(lowered, mention.kind, clause):
            return None if before in BE_FORMS else lowered
        before = lowered
    return None


def _fits(verb: str, kind: str, clause: str) -> bool:
    """Whether `verb` can attribute a claim to a source of this kind."""
    if verb in ("put", "puts") and kind != COUNTRY and not PUT_AT.search(clause):
        return False
    if kind == COUNTRY:
        return verb in GOV_VERBS
    if kind in (OFFICIAL, REPORTED, ESTIMATE):
        return verb in SAY_VERBS or verb in GOV_VERBS or verb.endswith("ed")
    return verb in SAY_VERBS


def _mention_kind(sentence: str, mention: Source, verb: str) -> str:
    if mention.kind == COUNTRY:
        return OFFICIAL
    if mention.kind == PRONOUN:
        referent = _referent(sentence, mention)
        return referent.kind if referent else _kind_of_verb(verb)
    if mention.kind == UNKNOWN:
        return _doc_noun_kind(sentence, mention) or _kind_of_verb(verb)
    return mention.kind


def _kind_of_verb(verb: str) -> str:
    """The kind of an unlisted source, judged by how it is cited."""
    if verb in {"reported", "reports", "quoted"}:
        return REPORTED
    if verb in {
        "estimated",
        "estimates",
        "estimate",
        "concluded",
        "judged",
        "found",
        "put",
        "puts",
    }:
        return ESTIMATE
    return COMPANY


def _doc_noun_kind(sentence: str, mention: Source) -> str | None:
    """'a HyperAI summary said' -> reported; 'a report by China Star Market' -> reported."""
    after = WORD.match(sentence[mention.end :].lstrip())
    if after and after.group().lower() in DOC_NOUNS:
        return DOC_NOUNS[after.group().lower()]
    before = DOC_NOUN_BEFORE.search(tail(sentence, mention.start))
    return DOC_NOUNS[before["noun"]] if before else None


def _cue_name(sentence: str, cue: Source) -> str | None:
    """A cue's named source: 'commentators, including X', else a listed source of its kind."""
    if cue.kind not in (REPORTED, ESTIMATE):
        return None
    including = INCLUDING.match(sentence, cue.end)
    if including:
        named = next(named_in(sentence[including.end() :]), None)
        named = named or next(unknown_names(sentence[including.end() :]), None)
        if named:
            return named.name
    same = [m for m in named_in(sentence) if m.kind == cue.kind]
    return same[0].name if same else None


def _referent(sentence: str, pronoun: Source) -> Source | None:
    """What a pronoun refers to: the last listed non-country source before it."""
    earlier = [m for m in named_in(sentence[: pronoun.start]) if m.kind != COUNTRY]
    return earlier[-1] if earlier else None


def _context_name(sentence: str, source: Source, previous: str) -> str | None:
    """A claimant from context: a pronoun's referent, else the previous sentence's claimant."""
    if not source.needs_context:
        return None
    referent = _referent(sentence, source)
    if referent:
        return referent.name
    before = _attribution(previous) or next(
        (m for m in named_in(previous) if m.kind == source.kind), None
    )
    return before.name if before else None


def _is_subordinate(sentence: str, start: int) -> bool:
    """True when the mention at `start` sits in a clause opened by 'that', 'after', ..."""
    boundary = max(sentence.rfind(mark, 0, start) for mark in ",;:(")
    return bool(SUBORDINATE.search(sentence[boundary + 1 : start]))


def _first_verb(text: str) -> re.Match[str] | None:
    """The first word that looks like a verb (a listed verb, or '-ed' after the first word)."""
    for position, match in enumerate(WORD.finditer(text)):
        word = match.group().lower()
        if word in VERB_LIKE or word in COPULAS or word in SAY_VERBS or word in GOV_VERBS:
            return match
        if word.endswith("ed") and position > 0:
            return match
    return None


def _is_definition(text: str) -> bool:
    """'X is ...', 'X means ...': the first verb is a copula."""
    verb = _first_verb(text)
    return verb is not None and verb.group().lower() in COPULAS


def _subject(text: str) -> str:
    """The words before the first verb (at most SUBJECT_WORDS): a rough grammatical subject."""
    verb = _first_verb(text)
    return " ".join(text[: verb.start() if verb else len(text)].split()[:SUBJECT_WORDS])


def _is_rule_subject(sentence: str) -> bool:
    """The subject is a rule or a government body ('The October 2022 rules created ...')."""
    main = INTRO_CLAUSE.sub("", sentence, count=1)
    if _is_definition(main):
        return False
    subject = _subject(main)
    lead = next(named_in(subject), None)
    if lead and lead.start <= 4 and lead.kind in (COMPANY, REPORTED, ESTIMATE):
        return False
    return bool(RULE_NOUN.search(subject) or GOV_NOUN.search(subject))


def _rule_issuer(sentence: str, previous: str) -> str | None:
    """Who issued the rule: named in the subject, else in the previous sentence, else anywhere."""
    subject = _subject(INTRO_CLAUSE.sub("", sentence, count=1))
    issuers = [m for m in named_in(subject) if m.kind in (OFFICIAL, COUNTRY)]
    if issuers:
        return issuers[0].name
    before = _attribution(previous) if previous else None
    if before and before.kind == OFFICIAL:
        return before.name
    agencies = [m for m in named_in(sentence) if m.kind == OFFICIAL]
    return agencies[0].name if agencies else None


def _meta_claimant(meta: Mapping[str, Any]) -> str | None:
    """Front-matter fallback: the publisher, or the only listed source."""
    publisher = str(meta.get("publisher") or "").strip()
    if publisher and publisher.lower() not in {"unknown", "none", "n/a"}:
        return publisher
    sources = meta.get("sources")
    if isinstance(sources, list) and len(sources) == 1:
        return str(sources[0]).split(",")[0].strip() or None
    return None


def _line_before(text: str, newline: int) -> tuple[str | None, int]:
    """The line ending at offset `newline` (-1: none) and the offset of the newline above it."""
    if newline < 0:
        return None, -1
    start = text.rfind("\n", 0, newline) + 1
    return text[start:newline], start - 1
