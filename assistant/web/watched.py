"""The Watched tab: each watched question's latest answer, what changed since the run before
(both runs' quotes side by side) and its runs. Every ingest that changes the index (an
upload, a deletion) asks the watched questions again in the background."""

from __future__ import annotations

import html
import logging
import threading
from typing import Any

import gradio as gr

import assistant.web.render as render
from assistant.ingest import IngestReport
from assistant.keep.evidence import Evidence, KeptCitation, load
from assistant.keep.watch import (
    Run,
    Watch,
    add_watch,
    last_run,
    remove_watch,
    run_files,
    run_watched,
    watches,
)
from assistant.pipeline import Assistant
from assistant.web.handlers import Conversation, _explain

log = logging.getLogger(__name__)

NOTHING_WATCHED = (
    '<p class="cq-hint">No question is watched yet. Ask one in the Chat tab, then press '
    "<strong>Watch the last question</strong>: it is asked again after every change to the "
    "documents, and this tab shows what changed.</p>"
)


class Rewatcher:
    """Asks the watched questions again after an ingest, in a background thread; one run at
    a time, so a change made during a run is seen by the next."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.lock = threading.Lock()

    def __call__(self, report: IngestReport) -> None:
        """Start a run in the background (an `Assistant.after_ingest` hook)."""
        threading.Thread(target=self.run, daemon=True).start()

    def run(self) -> list[Run]:
        """Ask every watched question now; a failure is logged, never raised to the page."""
        with self.lock:
            try:
                return run_watched(self.assistant)
            except Exception as error:
                log.warning("watched questions were not asked again: %s", _explain(error))
                return []


def watched_view(assistant: Assistant) -> tuple[str, Any]:
    """The tab's view of every watched question, and the choices of the question picker."""
    known = watches(assistant.settings)
    cards = [_card(watch, last_run(assistant.settings, watch), assistant) for watch in known]
    choices = [(f"[{w.id}] {w.question}", w.id) for w in known]
    body = "".join(cards) or NOTHING_WATCHED
    return f'<div class="cq-watched">{body}</div>', gr.update(choices=choices, value=None)


def _card(watch: Watch, run: Run | None, assistant: Assistant) -> str:
    question = html.escape(watch.question)
    if run is None:
        return (
            f'<article class="cq-bot cq-watch" id="cq-w{watch.id}"><h3>{question}</h3>'
            '<p class="cq-hint">Not asked yet: it is asked after the next change to the '
            "documents, or press Run now.</p></article>"
        )
    change = run.change
    state = "first run" if change.first else "changed" if change.changed else "unchanged"
    kind = " cq-changed" if change.changed else ""
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in change.lines())
    diff = f'<ul class="cq-diff">{lines}</ul>' if lines else ""
    sides = _sides(run.previous, run.latest, change.added, change.removed) if run.previous else ""
    return (
        f'<article class="cq-bot cq-watch{kind}" id="cq-w{watch.id}" data-state="{state}">'
        f'<h3>{question} <span class="cq-badge">{state}</span></h3>'
        f'<div class="cq-text">{html.escape(run.latest.answer)}</div>{diff}{sides}'
        f"{_runs(assistant, watch)}</article>"
    )


def _sides(
    before: Evidence,
    after: Evidence,
    added: tuple[KeptCitation, ...],
    removed: tuple[KeptCitation, ...],
) -> str:
    """Both runs' quotes side by side: removed ones struck through, added ones marked."""
    old = "".join(_quote(c, "del" if c in removed else "") for c in before.citations)
    new = "".join(_quote(c, "ins" if c in added else "") for c in after.citations)
    return (
        '<table class="cq-sides"><thead><tr>'
        f"<th>Run before ({html.escape(before.asked_at)})</th>"
        f"<th>Latest run ({html.escape(after.asked_at)})</th>"
        f"</tr></thead><tbody><tr><td>{old or 'no citations'}</td>"
        f"<td>{new or 'no citations'}</td></tr></tbody></table>"
    )


def _quote(c: KeptCitation, mark: str) -> str:
    text = f"{html.escape(c.source)}: “{html.escape(' '.join(c.quote.split()))}”"
    return f"<p><{mark}>{text}</{mark}></p>" if mark else f"<p>{text}</p>"


def _runs(assistant: Assistant, watch: Watch) -> str:
    """Every run of the question, newest first."""
    runs = [load(path) for path in reversed(run_files(assistant.settings, watch))]
    items = "".join(
        f"<li>{html.escape(e.asked_at)}: "
        f"{'abstained' if e.abstained else f'answered with {len(e.citations)} citations'}</li>"
        for e in runs
    )
    return f"<details><summary>Runs ({len(runs)})</summary><ol>{items}</ol></details>"


def watched_tab(assistant: Assistant, chat: gr.State, tab: gr.Tab) -> None:
    """The tab's controls and view; hooks the background re-run onto every ingest."""
    rewatch = Rewatcher(assistant)
    assistant.after_ingest.append(rewatch)
    with gr.Row():
        add = gr.Button("Watch the last question", variant="primary", elem_id="watch-add")
        run = gr.Button("Run now", elem_id="watch-run")
        refresh = gr.Button("Refresh", elem_id="watch-refresh")
    with gr.Row(equal_height=True):
        picked = gr.Dropdown([], label="Watched question", scale=3, elem_id="watch-pick")
        remove = gr.Button("Stop watching", scale=1, elem_id="watch-remove")
    status = gr.HTML(js_on_load=None, elem_id="watch-status")
    view = gr.HTML(js_on_load=None, elem_id="watched")

    def said(ok: bool, line: str) -> tuple[str, str, Any]:
        return render.status_list([(ok, line)]), *watched_view(assistant)

    def added(conversation: Conversation) -> tuple[str, str, Any]:
        if not conversation.answers:
            return said(False, "Ask a question in the Chat tab first.")
        try:
            watch = add_watch(assistant.settings, conversation.answers[-1].question)
        except Exception as error:
            return said(False, _explain(error))
        return said(True, f"Watching “{watch.question}”.")

    def ran() -> tuple[str, str, Any]:
        runs = rewatch.run()
        changed = sum(r.change.changed for r in runs)
        return said(True, f"Asked {len(runs)} watched questions again; {changed} changed.")

    def removed(watch_id: str | None) -> tuple[str, str, Any]:
        if not watch_id:
            return said(False, "Pick a watched question.")
        try:
            watch = remove_watch(assistant.settings, watch_id)
        except Exception as error:
            return said(False, _explain(error))
        return said(True, f"No longer watching “{watch.question}”.")

    shown = [view, picked]
    gr.on(
        [tab.select, refresh.click],
        lambda: watched_view(assistant),
        outputs=shown,
        api_visibility="private",
    )
    add.click(added, chat, [status, *shown], api_visibility="private")
    run.click(ran, outputs=[status, *shown], api_visibility="private")
    remove.click(removed, picked, [status, *shown], api_visibility="private")
