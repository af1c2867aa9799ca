"""HTML for the web UI: the conversation, the sources panel and the corpus tab's messages.

Everything taken from a document, an upload's metadata or a model is HTML-escaped here, so
markup inside a document is shown as text and never run or fetched. Answer `i` is the
message `cq-m{i}`; its `[n]` markers link to the cards of its sources section (see
`sources`), which the page's script shows and highlights. Bidi controls and other
invisible characters are taken out of everything shown (`neutral`), so a question, title
or file name cannot reverse or hide what is displayed.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence

from assistant.load import INVISIBLE
from assistant.types import Answer
from assistant.uploads import Upload
from assistant.web.sources import (
    by_passage,
    card_ids,
    cited,
    clamped,
    is_uploaded,
    preview,
    section_id,
)

MARKER = re.compile(r"\[(\d+)\]")
SEARCHING = "Searching the documents…"
UPLOADED_MARK = '<span class="cq-up">, uploaded</span>'  # on a marker citing an upload
STATUS_NUMBERS = itertools.count(1)
DOCUMENT_COLUMNS = ("Title", "Date", "Passages", "Origin", "Source")
INTRO = (
    '<p class="cq-empty"><strong>Ask about chip parity, export controls, Nvidia’s China '
    "chips, Huawei or DeepSeek</strong>, or pick an example question below.</p>"
)
SOURCES_INTRO = (
    '<p class="cq-hint">Each passage an answer cites appears here, with the quoted '
    "sentence highlighted. Click a <strong>[n]</strong> marker or an earlier answer to see "
    "its sources.</p>"
)


def conversation(messages: Sequence[str]) -> str:
    """The chat log: the messages so far, or a hint on how to start."""
    body = "\n".join(messages) if messages else INTRO
    return neutral(f'<div class="cq-log" role="log" aria-label="Conversation">{body}</div>')


def neutral(text: str) -> str:
    """`text` without bidi controls and other characters that draw nothing."""
    return INVISIBLE.sub("", text)


def user_message(question: str) -> str:
    """The user's question, escaped; a long one clamped to a few lines."""
    shown = clamped(_text(question), len(question))
    return f'<div class="cq-user"><span class="cq-sr">You asked: </span>{shown}</div>'


def pending_message(text: str, status: str = SEARCHING) -> str:
    """An answer still being written (plain text, no links yet); `status` until it starts."""
    shown = _text(text) if text else _text(status)
    return f'<article class="cq-bot" aria-busy="true"><div class="cq-text">{shown}</div></article>'


def info_message(text: str, kind: str = "info") -> str:
    """A one-line reply that is not an answer: `kind` is "info" or "error"."""
    return f'<article class="cq-bot cq-{kind}"><div class="cq-text">{_text(text)}</div></article>'


def answer_message(answer: Answer, number: int, uploads: Mapping[str, Upload]) -> str:
    """A finished answer: `[n]` markers link to their source cards and describe themselves
    with a preview card, then any note, a link to the sources (or to the related reading
    when the corpus has no answer) and a button that copies the answer with its sources."""
    previews = ""
    if answer.abstained:
        text = f"<strong>Not in the corpus.</strong> {_text(answer.text)}"
        jump = f"Related reading ({len(by_passage(answer.related))})"
        kind = " cq-abstain"
    else:
        text = _linked(answer, number, uploads)
        ids = card_ids(answer.citations, number)
        previews = "".join(
            preview(c, uploads, (_preview_id(number, c.n), ids[c.n])) for c in answer.citations
        )
        jump = _sources_link(len(by_passage(answer.citations)), len(answer.citations))
        kind = ""
    note = f'\n<p class="cq-note">Note: {_text(answer.notice)}</p>' if answer.notice else ""
    copied = html.escape(_copied(answer, uploads))
    return (
        f'<article class="cq-bot{kind}" id="cq-m{number}" aria-label="Answer {number}">\n'
        f'<div class="cq-text">{text}</div>{note}\n<div class="cq-tools">'
        f'<a class="cq-jump" href="#{section_id(number)}">{jump}</a>'
        f'<button type="button" class="cq-copy" data-copy="{copied}">Copy answer</button>'
        f"</div>{previews}</article>"
    )


