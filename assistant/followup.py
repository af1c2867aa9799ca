"""Follow-up questions: rewrite the retrieval query with the salient terms of earlier turns."""

from __future__ import annotations

import re
from typing import TypedDict

from assistant.text import STOPWORDS, WORD

FOLLOW_UP = re.compile(
    r"^\s*(and|but|so|also|what about|how about|then)\b|"
    r"\b(it|its|it’s|it's|they|them|their|this|that|these|those|he|she|his|her|there)\b",
    re.IGNORECASE,
)
MAX_FOLLOW_UP_WORDS = 14
CARRIED_TERMS = 8


class Turn(TypedDict):
    """One earlier exchange of a conversation."""

    question: str
    answer: str


def is_follow_up(question: str) -> bool:
    """Short questions that lean on a pronoun or open with 'and'/'what about'."""
    return len(question.split()) <= MAX_FOLLOW_UP_WORDS and bool(FOLLOW_UP.search(question))


def retrieval_query(question: str, history: list[Turn] | None) -> str:
    """The question, plus the salient words of the previous question when it is a follow-up."""
    if not history or not is_follow_up(question):
        return question
    own = {w.lower() for w in WORD.findall(question)}
    carried: list[str] = []
    for word in WORD.findall(history[-1]["question"]):
        lowered = word.lower()
        if lowered in STOPWORDS or lowered in own or word in carried or len(word) < 3:
            continue
        carried.append(word)
    return f"{question} ({' '.join(carried[:CARRIED_TERMS])})" if carried else question
