"""Uploads you can trust: marked wherever they are cited, never overwritten, deletable,
refused with a reason, and off when the server is open to others without a login."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import LiveApp
from playwright.sync_api import Page, expect

from browser.actions import ask, document_row, serious_violations, shown_sources, upload

pytestmark = pytest.mark.browser

CLAIMING = """---
title: BIS press release
as_of: 2026-01-01
sources: ["Bureau of Industry and Security"]
---
The Orrin fab in Tallinn packages 40,000 AI accelerators a month for export to Chile.
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_uploaded_document_is_cited_as_the_uploaders(
    page: Page, tmp_path: Path, output_dir: Path
) -> None:
    expect(upload(page, _write(tmp_path, "orrin.md", CLAIMING))).to_contain_text("indexed")
    expect(document_row(page, "BIS press release")).to_contain_text("uploaded")
    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, "How many accelerators does the Orrin fab package?")
    marker = answer.locator("a.cq-ref").first
    expect(marker).to_have_text("[1, uploaded]")
    expect(marker.locator(".cq-up")).to_be_visible()
    marker.hover()
    preview = page.locator("#cq-preview")
    expect(preview.locator(".cq-badge")).to_have_text("uploaded")
    expect(preview.locator(".cq-title")).to_have_text("“BIS press release”")
    expect(preview.locator(".cq-meta")).to_have_text("dated 2026-01-01 by the uploader")
    expect(preview.locator("mark")).to_contain_text("The Orrin fab")
    card = shown_sources(page).locator(".cq-card").first
    expect(card.locator(".cq-title")).to_have_text("“BIS press release”")
    expect(card).to_contain_text("(the uploader’s title)")
    expect(card.locator(".cq-chip")).to_have_text("reported · the uploader")
    expect(card.locator(".cq-badge")).to_have_text("uploaded")
    expect(card).to_contain_text("orrin.md, uploaded")
    expect(card).to_contain_text("the uploader’s, not verified")
    expect(card).to_contain_text("dated 2026-01-01 by the uploader")
    expect(card).to_contain_text("Sources the uploader lists: Bureau of Industry and Security")
    page.screenshot(path=output_dir / "uploaded-citation.png", full_page=True)


def test_same_name_keeps_both_and_says_so(
    page: Page, live_app: LiveApp, tmp_path: Path, output_dir: Path
) -> None:
    first = _write(tmp_path / "a", "zeta 9.md", "The Zeta fab in Tartu opened in 2029.\n")
    second = _write(tmp_path / "b", "zeta_9.md", "The Zeta fab in Tartu closed in 2031.\n")
    expect(upload(page, first)).to_contain_text("zeta 9.md: indexed as zeta_9.md")
    status = upload(page, second)
    expect(status).to_contain_text(
        "zeta_9.md: indexed as zeta_9-2.md (a different zeta_9.md was uploaded before)"
    )
    page.screenshot(path=output_dir / "upload-same-name.png", full_page=True)
    expect(upload(page, first)).to_contain_text("zeta 9.md: already uploaded as zeta_9.md")
    folder = live_app.corpus_dir / "uploads"
    assert (folder / "zeta_9.md").read_text(encoding="utf-8").endswith("opened in 2029.\n")
    assert (folder / "zeta_9-2.md").read_text(encoding="utf-8").endswith("closed in 2031.\n")


def test_rejection_replaces_the_last_status_and_looks_like_an_error(
    page: Page, tmp_path: Path, output_dir: Path
) -> None:
    good = _write(tmp_path, "kappa.md", "The Kappa fab in Oulu tests 2 nm wafers.\n")
    expect(upload(page, good).locator(".cq-ok")).to_contain_text("kappa.md: indexed")
    table = _write(tmp_path, "table.csv", "fab,node\nKappa,2\n")
    status = upload(page, table)
    expect(status.locator("li")).to_have_count(1)
    bad = status.locator(".cq-bad")
    expect(bad).to_have_text("✕ table.csv: not accepted: upload .txt, .md, .html, .htm, .pdf files")
    assert bad.evaluate("e => getComputedStyle(e).color") == "rgb(185, 28, 28)"
    page.screenshot(path=output_dir / "upload-rejected.png", full_page=True)