def _sources_link(cards: int, citations: int) -> str:
    """The text of an answer's link to its sources: the cards it shows, and the citations
    when some card holds several."""
    if cards == citations:
        return f"Sources ({cards})"
    return f"Sources ({cards}): {citations} citations"


def _copied(answer: Answer, uploads: Mapping[str, Upload]) -> str:
    """What "Copy answer" copies: the answer, then its numbered sources with their quotes."""
    if answer.abstained or not answer.citations:
        return answer.text
    sources = "\n".join(f"[{c.n}] {cited(c, uploads)}" for c in answer.citations)
    return f"{answer.text}\n\nSources:\n{sources}"


def sources_panel(sections: Sequence[str], pending: bool = False, found: str = "") -> str:
    """The sources panel: every answer's section, the newest shown; while an answer is
    pending, the passages `found` for it (a note until they are)."""
    hidden = [s.replace("<section ", "<section hidden ", 1) for s in sections]
    shown = [*hidden[:-1], *sections[-1:]] if not pending else [*hidden, found]
    body = "".join(shown) or ("" if pending else SOURCES_INTRO)
    searching = f'<p class="cq-hint" role="status">{SEARCHING}</p>' if pending and not found else ""
    return neutral(f'<div class="cq-panel"><h2 class="cq-head">Sources</h2>{searching}{body}</div>')


def paragraph(text: str) -> str:
    """Plain text as one paragraph."""
    return f"<p>{_text(neutral(text))}</p>"


def inline_error(text: str) -> str:
    """A one-line problem shown next to the control it is about."""
    return f'<p class="cq-inline-error" role="alert">{_text(text)}</p>'


def status_list(lines: list[tuple[bool, str]]) -> str:
    """Per-file outcomes: successes plain, failures styled as errors. Each list is numbered,
    so the page shows it even when the page script replaced an identical earlier one."""
    items = "".join(
        f'<li class="{"cq-ok" if ok else "cq-bad"}">'
        f'<span aria-hidden="true">{"✓" if ok else "✕"}</span> {html.escape(neutral(line))}</li>'
        for ok, line in lines
    )
    if not items:
        return ""
    number = next(STATUS_NUMBERS)
    return f'<div role="status" data-n="{number}"><ul class="cq-status">{items}</ul></div>'


def documents_table(rows: Iterable[Sequence[str]]) -> str:
    """The indexed documents as a table, one row of `DOCUMENT_COLUMNS` each (on a phone
    each row is a block of labelled lines)."""
    head = "".join(f'<th role="columnheader" scope="col">{c}</th>' for c in DOCUMENT_COLUMNS)
    body = "".join(
        '<tr role="row">'
        + "".join(
            f'<td role="cell" data-label="{c}">{html.escape(neutral(v))}</td>'
            for c, v in zip(DOCUMENT_COLUMNS, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    if not body:
        return '<p class="cq-hint">No documents are indexed yet.</p>'
    return (
        '<div class="cq-docs" tabindex="0" role="region" aria-label="Indexed documents">'
        '<table role="table" aria-label="Indexed documents">'
        f'<thead><tr role="row">{head}</tr></thead><tbody>{body}</tbody></table></div>'
    )


def _linked(answer: Answer, number: int, uploads: Mapping[str, Upload]) -> str:
    """The answer text, escaped, each `[n]` a link to the card quoting citation n; a
    marker citing an uploaded document says so on itself."""
    ids = card_ids(answer.citations, number)
    uploaded = {c.n for c in answer.citations if is_uploaded(c, uploads)}

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in ids:
            return match.group(0)
        kind, mark = ("cq-ref cq-ref-up", UPLOADED_MARK) if n in uploaded else ("cq-ref", "")
        described = _preview_id(number, n)
        return f'<a class="{kind}" href="#{ids[n]}" aria-describedby="{described}">[{n}{mark}]</a>'

    return MARKER.sub(link, _text(answer.text))


def _preview_id(number: int, n: int) -> str:
    """The id of the preview card of answer `number`'s citation `n`."""
    return f"cq-m{number}-p{n}"


def _text(text: str) -> str:
    """Plain text as HTML: escaped, blank-line paragraphs kept as line breaks."""
    return html.escape(text).replace("\n", "<br>")
