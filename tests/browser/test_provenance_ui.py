"""Who says so, as of when, where the sources disagree, and the timeline of dated events."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.actions import ask, serious_violations, shown_sources, upload

pytestmark = pytest.mark.browser

DATED = """---
title: Kestrel fab notes
as_of: 2026-10-01
topics: [Kestrel]
---
On 14 March 2026 Reuters reported that the Kestrel fab in Tartu began packaging AI chips.
"""


def open_timeline(page: Page) -> None:
    """Open the Timeline tab and wait for its events."""
    page.get_by_role("tab", name="Timeline").click()
    expect(page.locator("#timeline .cq-event").first).to_be_visible()


def test_sources_show_chips_as_of_and_where_outlets_disagree(page: Page, output_dir: Path) -> None:
    answer = ask(page, "How much market value did Nvidia lose on 27 January 2025?")
    expect(answer).to_contain_text("The sources disagree on Nvidia's loss on 27 January 2025")
    expect(answer).to_contain_text("Sources as of 1 November 2026.")
    sources = shown_sources(page)
    expect(sources.locator(".cq-meta").first).to_contain_text("as of 2026-11-01")
    block = sources.locator(".cq-disagree")
    expect(block).to_contain_text("The sources disagree:")
    for value in ("$589 billion per Forbes", "about $593 billion per Reuters", "per CNBC"):
        expect(block).to_contain_text(value)
    expect(sources.locator(".cq-chip-reported", has_text="reported · Forbes")).to_be_visible()
    block.scroll_into_view_if_needed()
    page.screenshot(path=output_dir / "provenance-sources.png")


def test_timeline_is_in_order_filters_and_links_to_the_quote(page: Page, output_dir: Path) -> None:
    open_timeline(page)
    times = page.locator("#timeline .cq-event time").evaluate_all(
        "items => items.map(t => t.getAttribute('datetime'))"
    )
    assert len(times) > 100 and times[0] < times[-1]
    page.screenshot(path=output_dir / "timeline.png")
    page.locator("#entity input").fill("SemiAnalysis")
    page.get_by_role("option", name="SemiAnalysis", exact=True).click()
    events = page.locator("#timeline .cq-event")
    expect(page.locator("#timeline .cq-hint")).to_contain_text(f" of {len(times)} dated events")
    for text in events.all_inner_texts():
        assert "SemiAnalysis" in text
    first = events.first
    expect(first.locator(".cq-chip")).to_have_text("estimate · SemiAnalysis")
    link = first.locator("a.cq-tl-ref")
    target = str(link.get_attribute("href")).removeprefix("#")
    link.click()
    quote = page.locator(f"[id='{target}']")
    expect(quote).to_be_in_viewport()
    expect(quote).to_have_text(first.locator(".cq-event-text").inner_text())
    assert page.evaluate("() => location.hash") == f"#{target}"
    page.screenshot(path=output_dir / "timeline-filtered-quote.png")


def test_an_upload_adds_its_events(page: Page, tmp_path: Path, output_dir: Path) -> None:
    path = tmp_path / "kestrel.md"
    path.write_text(DATED, encoding="utf-8")
    expect(upload(page, path)).to_contain_text("indexed")
    open_timeline(page)
    page.locator("#topic input").fill("Kestrel")
    page.get_by_role("option", name="Kestrel", exact=True).click()
    event = page.locator("#timeline .cq-event")
    expect(event).to_have_count(1)
    expect(event.locator("time")).to_have_text("14 March 2026")
    expect(event.locator(".cq-chip")).to_have_text("reported · the uploader, citing Reuters")
    expect(event).to_contain_text("uploaded")
    page.screenshot(path=output_dir / "timeline-upload.png")


def test_timeline_passes_axe(page: Page) -> None:
    open_timeline(page)
    assert serious_violations(page) == []


def test_phone_timeline_stacks_the_passages_under_the_events(phone: Page, output_dir: Path) -> None:
    open_timeline(phone)
    events, passages = phone.locator(".cq-events"), phone.locator(".cq-tl-passages")
    assert events.bounding_box()["y"] < passages.bounding_box()["y"]  # type: ignore[index]
    assert serious_violations(phone) == []
    phone.screenshot(path=output_dir / "phone-timeline.png")
