"""Citations you can follow: markers link to their passages, every answer keeps its
sources, and on a phone each answer points to them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.actions import ask, shown_sources

pytestmark = pytest.mark.browser

SEED_TITLE = "Can China catch up with the US in chips?"


def test_marker_shows_and_flashes_its_passage(page: Page, output_dir: Path) -> None:
    answer = ask(page, "How important is DeepSeek?")
    marker = answer.locator("a.cq-ref").first
    marker.hover()
    preview = page.locator("#cq-preview")
    expect(preview.locator(".cq-title")).to_have_text(SEED_TITLE)
    quote = str(preview.locator("mark").text_content())
    card_id = str(marker.get_attribute("href")).removeprefix("#")
    marker.click()
    card = page.locator(f"#{card_id}")
    expect(card).to_be_in_viewport()
    expect(card).to_be_focused()
    expect(card).to_have_class("cq-card cq-flash")
    expect(card.locator("mark").first).to_have_text(quote)
    page.screenshot(path=output_dir / "marker-flash.png")


def test_earlier_answers_keep_their_sources(page: Page, output_dir: Path) -> None:
    first = ask(page, "How important is DeepSeek?")
    second = ask(page, "How large is China's Big Fund III?")
    expect(shown_sources(page)).to_have_attribute("id", "cq-a2")
    expect(shown_sources(page)).to_contain_text("Big Fund")
    first.locator("a.cq-ref").first.click()
    expect(shown_sources(page)).to_have_attribute("id", "cq-a1")
    expect(shown_sources(page)).to_contain_text("For “How important is DeepSeek?”")
    page.screenshot(path=output_dir / "earlier-answer-sources.png")
    second.locator(".cq-text").click()
    expect(shown_sources(page)).to_have_attribute("id", "cq-a2")


def test_phone_answer_links_to_its_sources(phone: Page, output_dir: Path) -> None:
    answer = ask(phone, "How important is DeepSeek?")
    link = answer.get_by_role("link", name=re.compile(r"^Sources \(\d+\)(: \d+ citations)?$"))
    expect(link).to_be_in_viewport()
    phone.screenshot(path=output_dir / "phone-answer.png")
    link.click()
    section = shown_sources(phone)
    expect(section).to_be_in_viewport()
    expect(section.locator(".cq-card").first).to_contain_text(SEED_TITLE)
    phone.screenshot(path=output_dir / "phone-sources.png")
    section.get_by_role("link", name="Back to answer 1").click()
    expect(answer).to_be_in_viewport()
