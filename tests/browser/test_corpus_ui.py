"""The Corpus tab a daily user keeps open: a table readable at desktop and phone sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import LiveApp
from playwright.sync_api import Browser, Page, expect

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
