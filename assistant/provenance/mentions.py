"""Where a sentence names a possible source: listed names, people with roles, cues such as
"analysts" or "news reports", pronouns, and capitalised names missing from the lexicon."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from assistant.provenance.dates import MONTHS
from assistant.provenance.lexicon import (
    ALIASES,
    CHINESE_SURNAMES,
    COMPANY,
    COUNTRY,
    DIGIT,
    DOC_NOUN_BEFORE,
    ESTIMATE,
    ESTIMATE_CUE,
    NAMED_SOURCE,
    NOT_NAMES,
    OFFICIAL,
    ORG_WORDS,
    PERSON,
    PREPOSITION_BEFORE,
    PRONOUN,
    PRONOUN_WORD,
    REPORT_CUE,
    REPORTED,
    ROLE_HINT,
    UNKNOWN,
    UNKNOWN_NAME,
    tail,
)


@dataclass(frozen=True, slots=True)
class Source:
    """A possible source in a sentence: short name (if named), kind and span of the mention."""

    name: str | None
    kind: str
    start: int
    end: int
    needs_context: bool = False  # an unnamed frame or a pronoun: the context may name it


PERSON_GROUPS = (COMPANY, "company_appos", OFFICIAL, ESTIMATE)
FULL_NAME = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b")  # 'Jensen Huang', 'Ren Zhengfei'
NAMELESS = NOT_NAMES | frozenset(MONTHS)  # capitalised words that start no person's name


def people(text: str) -> Iterator[Source]:
    """People named with a role: 'Huawei founder Ren Zhengfei', 'Commerce Secretary Lutnick'."""
    if not ROLE_HINT.search(text):
        return
    for match in PERSON.finditer(text):
        group = next(g for g in PERSON_GROUPS if match[g])
        kind = COMPANY if group == "company_appos" else group
        yield Source(surname(match[group]), kind, match.start(), match.end())


def introductions(text: str) -> dict[str, str]:
    """Each person a text names, by short name: the name and role it first gives them
    ('Xu' -> 'Huawei executive Eric Xu', 'Qiu' -> 'Qiu Yuepeng, president of Tencent Cloud'),
    else their full name ('Huang' -> 'Jensen Huang')."""
    found: dict[str, str] = {}
    for match in PERSON.finditer(text):
        name = next(match[g] for g in PERSON_GROUPS if match[g])
        found.setdefault(surname(name), match.group(0).strip(" ,"))
    for match in FULL_NAME.finditer(text):
        words = match.group().split()
        short = surname(match.group())
        if short != match.group() and not any(w in NAMELESS or w in ALIASES for w in words):
            found.setdefault(short, match.group())
    return found


def named_in(text: str) -> Iterator[Source]:
    """Listed sources named in `text`, in order."""
    return iter(_named_tuple(text))


@lru_cache(maxsize=1024)
def _named_tuple(text: str) -> tuple[Source, ...]:
    """Listed sources named in `text` (cached: a sentence is scanned several times)."""
    return tuple(
        Source(*ALIASES[match.group()], match.start(), match.end())
        for match in NAMED_SOURCE.finditer(text)
    )


def cues(sentence: str) -> list[Source]:
    """Unnamed sources: 'news reports', 'people cited by', 'analysts', 'law firms'."""
    found = [Source(None, REPORTED, m.start(), m.end()) for m in REPORT_CUE.finditer(sentence)]
    found += [Source(None, ESTIMATE, m.start(), m.end()) for m in ESTIMATE_CUE.finditer(sentence)]
    return found


def pronouns(sentence: str) -> list[Source]:
    """Pronouns and 'the company' opening a clause: their source comes from context."""
    return [
        Source(None, COMPANY if m["company"] else PRONOUN, m.start(), m.end(), needs_context=True)
        for m in PRONOUN_WORD.finditer(sentence)
    ]


def unknown_names(text: str) -> Iterator[Source]:
    """Capitalised names not in the lexicon ('TechStartups', 'Robin Li'), as possible sources."""
    for match in UNKNOWN_NAME.finditer(text):
        name = match.group()
        first = name.split()[0]
        if (
            first in NOT_NAMES
            or first in MONTHS
            or DIGIT.search(name)
            or name.endswith(("'s", "’s"))
            or (
                PREPOSITION_BEFORE.search(tail(text, match.start()))
                and not DOC_NOUN_BEFORE.search(tail(text, match.start()))
            )
        ):
            continue
        yield Source(surname(name), UNKNOWN, match.start(), match.end())


def surname(name: str) -> str:
    """Short name of a person or source: 'Jensen Huang' -> 'Huang', 'Ren Zhengfei' -> 'Ren'.

    Names that look like organisations ('China Star Market') are kept whole.
    """
    words = name.replace("’", "'").removesuffix("'s").split()
    is_person = all(w[:1].isupper() and w[1:].islower() and w not in ORG_WORDS for w in words)
    if len(words) == 1 or not is_person:
        return " ".join(words)
    chinese_order = words[0] in CHINESE_SURNAMES and words[1] not in CHINESE_SURNAMES
    return words[0] if chinese_order else words[-1]


def overlaps(source: Source, others: list[Source]) -> bool:
    """Whether `source`'s span overlaps any of `others`."""
    return any(o.start < source.end and source.start < o.end for o in others)


def is_place(sentence: str, mention: Source, names: list[Source]) -> bool:
    """A country after a preposition ('in Washington') or starting a longer name ('China Star
    Market') is not a government acting."""
    if mention.kind != COUNTRY:
        return False
    longer = any(n.start == mention.start and n.end > mention.end for n in names)
    return longer or bool(PREPOSITION_BEFORE.search(tail(sentence, mention.start)))
