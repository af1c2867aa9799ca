"""Focus, touch and text that behave: every control shows where the keyboard is, a phone's
markers are big enough to tap, and bidi controls cannot reverse what is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import JSHandle, Page, expect

from browser.actions import ask, serious_violations, shown_sources, upload

pytestmark = pytest.mark.browser

RING = """e => { const s = getComputedStyle(e);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(' | '); }"""
NAME = """e => `${e.tagName.toLowerCase()}#${e.id} ${(e.getAttribute('aria-label')
  || e.textContent || e.getAttribute('placeholder') || '').trim().slice(0, 40)}`"""
TARGETS = "#chat .cq-bot a.cq-ref, #chat .cq-bot .cq-jump, #chat .cq-bot .cq-copy"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: shows the text after it reversed


def test_every_control_shows_where_the_focus_is(page: Page, output_dir: Path) -> None:
    ask(page, "How important is DeepSeek?")
    page.get_by_role("button", name="Answer options").click()
    page.locator("h1").click()  # the walk starts at the top of the page
    visited, unchanged = set(), []
    previous: tuple[JSHandle, str, str] | None = None
    for _ in range(40):
        page.keyboard.press("Tab")
        if previous is not None and previous[0].evaluate(RING) == previous[2]:
            unchanged.append(previous[1])  # blurred, it looks as it did focused
        element = page.evaluate_handle("document.activeElement")
        name = element.evaluate(NAME)
        visited.add(name)
        previous = None if name.startswith("body") else (element, name, element.evaluate(RING))
    assert len(visited) >= 15
    assert unchanged == []
    question = page.get_by_role("textbox", name="Your question")
    question.focus()
    focused = question.evaluate(RING)
    page.screenshot(path=output_dir / "focus-question.png")
    question.blur()
    assert question.evaluate(RING) != focused
    assert focused.startswith("solid | 3px")


def test_phone_markers_are_touch_sized(phone: Page, output_dir: Path) -> None:
    ask(phone, "How important is DeepSeek?")
    targets = phone.locator(TARGETS)
    assert targets.count() >= 3
    for i in range(targets.count()):
        box = targets.nth(i).bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24, (
            targets.nth(i).text_content(),
            box,
        )
    phone.screenshot(path=output_dir / "phone-touch-targets.png")
    assert serious_violations(phone) == []


def test_bidi_controls_cannot_reverse_questions_titles_or_file_names(
    page: Page, tmp_path: Path, output_dir: Path
) -> None:
    name = f"{RLO}dm.seton-lebo.md"
    notes = tmp_path / name
    notes.write_text(
        f'---\ntitle: "{RLO}Obel fab notes"\n---\nThe Obel fab in Kemi cuts 5 nm wafers.\n',
        encoding="utf-8",
    )
    status = upload(page, notes)
    expect(status).to_contain_text("dm.seton-lebo.md: indexed")
    expect(page.locator("#documents")).to_contain_text("Obel fab notes")
    page.screenshot(path=output_dir / "bidi-corpus.png", full_page=True)
    for shown in (status, page.locator("#documents")):
        assert RLO not in str(shown.text_content())
    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, f"{RLO}What does the Obel fab in Kemi cut?")
    expect(page.locator("#chat .cq-user").last).to_have_text(
        "You asked: What does the Obel fab in Kemi cut?"
    )
    expect(shown_sources(page).locator(".cq-for")).to_have_text(
        "For “What does the Obel fab in Kemi cut?”"
    )
    expect(shown_sources(page)).to_contain_text("“Obel fab notes”")
    card = shown_sources(page).locator(".cq-card").first
    expect(card.locator(".cq-meta")).to_have_text("undated")  # not "dated undated by …"
    for shown in (page.locator("#chat"), page.locator("#sources")):
        assert RLO not in str(shown.text_content())
    expect(answer).to_contain_text("5 nm")
    page.screenshot(path=output_dir / "bidi-chat.png")
