"""Accessibility: axe-core finds nothing serious on any screen, at desktop and phone
sizes; controls are named, and the answer options speak the user's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.actions import ask, serious_violations
from browser.conftest import LiveApp

pytestmark = pytest.mark.browser


def test_chat_with_an_answer_passes_axe(page: Page) -> None:
    ask(page, "How important is DeepSeek?")
    ask(page, "How do I make pizza dough?")
    assert serious_violations(page) == []


def test_corpus_tab_passes_axe(page: Page) -> None:
    page.get_by_role("tab", name="Corpus").click()
    expect(page.locator("#corpus-summary")).to_contain_text("documents")
    assert serious_violations(page) == []


def test_phone_chat_passes_axe(phone: Page) -> None:
    ask(phone, "How important is DeepSeek?")
    assert serious_violations(phone) == []


def test_answer_options_name_only_what_is_available(
    page: Page, read_only_app: LiveApp, output_dir: Path
) -> None:
    expect(page.get_by_role("textbox", name="Your question")).to_be_visible()
    options = page.get_by_role("button", name="Answer options")
    options.click()
    radios = page.get_by_role("radio")
    expect(radios).to_have_count(2)
    expect(radios.first).to_have_accessible_name("Quote the documents (instant)")
    expect(page.get_by_text("CHIPQA_")).to_have_count(0)
    expect(page.locator("main").get_by_text("Settings", exact=True)).to_have_count(0)
    page.screenshot(path=output_dir / "answer-options.png")
    page.goto(read_only_app.url)
    page.get_by_role("button", name="Answer options").click()
    expect(page.get_by_label("Passages to read").first).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)
