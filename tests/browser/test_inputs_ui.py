"""Errors and inputs: an empty question, a very long one, and one in another language."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from browser.actions import ask

pytestmark = pytest.mark.browser


def test_empty_question_is_one_inline_hint_and_the_box_stays_usable(
    page: Page, output_dir: Path
) -> None:
    page.get_by_role("button", name="Ask", exact=True).click()
    hint = page.locator("#ask-hint")
    expect(hint).to_have_text("Type a question about the documents first.")
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    expect(page.locator("#chat .cq-user")).to_have_count(0)
    page.screenshot(path=output_dir / "empty-question.png")
    expect(ask(page, "How important is DeepSeek?")).to_contain_text("DeepSeek")
    expect(hint).to_be_empty()


def test_long_question_is_echoed_as_it_was_used(page: Page, output_dir: Path) -> None:
    question = "How important is DeepSeek? " + "chips " * 17_000
    answer = ask(page, question)
    asked = page.locator("#chat .cq-user").last
    echoed = str(asked.locator(".cq-clamp").text_content())
    assert len(echoed) <= 2000 and echoed.startswith("How important is DeepSeek? chips")
    expect(answer.locator(".cq-note")).to_have_text(
        "Note: Your question was cut to its first 2000 characters."
    )
    page.screenshot(path=output_dir / "long-question.png")
    asked_for = page.locator("#sources .cq-answer:visible .cq-for")
    for shown, lines in ((asked, 4), (asked_for, 2)):
        height = _lines(shown.locator(".cq-clamp"))
        assert height <= lines, (shown, height)
        assert shown.evaluate("e => e.scrollWidth <= e.clientWidth")
        shown.get_by_role("button", name="Show all").click()
        expect(shown.get_by_role("button", name="Show less")).to_have_attribute(
            "aria-expanded", "true"
        )
        assert _lines(shown.locator(".cq-clamp")) > 20
    page.screenshot(path=output_dir / "long-question-shown-all.png")


def test_phone_long_question_is_clamped(phone: Page, output_dir: Path) -> None:
    ask(phone, "How important is DeepSeek? " + "chips " * 400)
    asked = phone.locator("#chat .cq-user").last
    assert _lines(asked.locator(".cq-clamp")) <= 4
    assert asked.evaluate("e => e.scrollWidth <= e.clientWidth")
    expect(asked.get_by_role("button", name="Show all")).to_be_visible()
    phone.screenshot(path=output_dir / "phone-long-question.png")


def _lines(text: Locator) -> float:
    """How many lines of text `text` is shown on (to a tenth)."""
    return round(
        text.evaluate(
            "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"
        ),
        1,
    )


def test_question_in_chinese_says_english_only(page: Page, output_dir: Path) -> None:
    reply = ask(page, "美国为什么限制向中国出口芯片？")
    expect(reply).to_have_text(
        "This question is in Chinese; ChipQA reads English only: please ask in English."
    )
    expect(page.locator("#chat")).not_to_contain_text("Not in the corpus")
    page.screenshot(path=output_dir / "chinese-question.png")
