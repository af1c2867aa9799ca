"""Keeping answers in the browser: the downloaded evidence file verifies, 👎 on a source
writes a feedback item, and the Watched tab shows what an upload changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import LiveApp, run_main
from playwright.sync_api import Page, expect

from assistant.evaluation.gold import load_gold
from assistant.keep.feedback import feedback_path
from browser.actions import ask, upload

pytestmark = pytest.mark.browser

QUESTION = "How important is DeepSeek?"
PELLWORM = "The Pellworm fab on the North Sea coast ships 3,000 photonic wafers a week.\n"
PELLWORM_QUESTION = "How many photonic wafers does the Pellworm fab ship?"


def _use_app_store(app: LiveApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPQA_CORPUS_DIR", str(app.corpus_dir))
    monkeypatch.setenv("CHIPQA_DATA_DIR", str(app.assistant.settings.data_dir))


def test_downloaded_evidence_is_accepted_by_verify(
    page: Page,
    live_app: LiveApp,
    tmp_path: Path,
    output_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ask(page, QUESTION)
    expect(page.locator("#keep-answer input")).to_have_value(f"1. {QUESTION}")
    with page.expect_download() as started:
        page.locator("#download").click()
    path = tmp_path / "kept.json"
    started.value.save_as(path)
    assert started.value.suggested_filename == "chipqa-answer-1.json"
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert kept["question"] == QUESTION and kept["citations"]
    page.screenshot(path=output_dir / "keep-download.png", full_page=True)
    _use_app_store(live_app, monkeypatch)
    run = run_main(["verify", str(path)], monkeypatch, capsys)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count(" holds ") == len(kept["citations"])


def test_marking_a_source_wrong_writes_a_feedback_item(
    page: Page, live_app: LiveApp, output_dir: Path
) -> None:
    answer = live_app.assistant.ask(QUESTION)
    ask(page, QUESTION)
    page.locator("#wrong input").click()
    page.get_by_role("option").first.click()
    page.locator("#wrong-mark").click()
    status = page.locator("#keep-status")
    expect(status).to_contain_text("Answer 1: source [1] marked as not saying it; kept as test")
    page.screenshot(path=output_dir / "keep-source-wrong.png", full_page=True)
    item = load_gold(feedback_path(live_app.assistant.settings))[-1]
    assert (item.question, item.verdict) == (QUESTION, "bad")
    assert [e.quote for e in item.wrong] == [answer.citations[0].quote]
    page.locator("#bad").click()
    expect(status).to_contain_text("Answer 1: marked bad")
    assert load_gold(feedback_path(live_app.assistant.settings))[-1].wrong == []


def test_watched_tab_shows_what_an_upload_changed(
    page: Page, live_app: LiveApp, tmp_path: Path, output_dir: Path
) -> None:
    ask(page, PELLWORM_QUESTION)
    page.get_by_role("tab", name="Watched").click()
    page.locator("#watch-add").click()
    expect(page.locator("#watch-status")).to_contain_text(f"Watching “{PELLWORM_QUESTION}”")
    page.locator("#watch-run").click()
    card = page.locator("#watched .cq-watch").filter(has_text=PELLWORM_QUESTION)
    expect(card).to_have_attribute("data-state", "first run")

    path = tmp_path / "pellworm.md"
    path.write_text(PELLWORM, encoding="utf-8")
    expect(upload(page, path)).to_contain_text("indexed")
    page.get_by_role("tab", name="Watched").click()
    for _ in range(60):  # the upload's re-run goes on in the background
        if card.get_attribute("data-state") == "changed":
            break
        page.locator("#watch-refresh").click()
        page.wait_for_timeout(500)
    expect(card).to_have_attribute("data-state", "changed")
    expect(card.locator(".cq-diff")).to_contain_text("+ cites uploads/pellworm.md: “The Pellworm")
    expect(card.locator(".cq-diff")).to_contain_text("abstained → answered")
    expect(card.locator(".cq-sides ins")).to_contain_text("3,000 photonic wafers")
    card.scroll_into_view_if_needed()
    page.screenshot(path=output_dir / "watched-diff.png", full_page=True)

    page.locator("#watch-pick input").click()
    page.get_by_role("option", name=PELLWORM_QUESTION, exact=False).click()
    page.locator("#watch-remove").click()
    expect(page.locator("#watch-status")).to_contain_text("No longer watching")
    expect(card).to_have_count(0)
