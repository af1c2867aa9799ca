"""The question stage's value and protocol: a `Question` (the cleaned text, the standalone
query it is retrieved with, and its shape) and the `QueryRewriter` that makes its query."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.errors import QuestionError
from assistant.question.shape import QuestionShape, analyse, asks_for_latest
from assistant.types import Turn


class QueryRewriter(Protocol):
    """Makes the query a question is retrieved with, from the conversation before it."""

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """`question` as a standalone retrieval query (itself when it stands alone)."""
        ...


@dataclass(frozen=True)
class Question:
    """A question as the pipeline carries it, from retrieval to the answer's completion."""

    text: str  # as asked, cleaned and capped in length
    query: str  # the standalone query it is retrieved with
    shape: QuestionShape
    notice: str | None = None  # for the asker: the question was cut

    @classmethod
    def make(
        cls, text: str, history: Sequence[Turn], rewriter: QueryRewriter, max_chars: int
    ) -> Question:
        """Clean `text`, make it standalone with the earlier turns, and read its shape.

        Raises:
            QuestionError: nothing is left of `text` once it is cleaned.
        """
        cleaned, notice = clean(text, max_chars)
        return cls(cleaned, rewriter.rewrite(cleaned, history), analyse(cleaned), notice)

    @property
    def latest(self) -> bool:
        """Whether it asks about the current state ("now", "still", "latest")."""
        return asks_for_latest(self.text)


def clean(text: str, max_chars: int) -> tuple[str, str | None]:
    """`text` without control and zero-width characters, its white space folded and cut to
    `max_chars`; a notice when it was cut."""
    cleaned = " ".join("".join(_visible(ch) for ch in text).split())
    if not cleaned:
        raise QuestionError("the question is empty: type a question about the documents")
    if len(cleaned) > max_chars:
        return cleaned[:max_chars], f"Your question was cut to its first {max_chars} characters."
    return cleaned, None


def _visible(ch: str) -> str:
    """Format characters (zero-width, soft hyphen) vanish; other controls become spaces."""
    category = unicodedata.category(ch)
    if category == "Cf":
        return ""
    return " " if category[0] == "C" else ch
