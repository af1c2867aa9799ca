"""A model's answer in a real browser as it is written: the passages found come first, the
text streams, and Stop ends the generation and shows the extractive answer instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_server import ScriptedLLM
from playwright.sync_api import Page, expect

from assistant.answer.llm import STOPPED
from browser.actions import shown_sources

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = "How important is DeepSeek?"
CLAIM = "DeepSeek shows that China can build capable AI models more efficiently."


def ask_the_model(page: Page, question: str) -> None:
    """Choose the language model and ask `question`, without waiting for the answer."""
    page.get_by_role("button", name="Answer options").click()
    page.get_by_role("radio", name="Write an answer with the language model").check()
    page.get_by_role("textbox", name="Your question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()


def test_passages_show_before_the_answer_text_is_written(
    page: Page, llm: ScriptedLLM, output_dir: Path
) -> None:
    llm.piece_delay_s = 0.4  # about 5 s for the reply
    llm.replies.append(f"{CLAIM} [1]")
    ask_the_model(page, QUESTION)
    found = page.locator("#sources .cq-found")
    writing = page.locator('#chat .cq-bot[aria-busy="true"]')
    expect(found.locator(".cq-card").first).to_be_visible()
    assert all(s.written < s.total for s in llm.streams), "the passages came after the reply"
    expect(found).to_contain_text("passages found")
    expect(writing).to_contain_text("DeepSeek shows")  # the reply streams in …
    expect(found.locator(".cq-card").first).to_be_visible()  # … beside the passages
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    page.screenshot(path=output_dir / "chat-passages-while-writing.png", full_page=True)
    answer = page.locator("#chat .cq-bot").last
    expect(answer).not_to_have_attribute("aria-busy", "true")
    expect(answer.locator(".cq-text")).to_have_text(f"{CLAIM} [1]")
    expect(found).to_have_count(0)
    expect(shown_sources(page).locator(".cq-card mark").first).to_be_visible()


def test_stop_ends_generation_and_shows_the_cited_extractive_answer(
    page: Page, llm: ScriptedLLM
) -> None:
    llm.piece_delay_s = 0.1
    llm.replies.append(" ".join([f"{CLAIM} [1]"] * 40))  # 44 s if nobody stops it
    ask_the_model(page, QUESTION)
    stop = page.get_by_role("button", name="Stop")
    writing = page.locator('#chat .cq-bot[aria-busy="true"]')
    expect(writing).to_contain_text("DeepSeek shows that China")
    stop.click()
    answer = page.locator("#chat .cq-bot").last
    expect(answer).not_to_have_attribute("aria-busy", "true")
    expect(answer.locator(".cq-note")).to_have_text(f"Note: {STOPPED}")
    expect(answer.locator("a.cq-ref").first).to_have_text("[1]")
    expect(shown_sources(page).locator(".cq-card").first).to_contain_text("[1]")
    expect(stop).to_be_hidden()
    (streamed,) = llm.streams
    assert streamed.ended.wait(5), "the model's stream went on after Stop"
    assert streamed.hung_up and streamed.written < streamed.total // 2
    llm.replies.append(" ".join([f"{CLAIM} [1]"] * 40))
    page.get_by_role("textbox", name="Your question").fill("Why does the US block chip exports?")
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(stop).to_be_enabled()  # ready again for the next answer
    expect(stop).to_have_text("Stop")
    stop.click()
    expect(page.locator("#chat .cq-note")).to_have_count(2)
