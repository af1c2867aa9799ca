"""Rewriting: the one place a retrieval query is made from a question and its earlier turns."""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from assistant.text import STOPWORDS, WORD
from assistant.types import Turn

FOLLOW_UP = re.compile(
    r"^\s*(and|but|so|also|what about|how about|then)\b|"
    r"\b(it|its|it’s|it's|they|them|their|this|that|these|those|he|she|his|her|there)\b",
    re.IGNORECASE,
)
MAX_FOLLOW_UP_WORDS = 14
CARRIED_TERMS = 8
CARRIED_NAMES = 4  # names from the previous answer, which often resolve 'it' or 'that'
MARKERS = re.compile(r"\[\d+\]")


@runtime_checkable
class Condenser(Protocol):
    """An answerer that can also rewrite a follow-up as a standalone question (the LLMs)."""

    def condense(self, question: str, history: list[Turn]) -> str:
        """`question` made standalone with the help of the earlier turns."""
        ...


def standalone_query(question: str, history: list[Turn] | None, answerer: object) -> str:
    """What to retrieve with: a follow-up rewritten by the answerer when it is a `Condenser`,
    else the question with the salient terms of the turn before (`retrieval_query`)."""
    if history and isinstance(answerer, Condenser) and is_follow_up(question):
        return answerer.condense(question, history)
    return retrieval_query(question, history)


def is_follow_up(question: str) -> bool:
    """Short questions that lean on a pronoun or open with 'and'/'what about'."""
    return len(question.split()) <= MAX_FOLLOW_UP_WORDS and bool(FOLLOW_UP.search(question))


def retrieval_query(question: str, history: list[Turn] | None) -> str:
    """The question, plus the salient words of the previous question and the names its
    answer gave, when it is a follow-up ('And when did that start?')."""
    if not history or not is_follow_up(question):
        return question
    own = {w.lower() for w in WORD.findall(question)}
    carried = _salient(history[-1]["question"], own)[:CARRIED_TERMS]
    named = [w for w in _salient(history[-1]["answer"], own | set(carried)) if _is_name(w)]
    carried += named[:CARRIED_NAMES]
    return f"{question} ({' '.join(carried)})" if carried else question


def _salient(text: str, skip: set[str]) -> list[str]:
    """Words of `text` worth carrying: no stopwords, no short words, no repeats."""
    seen = {w.lower() for w in skip}
    words = []
    for word in WORD.findall(MARKERS.sub(" ", text)):
        lowered = word.lower()
        if lowered in STOPWORDS or lowered in seen or len(word) < 3:
            continue
        seen.add(lowered)
        words.append(word)
    return words


def _is_name(word: str) -> bool:
    """Capitalised or alphanumeric: 'Blackwell', 'B30A', 'CAC'."""
    return word[0].isupper() or any(ch.isdigit() for ch in word)
