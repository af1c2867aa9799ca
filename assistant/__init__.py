"""ChipQA: cited answers about the US–China AI-chip race, from your own documents.

`ask(question, history=None, settings=None) -> Answer` is the one-call entry point;
`build_assistant(settings)` gives a reusable `Assistant`; `assistant.langchain` wraps one
as a LangChain retriever and runnable.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.pipeline import Assistant
    from assistant.settings import Settings
    from assistant.types import Answer, Turn

__all__ = ["ask", "build_assistant"]


def build_assistant(settings: Settings | None = None) -> Assistant:
    """Build the pipeline; the embedding model loads when it is first needed (~7 s)."""
    from assistant.pipeline import build_assistant as build

    return build(settings)


@lru_cache(maxsize=4)
def _cached(settings: Settings | None) -> Assistant:
    return build_assistant(settings)


def ask(
    question: str, history: list[Turn] | None = None, settings: Settings | None = None
) -> Answer:
    """Answer one question against the indexed corpus, reusing the pipeline across calls."""
    return _cached(settings).ask(question, history)
