"""Small text helpers shared by retrieval, answering, citation checks and the eval."""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[A-Za-z0-9]+(?:[’'][A-Za-z]+)?")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers him his how i if in into is it its
    itself just me more most my no nor not now of off on once only or other our out over own
    same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours s t don much many really already still even ever yet get
    got say said says tell told like one""".split()  # noqa: SIM905
)
QUOTE_MARKS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """Fold quote marks and dashes, collapse whitespace, lowercase: for matching only."""
    return " ".join(text.translate(QUOTE_MARKS).split()).lower()


def tokens(text: str) -> list[str]:
    """Lowercased word tokens with possessive endings dropped."""
    words = WORD.findall(text.translate(QUOTE_MARKS))
    return [w.lower().removesuffix("'s") for w in words]


def content_terms(text: str) -> list[str]:
    """Tokens that carry meaning (no stopwords), with light plural folding."""
    terms = map(_content_term, WORD.findall(text.translate(QUOTE_MARKS)))
    return [term for term in terms if term is not None]


@lru_cache(maxsize=1 << 16)
def _content_term(word: str) -> str | None:
    """One word's token folded to its term, or None for a stopword (a text's words recur:
    each is folded once)."""
    token = word.lower().removesuffix("'s")
    return None if token in STOPWORDS else stem(token)


def stem(word: str) -> str:
    """A crude stemmer: enough to match 'chips'/'chip' and 'controls'/'control'."""
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def lexical_overlap(claim: str, evidence: str) -> float:
    """Share of the claim's content terms that occur in the evidence (0..1)."""
    return term_overlap(set(content_terms(claim)), evidence)


def term_overlap(wanted: set[str], evidence: str) -> float:
    """Share of the `wanted` terms that occur in the evidence (0..1)."""
    return term_share(wanted, set(content_terms(evidence))) if wanted else 0.0


def term_share(wanted: set[str], terms: set[str]) -> float:
    """Share of the `wanted` terms among a text's content `terms` (0..1)."""
    return len(wanted & terms) / len(wanted) if wanted else 0.0


def is_model_name(word: str) -> bool:
    """Letters and digits in one word: a model or product name ('V3', 'H20', '18A')."""
    return any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word)
