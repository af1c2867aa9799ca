"""Rewriting without a model: a follow-up ("And when did that start?") is retrieved with the
salient words of the turn before it. `condense` has the rewriter that asks a chat model."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import STOPWORDS, WORD, is_model_name
from assistant.types import Turn

FOLLOW_UP = re.compile(
    r"^\s*(and|but|so|also|what about|how about|then)\b|"
    r"\b(it|its|it’s|it's|they|them|their|this|that|these|those|he|she|his|her|there)\b|"
    r"\bthe (?:company|company's|firm|firm's|chipmaker|group|fund|rule|rules|chip|chips|"
    r"agency|regulator)\b",
    re.IGNORECASE,
)
MAX_FOLLOW_UP_WORDS = 14
CARRIED_TERMS = 8
CARRIED_NAMES = 4  # names from the previous answer, which often resolve 'it' or 'that'
MARKERS = re.compile(r"\[\d+\]")


class HeuristicRewriter:
    """A follow-up carries the salient words of the turn before it; no model is asked."""

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """The question, with the earlier turn's terms when it is a follow-up."""
        return retrieval_query(question, history)


def is_follow_up(question: str) -> bool:
    """Short questions that lean on a pronoun or open with 'and'/'what about'."""
    return len(question.split()) <= MAX_FOLLOW_UP_WORDS and bool(FOLLOW_UP.search(question))


def retrieval_query(question: str, history: Sequence[Turn] | None) -> str:
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
    """Words of `text` worth carrying: no stopwords, no short words but model names, no
    repeats."""
    seen = {w.lower() for w in skip}
    words = []
    for word in WORD.findall(MARKERS.sub(" ", text)):
        lowered = word.lower()
        if lowered in STOPWORDS or lowered in seen or (len(word) < 3 and not is_model_name(word)):
            continue
        seen.add(lowered)
        words.append(word)
    return words


def _is_name(word: str) -> bool:
    """Capitalised or alphanumeric: 'Blackwell', 'B30A', 'CAC'."""
    return word[0].isupper() or any(ch.isdigit() for ch in word)
