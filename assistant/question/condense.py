"""Rewriting with a chat model: a follow-up becomes one standalone question, written by the
model the LLM answerer writes with (its endpoint, or the bundled local model)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from assistant.question.rewrite import is_follow_up, retrieval_query
from assistant.types import Turn

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)
TURNS_SHOWN = 3  # the model sees this many earlier turns

CONDENSE_SYSTEM = """Rewrite the user's last question as one standalone question that can be
understood without the conversation. Keep names, products, dates and numbers from the
earlier turns that the question refers to. Reply with the question only."""

CONDENSE_USER = """Conversation so far:
{history}

Last question: {question}"""


class LLMRewriter:
    """A follow-up rewritten by a chat model; any other question as `HeuristicRewriter` makes
    it (the model is asked only when a question leans on the turns before it)."""

    def __init__(self, chat: Callable[[], BaseChatModel]) -> None:
        """`chat` gives the model when it is first needed (a local model starts then)."""
        self.chat = chat

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """A follow-up made standalone by the model (the question itself on failure)."""
        if not history or not is_follow_up(question):
            return retrieval_query(question, history)
        model = self.chat()
        turns = "\n".join(f"Q: {t['question']}\nA: {t['answer']}" for t in history[-TURNS_SHOWN:])
        messages = [
            ("system", CONDENSE_SYSTEM),
            ("human", CONDENSE_USER.format(history=turns, question=question)),
        ]
        try:
            reply = model.invoke(messages)
        except Exception as error:  # any endpoint failure: keep the original question
            log.warning("condensing the follow-up failed: %s", error)
            return question
        return str(reply.content).strip() or question
