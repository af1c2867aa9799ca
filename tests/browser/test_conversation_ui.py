"""A conversation that behaves like a chat: a question sent while an answer is written is
queued and asked next, and a reload keeps the conversation with its sources until Clear."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_server import ScriptedLLM
from playwright.sync_api import Page, expect

from assistant.web.stored import STORAGE_KEY
from browser.actions import ask, serious_violations, shown_sources
from browser.test_stream_ui import CLAIM, ask_the_model

pytestmark = pytest.mark.browser

NEXT = "Why does the US block chip exports to China?"
KEPT = f"localStorage.getItem('{STORAGE_KEY}') || ''"


def kept_size(page: Page, more_than: int = 0) -> int:
    """The size of the conversation the browser keeps, once it is more than `more_than`:
    the copy is stored by a request of its own just after the answer is shown."""
    page.wait_for_function(f"() => ({KEPT}).length > {more_than}")
    return int(page.evaluate(f"() => ({KEPT}).length"))


def test_question_sent_while_answering_is_queued_and_asked_next(
    page: Page, llm: ScriptedLLM, output_dir: Path
) -> None:
    llm.piece_delay_s = 0.3
    llm.replies.extend([f"{CLAIM} [1]", f"{CLAIM} [1]"])
    ask_the_model(page, "How important is DeepSeek?")
    expect(page.locator('#chat .cq-bot[aria-busy="true"]')).to_contain_text("DeepSeek shows")
    page.get_by_role("textbox", name="Your question").fill(NEXT)
    page.get_by_role("textbox", name="Your question").press("Enter")
    hint = page.locator("#ask-hint")
    expect(hint).to_have_text(f"Queued: “{NEXT}” is asked when this answer is done.")
    page.screenshot(path=output_dir / "question-queued.png")
    assert serious_violations(page) == []
    answers = page.locator("#chat .cq-bot")
    expect(answers).to_have_count(2)
    expect(answers.last).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#chat .cq-user")).to_have_text(
        ["You asked: How important is DeepSeek?", f"You asked: {NEXT}"]
    )
    expect(hint).not_to_contain_text("Queued")
    assert len(llm.streams) == 2


def test_conversation_survives_a_reload_until_clear(page: Page, output_dir: Path) -> None:
    ask(page, "How important is DeepSeek?")
    one_answer = kept_size(page)
    page.reload()
    first = page.locator("#cq-m1")
    expect(first).to_contain_text("DeepSeek shows that China")
    expect(shown_sources(page)).to_have_attribute("id", "cq-a1")
    page.screenshot(path=output_dir / "conversation-reloaded.png")
    second = ask(page, "Is it open source?")
    expect(second).to_have_attribute("id", "cq-m2")
    kept_size(page, more_than=one_answer)
    page.reload()
    expect(page.locator("#chat .cq-bot")).to_have_count(2)
    first.locator("a.cq-ref").first.click()
    expect(shown_sources(page)).to_have_attribute("id", "cq-a1")
    expect(shown_sources(page).locator(".cq-card:focus")).to_be_in_viewport()
    page.get_by_role("button", name="Clear").click()
    expect(page.locator("#chat .cq-empty")).to_be_visible()
    page.wait_for_function(f"() => ({KEPT}).length < {one_answer}")
    page.reload()
    expect(page.get_by_role("textbox", name="Your question")).to_be_visible()
    expect(page.locator("#chat .cq-empty")).to_be_visible()
    expect(page.locator("#chat .cq-bot")).to_have_count(0)


def test_phone_conversation_survives_a_reload(phone: Page, output_dir: Path) -> None:
    ask(phone, "How important is DeepSeek?")
    kept_size(phone)
    phone.reload()
    expect(phone.locator("#cq-m1")).to_contain_text("DeepSeek shows that China")
    phone.screenshot(path=output_dir / "phone-conversation-reloaded.png")
    assert serious_violations(phone) == []
