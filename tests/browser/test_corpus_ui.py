"""The Corpus tab a daily user keeps open: a table readable at desktop and phone sizes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import LiveApp
from playwright.sync_api import Browser, Locator, Page, expect

from browser.actions import serious_violations
from browser.conftest import PHONE

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
SEED_SOURCE = "000_cb4bb78572b81c0a.txt"


def _corpus_tab(browser: Browser, live_app: LiveApp, phone: bool) -> Page:
    """The Corpus tab on a fresh page at laptop or phone size."""
    viewport = PHONE if phone else LAPTOP
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.goto(live_app.url)
    page.get_by_role("tab", name="Corpus").click()
    expect(page.locator("#documents")).to_contain_text(SEED_SOURCE)
    return page


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_documents_table_is_readable(
    browser: Browser, live_app: LiveApp, output_dir: Path, phone: bool
) -> None:
    page = _corpus_tab(browser, live_app, phone)
    table = page.locator("#documents .cq-docs")
    row = page.locator("#documents tr", has_text=SEED_SOURCE)
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth")  # nothing cut off at the side
    for cell in row.locator("td").all():
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
        assert "mono" not in cell.evaluate("e => getComputedStyle(e).fontFamily")
    if not phone:
        for header in page.locator("#documents th").all():
            lines = header.evaluate(
                "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"
            )
            assert lines < 2, header.text_content()  # one line: no word broken in two
    else:
        expect(row.locator("td").last).to_have_attribute("data-label", "Source")
    size = "phone" if phone else "laptop"
    page.screenshot(path=output_dir / f"corpus-table-{size}.png", full_page=True)
    assert serious_violations(page) == []
    page.context.close()


def _big_upload(folder: Path) -> Path:
    """A Markdown file of 6,000 sentences: embedding it takes a while."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"The Tarn fab number {i} in Oulu etches {i * 7} wafers a week." for i in range(6000)]
    path = folder / "tarn-fabs.md"
    path.write_text("---\ntitle: Tarn fab census\n---\n" + "\n\n".join(lines), encoding="utf-8")
    return path


def _indexing(page: Page, folder: Path) -> Locator:
    """Start uploading the big file in the Corpus tab; the upload status once the
    embedding shows its progress."""
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#upload input[type=file]").set_input_files([_big_upload(folder)])
    status = page.locator("#upload-status")
    expect(status).to_contain_text(
        re.compile(r"[\d,]+ of [\d,]+ passages and sentences embedded \(1 file\); at least .* left")
    )
    return status


def test_upload_in_progress_keeps_the_tab_usable_queues_and_cancels(
    page: Page, live_app: LiveApp, tmp_path: Path, output_dir: Path
) -> None:
    status = _indexing(page, tmp_path / "big")
    expect(page.locator("#documents")).to_contain_text(SEED_SOURCE)
    expect(page.locator("#documents .wrap:not(.hide)")).to_have_count(0)  # no spinner on it
    expect(page.get_by_role("button", name="Delete…")).to_be_enabled()
    page.screenshot(path=output_dir / "upload-in-progress.png", full_page=True)
    assert serious_violations(page, settled=False) == []
    small = tmp_path / "tarn-note.md"
    small.write_text("The Tarn note says the Oulu fabs share one wafer line.\n", encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files([small])
    expect(page.locator("#upload-queued")).to_have_text(
        "Queued: tarn-note.md: indexed when the upload in progress is done."
    )
    page.screenshot(path=output_dir / "upload-queued.png", full_page=True)
    page.get_by_role("button", name="Cancel upload").click()
    expect(status).to_contain_text("tarn-note.md: indexed", timeout=120_000)
    uploads = live_app.corpus_dir / "uploads"
    assert not (uploads / "tarn-fabs.md").exists() and (uploads / "tarn-note.md").exists()
    sources = {d.source for d in live_app.assistant.documents()}
    assert "uploads/tarn-note.md" in sources and "uploads/tarn-fabs.md" not in sources
    expect(page.locator("#documents")).not_to_contain_text("Tarn fab census")
    expect(page.get_by_role("button", name="Cancel upload")).to_be_hidden()


def test_phone_upload_shows_progress_and_cancels(
    phone: Page, live_app: LiveApp, tmp_path: Path, output_dir: Path
) -> None:
    status = _indexing(phone, tmp_path)
    phone.screenshot(path=output_dir / "phone-upload-in-progress.png", full_page=True)
    assert serious_violations(phone, settled=False) == []
    phone.get_by_role("button", name="Cancel upload").click()
    expect(status).to_contain_text("Upload cancelled: none of its files were kept")
    assert not (live_app.corpus_dir / "uploads" / "tarn-fabs.md").exists()
