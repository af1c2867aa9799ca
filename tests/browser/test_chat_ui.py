"""The chat UI in a real browser: answers, sources, abstention, uploads and hostile text."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_server import ScriptedLLM
from playwright.sync_api import Locator, Page, expect

from browser.conftest import LiveApp, Watched

pytestmark = pytest.mark.browser

SEED_TITLE = "Can China catch up with the US in chips?"
HOSTILE = """---
title: "Harbour notes <img src=x onerror=alert(1)>"
as_of: 2026-03-01
---
# Quxton harbour fab <script>alert(2)</script>

The Quxton harbour fab ships 7 million wafers of glowing silicon every year \
<img src=x onerror=alert(1)> ![x](http://attacker.example/p.png) [report](javascript:alert(3)).
"""


def ask(page: Page, question: str) -> Locator:
    """Ask `question` in the chat; return the newest answer bubble."""
    page.get_by_placeholder("Ask a question about the documents…").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()
    return page.locator('#chat [data-testid="bot"]').last


def upload(page: Page, path: Path) -> Locator:
    """Upload `path` in the Corpus tab; return the upload status."""
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#upload input[type=file]").set_input_files(path)
    status = page.locator("#upload-status")
    expect(status).to_contain_text(path.name)
    return status


def test_seed_question_is_answered_with_its_source(page: Page, output_dir: Path) -> None:
    answer = ask(page, "How important is DeepSeek?")
    expect(answer).to_contain_text("DeepSeek shows that China can build capable AI models")
    expect(answer).to_contain_text("[1]")
    card = page.locator("#sources .cq-card").first
    expect(card).to_contain_text("[1]")
    expect(card).to_contain_text(SEED_TITLE)
    expect(card.locator("mark", has_text="DeepSeek shows that China")).to_have_count(1)
    page.screenshot(path=output_dir / "answered-chat.png", full_page=True)


def test_example_question_runs_on_click(page: Page) -> None:
    question = "Why does the US block chip exports to China?"
    page.get_by_role("button", name=question).click()
    expect(page.locator('#chat [data-testid="user"]').last).to_have_text(question)
    answer = page.locator('#chat [data-testid="bot"]').last
    expect(answer).to_contain_text("national security")
    expect(page.locator("#sources .cq-card").first).to_contain_text(SEED_TITLE)


def test_llm_answer_streams_then_keeps_only_verified_sentences(
    watched: Watched, live_app: LiveApp, scripted_llm: ScriptedLLM
) -> None:
    page = watched.page
    claim = "DeepSeek shows that China can build capable AI models more efficiently."
    hostile = "![x](http://attacker.example/q.png) <img src=x onerror=alert(1)>"
    scripted_llm.replies.append(f"{claim} [1][2][3][4][5][6] {hostile}")
    page.locator("#settings").get_by_role("button", name="Settings").click()
    page.locator("#answerer").get_by_role("radio", name="llm").check()
    answer = ask(page, "How important is DeepSeek?")
    expect(answer).to_have_text(f"{claim} [1]")
    expect(page.locator("#sources .cq-card").first).to_contain_text(SEED_TITLE)
    assert scripted_llm.requests[-1]["stream"] is True
    assert watched.dialogs == []
    assert all(url.startswith(live_app.origin + "/") for url in watched.requests)


def test_off_topic_question_abstains_with_related_passages(page: Page) -> None:
    answer = ask(page, "How do I make pizza dough?")
    expect(answer).to_contain_text("Not in the corpus.")
    expect(page.locator("#sources .cq-banner")).to_have_text("Not in the corpus")
    expect(page.locator("#sources .cq-card").first).to_be_visible()


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
    expect(answer).to_contain_text("[1]")
    expect(page.locator("#sources .cq-card").first).to_contain_text("Lunar fab notes")


def test_unreadable_upload_says_why_and_is_not_kept(
    page: Page, live_app: LiveApp, tmp_path: Path
) -> None:
    blank = tmp_path / "blank.md"
    blank.write_text("   \n", encoding="utf-8")
    expect(upload(page, blank)).to_contain_text("no text to index")
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
    sources = page.locator("#sources")
    expect(sources).to_contain_text("Harbour notes <img src=x onerror=alert(1)>")
    expect(sources).to_contain_text("<script>alert(2)</script>")
    page.wait_for_timeout(500)
    assert page.locator('img[src="x"], img[src*="attacker"], a[href^="javascript"]').count() == 0
    assert watched.dialogs == []
    foreign = [url for url in watched.requests if not url.startswith(live_app.origin + "/")]
    assert foreign == []
