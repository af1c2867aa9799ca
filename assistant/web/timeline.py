"""The Timeline tab: dated events oldest first, filterable by entity and topic; each shows
its claim type and links to its sentence, highlighted in its passage beside the list.

Everything taken from a document is HTML-escaped here. Event `k` links to `cq-tq-{k}`, the
`<mark>` around its sentence inside the card of its passage (`cq-tp-{chunk}`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import gradio as gr

from assistant.pipeline import Assistant
from assistant.provenance.dates import human_date
from assistant.provenance.timeline import Event, choices, events, matching
from assistant.uploads import Upload, uploads
from assistant.web.sources import CLAIM_TYPES

ALL_ENTITIES = "All entities"
ALL_TOPICS = "All topics"
MAX_EVENTS = 400  # shown at once; the filters narrow a larger timeline


def timeline_view(
    assistant: Assistant, entity: str | None, topic: str | None
) -> tuple[str, Any, Any]:
    """The timeline of what is indexed now, filtered, with the entity and topic choices."""
    pairs = list(assistant.store.load_chunks())
    found = events([chunk for chunk, _ in pairs], {doc.source: doc for _, doc in pairs})
    entities, topics = choices(found)
    entity = entity if entity in entities else None  # "All entities" (or a vanished name)
    topic = topic if topic in topics else None
    shown = timeline_html(matching(found, entity, topic), len(found), uploads(assistant.settings))
    return (
        shown,
        gr.Dropdown(choices=[ALL_ENTITIES, *entities], value=entity or ALL_ENTITIES),
        gr.Dropdown(choices=[ALL_TOPICS, *topics], value=topic or ALL_TOPICS),
    )


def timeline_html(found: Sequence[Event], total: int, uploads: Mapping[str, Upload]) -> str:
    """The events and, beside them, the passages they are quoted from."""
    shown = list(found[:MAX_EVENTS])
    if not shown:
        return '<p class="cq-hint">No dated events match these filters.</p>'
    count = (
        f"{len(found)} of {total} dated events" if len(found) < total else f"{total} dated events"
    )
    cut = (
        f", the first {MAX_EVENTS} shown: filter to see the rest" if len(found) > MAX_EVENTS else ""
    )
    items = "".join(_event(k, event, uploads) for k, event in enumerate(shown))
    return (
        f'<p class="cq-hint" role="status">{count}{cut}, oldest first.</p>'
        f'<div class="cq-tl"><ol class="cq-events" aria-label="Dated events">{items}</ol>'
        '<div class="cq-tl-passages" role="region" aria-label="Quoted passages" tabindex="0">'
        f"{_passages(shown, uploads)}</div></div>"
    )


def _event(k: int, event: Event, uploads: Mapping[str, Upload]) -> str:
    claim = CLAIM_TYPES.get(event.claim_type, event.claim_type)
    chip = f"{claim} · {event.claimant}" if event.claimant else claim
    badge = '<span class="cq-badge">uploaded</span> ' if event.doc.source in uploads else ""
    return (
        f'<li class="cq-event"><time datetime="{html.escape(event.when)}">'
        f"{html.escape(human_date(event.when))}</time> "
        f'<span class="cq-chip cq-chip-{html.escape(event.claim_type)}">{html.escape(chip)}</span>'
        f'<p class="cq-event-text">{html.escape(event.sentence.text)}</p>'
        f'<a class="cq-tl-ref" href="#cq-tq-{k}">{badge}Quoted from {html.escape(event.doc.title)}'
        "</a></li>"
    )


def _passages(shown: Sequence[Event], uploads: Mapping[str, Upload]) -> str:
    """One card per passage, each event's sentence marked with the id its link points to."""
    by_chunk: dict[str, list[tuple[int, Event]]] = {}
    for k, event in enumerate(shown):
        by_chunk.setdefault(event.chunk.id, []).append((k, event))
    return "".join(_card(marked, uploads) for marked in by_chunk.values())


def _card(marked: list[tuple[int, Event]], uploads: Mapping[str, Upload]) -> str:
    first = marked[0][1]
    chunk, doc = first.chunk, first.doc
    parts, cursor = [], chunk.start
    for k, event in sorted(marked, key=lambda pair: pair[1].sentence.start):
        sentence = event.sentence
        parts.append(html.escape(chunk.text[cursor - chunk.start : sentence.start - chunk.start]))
        parts.append(f'<mark id="cq-tq-{k}" tabindex="-1">{html.escape(sentence.text)}</mark>')
        cursor = sentence.end
    parts.append(html.escape(chunk.text[cursor - chunk.start :]))
    origin = f"uploaded {uploads[doc.source].name}" if doc.source in uploads else doc.source
    dated = str(doc.meta.get("as_of") or doc.meta.get("date") or "undated")
    meta = " · ".join(html.escape(p) for p in (origin, f"as of {dated}", chunk.section) if p)
    return (
        f'<article class="cq-card" id="cq-tp-{html.escape(chunk.id)}">'
        f'<span class="cq-title">{html.escape(doc.title)}</span>'
        f'<p class="cq-meta">{meta}</p><p class="cq-passage">{"".join(parts)}</p></article>'
    )
