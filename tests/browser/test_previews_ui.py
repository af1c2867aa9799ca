"""Citations you can preview anywhere: a marker shows a small card on hover, keyboard focus
and a first tap; an answer's Sources link counts what it shows; Copy answer copies the
answer with its numbered sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import LiveApp
from playwright.sync_api import Browser, Locator, Page, expect

from browser.actions import ask, serious_violations, shown_sources, upload
from browser.conftest import DESKTOP

pytestmark = pytest.mark.browser

SEED_TITLE = "Can China catch up with the US in chips?"
PELL = """---
title: Pell fab memo
as_of: 2026-04-01
---
The Pell fab in Vaasa etches 3 nm wafers for export. It employs 900 engineers and opened in 2029.
"""


def _seed_answer(page: Page) -> tuple[Locator, Locator]:
    """Ask the seed question; its answer and the page's preview card."""
    return ask(page, "How important is DeepSeek?"), page.locator("#cq-preview")


def test_marker_previews_its_quote_on_hover_and_focus(page: Page, output_dir: Path) -> None:
    answer, card = _seed_answer(page)
    marker = answer.locator("a.cq-ref").first
    marker.hover()
    expect(card).to_be_visible()
    expect(card).to_have_attribute("role", "tooltip")
    expect(card.locator(".cq-title")).to_have_text(SEED_TITLE)
    expect(card.locator(".cq-meta")).to_have_text("undated")
    expect(card.locator(".cq-chip")).to_be_visible()
    expect(card.locator("mark")).not_to_be_empty()
    quote = str(card.locator("mark").text_content())
    expect(shown_sources(page).locator(".cq-card mark").first).to_have_text(quote)
    assert marker.get_attribute("title") is None  # no slow, clipped browser tooltip as well
    page.screenshot(path=output_dir / "preview-hover.png")
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    answer.locator("a.cq-ref").nth(1).focus()
    expect(card).to_be_visible()
    expect(card.locator("mark")).not_to_have_text(quote)
    card.get_by_role("link", name="Show in Sources").click()
    expect(shown_sources(page).locator(".cq-card:focus")).to_be_in_viewport()


def test_phone_tap_previews_then_a_second_tap_follows(phone: Page, output_dir: Path) -> None:
    answer, card = _seed_answer(phone)
    marker = answer.locator("a.cq-ref").first
    marker.tap()
    expect(card).to_be_visible()
    expect(card).to_be_in_viewport()
    expect(card.locator(".cq-title")).to_have_text(SEED_TITLE)
    phone.screenshot(path=output_dir / "phone-preview-tap.png")
    assert serious_violations(phone) == []
    marker.tap()
    expect(card).to_be_hidden()
    expect(shown_sources(phone).locator(".cq-card:focus")).to_be_in_viewport()
    phone.screenshot(path=output_dir / "phone-preview-followed.png")


def test_sources_link_counts_cards_and_copy_takes_the_sources(
    browser: Browser, live_app: LiveApp, tmp_path: Path, output_dir: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_app.origin)
    page = context.new_page()
    page.goto(live_app.url)
    memo = tmp_path / "pell.md"
    memo.write_text(PELL, encoding="utf-8")
    upload(page, memo)
    page.get_by_role("tab", name="Chat").click()
    answer = ask(
        page, "What does the Pell fab in Vaasa etch, and how many engineers does it employ?"
    )
    cards = shown_sources(page).locator(".cq-card")
    numbers = {str(n) for n in answer.locator("a.cq-ref").all_text_contents()}
    expect(cards).to_have_count(1)
    assert len(numbers) == 2, numbers
    expect(answer.locator(".cq-jump")).to_have_text("Sources (1): 2 citations")
    answer.locator("a.cq-ref").first.hover()
    card = page.locator("#cq-preview")
    expect(card.locator(".cq-badge")).to_have_text("uploaded")
    expect(card.locator(".cq-meta")).to_have_text("dated 2026-04-01 by the uploader")
    page.screenshot(path=output_dir / "preview-uploaded.png")
    answer.get_by_role("button", name="Copy answer").click()
    expect(answer.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    text = str(answer.locator(".cq-text").text_content())
    assert copied.startswith(re.sub(r", uploaded\]", "]", text) + "\n\nSources:\n[1] ")
    lines = copied.split("\n\nSources:\n", 1)[1].splitlines()
    source = (
        "uploaded file pell.md, titled by the uploader “Pell fab memo” "
        "(dated 2026-04-01 by the uploader)"
    )
    assert lines == [
        f"[1] {source}: “The Pell fab in Vaasa etches 3 nm wafers for export.”",
        f"[2] {source}: “It employs 900 engineers and opened in 2029.”",
    ]
    context.close()
