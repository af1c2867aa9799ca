"""Answer stage: the answerer protocol, the extractive default and the optional LLM."""

from assistant.answer.base import Answerer, AnswerRequest, TokenSink
from assistant.answer.extractive import ExtractiveAnswerer

__all__ = ["AnswerRequest", "Answerer", "ExtractiveAnswerer", "TokenSink"]
