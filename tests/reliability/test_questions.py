"""Odd questions to `Assistant.ask`: one clear error or a normal answer, never a traceback;
long ones are cut with a notice. (The CLI side is in test_cli_errors.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import assert_quotes_exact

from assistant.errors import QuestionError
from assistant.pipeline import Assistant
from assistant.types import Answer

DEEPSEEK = "How important is DeepSeek?"


def assert_well_formed(answer: Answer, corpus_dir: Path) -> None:
    """A normal answer or an abstention; every quote is the exact text at its offsets."""
    assert answer.text.strip()
    assert answer.abstained or answer.citations
    assert_quotes_exact(answer.citations, corpus_dir)


@pytest.mark.parametrize(
    "question",
    ["", "   \n\t  ", "\u200b\u200c\u200d\ufeff", "\x00\x07\x1b\x7f", "\u202e\u2066"],
    ids=["empty", "whitespace", "zero-width only", "control only", "bidi only"],
)
def test_question_without_text_is_one_clear_error(
    corpus_assistant: Assistant, question: str
) -> None:
    with pytest.raises(QuestionError, match="the question is empty") as caught:
        corpus_assistant.ask(question)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "question",
    [
        "How\x00 important\x07 is\x1b DeepSeek?\r\n",
        "How important is \u202eDeepSeek\u202c?",
        "深度求索有多重要？",
        "DeepSeek 有多重要？",
        "¿Qué importancia tiene DeepSeek?",
        "How important is DeepSeek? 🚀🔥",
        "\ud800How important is DeepSeek?",
    ],
    ids=["controls", "bidi override", "chinese", "mixed", "spanish", "emoji", "lone surrogate"],
)
def test_odd_question_gets_an_answer_or_abstention(
    corpus_assistant: Assistant, question: str
) -> None:
    assert_well_formed(corpus_assistant.ask(question), corpus_assistant.settings.corpus_dir)


def test_control_characters_do_not_change_the_answer(corpus_assistant: Assistant) -> None:
    plain = corpus_assistant.ask(DEEPSEEK)
    noisy = corpus_assistant.ask("How\x00 important\x07 is DeepSeek?\r\n")
    assert noisy.text == plain.text and not plain.abstained


def test_zero_width_characters_inside_a_word_are_ignored(corpus_assistant: Assistant) -> None:
    plain = corpus_assistant.ask(DEEPSEEK)
    assert corpus_assistant.ask("How impor\u00adtant is Deep\u200bSeek\u2060?").text == plain.text


def test_megabyte_question_is_cut_with_a_notice(corpus_assistant: Assistant) -> None:
    limit = corpus_assistant.settings.max_question_chars
    answer = corpus_assistant.ask(DEEPSEEK + " " + "chips " * 200_000)
    assert len(answer.question) == limit
    assert answer.notice
    assert answer.notice.startswith(f"Your question was cut to its first {limit} characters.")
    assert len(answer.notice) < 300  # a part it does not answer is named in a few words
    assert_well_formed(answer, corpus_assistant.settings.corpus_dir)
