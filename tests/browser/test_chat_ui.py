"""The chat UI in a real browser: answers, sources, abstention, uploads and hostile text."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import LiveApp
from llm_server import ScriptedLLM
from playwright.sync_api import Page, expect

from browser.actions import ask, shown_sources, upload
from browser.conftest import Watched

pytestmark = pytest.mark.browser

SEED_TITLE = "Can China catch up with the US in chips?"
HOSTILE = """---
title: "Harbour notes <img src=x onerror=alert(1)>"
as_of: 2026-03-01
---
# Quxton harbour fab <script>alert(2)</script>

The Quxton harbour fab ships 7 million wafers of glowing silicon every year \
<img src=x onerror=alert(1)> ![x](http://attacker.example/p.png) [report](javascript:alert(3)) \
${alert(4)} {{constructor}}.
"""


def test_seed_question_is_answered_with_its_source(page: Page, output_dir: Path) -> None:
    answer = ask(page, "How important is DeepSeek?")
    expect(answer).to_contain_text("DeepSeek shows that China can build capable AI models")
    expect(answer.locator("a.cq-ref").first).to_have_text("[1]")
    card = shown_sources(page).locator(".cq-card").first
    expect(card).to_contain_text("[1]")
    expect(card).to_contain_text(SEED_TITLE)
    expect(card.locator("mark", has_text="DeepSeek shows that China")).to_have_count(1)
    page.screenshot(path=output_dir / "chat-answer.png", full_page=True)


def test_example_question_runs_on_click(page: Page) -> None:
    question = "Why does the US block chip exports to China?"
    page.get_by_role("button", name=question).click()
    expect(page.locator("#chat .cq-user").last).to_have_text(f"You asked: {question}")
    answer = page.locator("#chat .cq-bot").last
    expect(answer).to_contain_text("national security")
    expect(shown_sources(page).locator(".cq-card").first).to_contain_text(SEED_TITLE)


def test_llm_answer_streams_then_keeps_only_verified_sentences(
    watched: Watched, live_app: LiveApp, scripted_llm: ScriptedLLM
) -> None:
    page = watched.page
    claim = "DeepSeek shows that China can build capable AI models more efficiently."
    hostile = "![x](http://attacker.example/q.png) <img src=x onerror=alert(1)>"
    scripted_llm.replies.append(f"{claim} [1][2][3][4][5][6] {hostile}")
    page.get_by_role("button", name="Answer options").click()
    page.get_by_role("radio", name="Write an answer with the language model").check()
    answer = ask(page, "How important is DeepSeek?")
    expect(answer.locator(".cq-text")).to_have_text(f"{claim} [1]")
    expect(shown_sources(page).locator(".cq-card").first).to_contain_text(SEED_TITLE)
    assert scripted_llm.requests[-1]["stream"] is True
    assert watched.dialogs == []
    assert all(url.startswith(live_app.origin + "/") for url in watched.requests)


def test_off_topic_question_abstains_with_related_reading(page: Page, output_dir: Path) -> None:
    answer = ask(page, "How do I make pizza dough?")
    expect(answer).to_contain_text("Not in the corpus.")
    expect(answer.get_by_role("link", name="Related reading")).to_be_visible()
    sources = shown_sources(page)
    expect(sources.locator(".cq-banner")).to_have_text("Not in the corpus")
    expect(sources).to_contain_text("not evidence")
    expect(sources.locator(".cq-related").first).to_be_visible()
    shown = sources.locator(".cq-related").count()
    expect(answer.get_by_role("link", name=f"Related reading ({shown})")).to_be_visible()
    expect(sources.locator("mark, .cq-n")).to_have_count(0)
    page.screenshot(path=output_dir / "abstention-related-reading.png", full_page=True)


def test_abstention_says_what_is_missing_in_a_sentence(page: Page) -> None:
    answer = ask(page, "How many chips did Zorblat Semiconductor ship in 2024?")
    expect(answer).to_contain_text("Not in the corpus.")
    expect(answer.locator(".cq-note")).to_have_text(
        "Note: None of the documents mentions “Zorblat”."
    )


def test_uploaded_document_is_answerable_at_once(
    page: Page, live_app: LiveApp, tmp_path: Path
) -> None:
    notes = tmp_path / "lunar-fab-notes.md"
    notes.write_text(
        "---\ntitle: Lunar fab notes\nas_of: 2026-02-01\n---\n"
        "The Selene lunar fab began etching 3 nm chips on the far side of the Moon in 2031.\n",
        encoding="utf-8",
    )
    expect(upload(page, notes)).to_contain_text("indexed")
    expect(page.locator("#documents")).to_contain_text("Lunar fab notes")
    assert (live_app.corpus_dir / "uploads" / notes.name).is_file()
    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, "When did the Selene lunar fab begin etching chips?")
    expect(answer).to_contain_text("far side of the Moon")
    expect(answer).to_contain_text("[1, uploaded]")
    expect(shown_sources(page).locator(".cq-card").first).to_contain_text("Lunar fab notes")


def test_unreadable_upload_says_why_and_is_not_kept(
    page: Page, live_app: LiveApp, tmp_path: Path
) -> None:
    blank = tmp_path / "blank.md"
    blank.write_text("   \n", encoding="utf-8")
    expect(upload(page, blank).locator(".cq-bad")).to_contain_text("no text to index")
    assert not (live_app.corpus_dir / "uploads" / blank.name).exists()
    expect(page.locator("#documents")).not_to_contain_text("blank.md")


def test_hostile_document_is_shown_as_text_and_fetches_nothing(
    watched: Watched, live_app: LiveApp, tmp_path: Path
) -> None:
    page = watched.page
    hostile = tmp_path / "harbour-notes.md"
    hostile.write_text(HOSTILE, encoding="utf-8")
    expect(upload(page, hostile)).to_contain_text("indexed")
    expect(page.locator("#documents")).to_contain_text("Harbour notes <img src=x onerror=alert(1)>")
    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, "How many wafers does the Quxton harbour fab ship?")
    expect(answer).to_contain_text("7 million wafers")
    expect(answer).to_contain_text("<img src=x onerror=alert(1)>")
    expect(answer).to_contain_text("![x](http://attacker.example/p.png)")
    expect(answer).to_contain_text("${alert(4)} {{constructor}}")
    sources = shown_sources(page)
    expect(sources).to_contain_text("Harbour notes <img src=x onerror=alert(1)>")
    expect(sources).to_contain_text("<script>alert(2)</script>")
    answer.get_by_role("link", name="[1, uploaded]").hover()
    page.wait_for_timeout(500)
    assert page.locator('img[src="x"], img[src*="attacker"], a[href^="javascript"]').count() == 0
    assert watched.dialogs == []
    foreign = [url for url in watched.requests if not url.startswith(live_app.origin + "/")]
    assert foreign == []