def test_oversized_file_replaces_the_last_status(page: Page, tmp_path: Path) -> None:
    good = _write(tmp_path, "lambda.md", "The Lambda fab in Espoo dices 2 nm wafers.\n")
    upload(page, good)
    again = "lambda.md: already uploaded as lambda.md"
    expect(upload(page, good).locator(".cq-ok")).to_have_text(f"✓ {again}")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"chips " * (21 * 1024 * 1024 // 6))
    status = upload(page, huge)
    expect(status.locator("li")).to_have_count(1)
    expect(status.locator(".cq-bad")).to_have_text("✕ huge.txt: larger than the 20 MB limit")
    expect(upload(page, good).locator(".cq-ok")).to_have_text(f"✓ {again}")


def test_delete_asks_first_and_the_index_follows(
    page: Page, live_app: LiveApp, tmp_path: Path, output_dir: Path
) -> None:
    doc = "---\ntitle: Vesta fab memo\n---\nThe Vesta fab in Lahti bonds 12-high HBM stacks.\n"
    upload(page, _write(tmp_path, "vesta.md", doc))
    page.get_by_role("tab", name="Chat").click()
    question = "How high are the HBM stacks the Vesta fab bonds?"
    expect(ask(page, question)).to_contain_text("12-high")
    page.get_by_role("tab", name="Corpus").click()
    page.get_by_label("Uploaded document").click()
    page.get_by_role("option", name="Vesta fab memo (vesta.md)").click()
    page.get_by_role("button", name="Delete…").click()
    confirm = page.locator("#confirm")
    expect(confirm).to_contain_text("Delete “Vesta fab memo”?")
    assert serious_violations(page) == []
    page.screenshot(path=output_dir / "delete-confirm.png", full_page=True)
    page.get_by_role("button", name="Keep it").click()
    expect(confirm).to_be_hidden()
    assert (live_app.corpus_dir / "uploads" / "vesta.md").exists()
    page.get_by_role("button", name="Delete…").click()
    page.get_by_role("button", name="Delete it").click()
    expect(page.locator("#upload-status")).to_contain_text("vesta.md: deleted")
    expect(page.locator("#documents")).not_to_contain_text("Vesta fab memo")
    assert not (live_app.corpus_dir / "uploads" / "vesta.md").exists()
    page.get_by_role("tab", name="Chat").click()
    ask(page, question)
    expect(shown_sources(page)).not_to_contain_text("Vesta fab memo")


def test_trust_is_switched_per_upload_and_recorded(
    page: Page, live_app: LiveApp, tmp_path: Path, output_dir: Path
) -> None:
    doc = "---\ntitle: Lyra fab memo\n---\nReuters said the Lyra fab in Pori dices 9 nm dies.\n"
    expect(upload(page, _write(tmp_path, "lyra.md", doc))).to_contain_text("indexed")
    switch = page.get_by_label("Trust it as a source")
    expect(switch).to_be_disabled()
    page.get_by_label("Uploaded document").click()
    page.get_by_role("option", name="Lyra fab memo (lyra.md)").click()
    expect(switch).to_be_enabled()
    expect(switch).not_to_be_checked()
    switch.check()
    expect(page.locator("#upload-status")).to_contain_text("lyra.md: trusted")
    expect(document_row(page, "Lyra fab memo")).to_contain_text("trusted by the operator")
    assert serious_violations(page) == []
    page.screenshot(path=output_dir / "upload-trusted.png", full_page=True)
    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, "What does the Lyra fab in Pori dice?")
    expect(answer.locator("a.cq-ref").first).to_have_text("[1, uploaded]")
    card = shown_sources(page).locator(".cq-card").first
    expect(card).to_contain_text("Trusted as a source")
    expect(card.locator(".cq-chip")).to_have_text("reported · Reuters")
    page.get_by_role("tab", name="Corpus").click()
    switch.uncheck()
    expect(page.locator("#upload-status")).to_contain_text("lyra.md: not trusted")


def test_open_server_without_login_is_read_only(
    page: Page, read_only_app: LiveApp, output_dir: Path
) -> None:
    page.goto(read_only_app.url)
    expect(ask(page, "How important is DeepSeek?")).to_contain_text("DeepSeek")
    page.get_by_role("tab", name="Corpus").click()
    expect(page.locator("#read-only")).to_contain_text("Uploads are turned off")
    expect(page.locator("#corpus-summary")).to_contain_text("documents")
    expect(page.locator("#upload")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete…")).to_have_count(0)
    page.screenshot(path=output_dir / "read-only.png", full_page=True)
