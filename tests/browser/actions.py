"""What a user does in the app, as steps the browser tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from assistant.web.render import neutral

FADES_DONE = """() => Promise.all(document.getAnimations()
  .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
  .map(a => a.finished))"""


HANG_MS = 300_000  # only a stuck app takes this long: a wait ends with its event
# Watches the upload status from before the files are set: the upload is over once Gradio's
# progress tracker in it has shown and hidden again and no component is pending, or at once
# when the page script refused a file (too large) and no request was made.
UPLOAD_WATCH = """() => {
  const status = document.querySelector('#upload-status');
  const state = window.cqUpload = {done: false};
  let started = false;
  const observer = new MutationObserver(() => {
    const tracker = status.querySelector('.wrap');
    const busy = tracker !== null && !tracker.classList.contains('hide');
    started = started || busy;
    const refused = !started && status.querySelector('.cq-bad') !== null;
    if (refused || (started && !busy && document.querySelector('.pending') === null)) {
      state.done = true;
      observer.disconnect();
    }
  });
  observer.observe(document.body, {attributes: true, childList: true, subtree: true});
}"""


def ask(page: Page, question: str) -> Locator:
    """Ask `question` in the chat; return its answer once it is complete."""
    answers = page.locator("#chat .cq-bot")
    before = answers.count()
    page.get_by_role("textbox", name="Your question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()
    answer = answers.nth(before)
    expect(answer).to_be_visible()
    expect(answer).not_to_have_attribute("aria-busy", "true")
    return answer


def upload(page: Page, *paths: Path) -> Locator:
    """Upload `paths` in the Corpus tab; return the upload status once this upload is over:
    its event has run and every update it made is in the page, or the page refused the files
    before sending them. The status of an earlier upload never counts, however long the
    upload takes."""
    page.get_by_role("tab", name="Corpus").click()
    page.evaluate(UPLOAD_WATCH)
    page.locator("#upload input[type=file]").set_input_files(list(paths))
    page.wait_for_function("() => window.cqUpload.done", timeout=HANG_MS)
    status = page.locator("#upload-status")
    for path in paths:
        expect(status).to_contain_text(neutral(path.name))
    return status


def shown_sources(page: Page) -> Locator:
    """The sources section currently shown."""
    return page.locator("#sources .cq-answer:visible")


def serious_violations(page: Page, *, settled: bool = True) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings once no update is pending and every fade
    has finished (Gradio dims components while they wait); with `settled=False`, as the
    page is now (an upload being indexed)."""
    if settled:
        expect(page.locator(".pending")).to_have_count(0)
        page.evaluate(FADES_DONE)
    results = Axe().run(page)
    found = results.response["violations"]
    return [
        {"id": v["id"], "nodes": [(n["target"], n["failureSummary"]) for n in v["nodes"]]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def document_row(page: Page, title: str) -> Locator:
    """The Corpus tab's table row of the document titled `title` (rows render in view)."""
    table = page.locator("#documents")
    table.scroll_into_view_if_needed()
    return table.get_by_role("row").filter(has_text=title)
