"""HTML for the web UI: chat bubbles, the sources panel and upload status.

Everything taken from a document or a model is HTML-escaped here, so markup inside a
document is shown as text and never run or fetched.
"""

import html

from assistant.types import Answer, Citation

CONTEXT_CHARS = 240  # passage text shown on each side of the cited sentences
NOT_IN_CORPUS = "Not in the corpus."  # CSS below styles bubbles that start with it
INTRO_PANEL = (
    '<div class="cq-panel"><div class="cq-head">Sources</div>'
    '<p class="cq-hint">Each passage an answer cites appears here, with the quoted '
    "sentence highlighted.</p></div>"
)
SEARCHING_PANEL = (
    '<div class="cq-panel"><div class="cq-head">Sources</div>'
    '<p class="cq-hint">Searching the documents…</p></div>'
)
CSS = """
.cq-panel { font-size: 0.95rem; line-height: 1.45; }
.cq-head { font-weight: 600; font-size: 1.05rem; margin-bottom: 0.5rem; }
.cq-head span { font-weight: 400; font-size: 0.85rem; opacity: 0.7; margin-left: 0.5rem; }
.cq-hint { opacity: 0.75; margin: 0.25rem 0 0.75rem; }
.cq-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
           padding: 0.6rem 0.8rem; margin-bottom: 0.6rem;
           background: var(--background-fill-secondary); }
.cq-n { font-weight: 700; color: var(--color-accent); margin-right: 0.2rem; }
.cq-title { font-weight: 600; }
.cq-meta { font-size: 0.8rem; opacity: 0.7; margin: 0.1rem 0 0.35rem; }
.cq-passage { white-space: pre-line; margin: 0; }
.cq-passage mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 3px; }
.cq-passage sup { font-weight: 700; color: var(--color-accent); }
.cq-listed { font-size: 0.8rem; opacity: 0.75; margin-top: 0.35rem; }
.cq-banner { display: inline-block; font-weight: 700; color: #92400e; background: #fef3c7;
             border: 1px solid #f59e0b; border-radius: 6px; padding: 0.2rem 0.6rem; }
#chat [data-testid="bot"][aria-label^="bot's message: Not in the corpus."] {
    border-left: 4px solid #f59e0b; padding-left: 0.6rem; }
.cq-status li { margin: 0.15rem 0; }
"""


def bubble(text: str, answer: Answer | None) -> str:
    """A chat bubble's content: the answer text, or the abstention, then any notice.

    Plain text, escaped: the chatbot shows it as HTML without Markdown, so markup in a
    document or a model's output is displayed, not interpreted.
    """
    if answer is not None and answer.abstained:
        text = f"{NOT_IN_CORPUS} {answer.text}\nThe closest passages are shown under Sources."
    if answer is not None and answer.notice:
        text += f"\n\nNote: {answer.notice}"
    return html.escape(text, quote=False)


def sources_html(answer: Answer) -> str:
    """The sources panel: one card per cited passage (related passages when abstaining)."""
    if answer.abstained:
        head = (
            '<div class="cq-banner">Not in the corpus</div>'
            '<p class="cq-hint">No passage answers this question. The closest ones:</p>'
        )
        cited = answer.related
    else:
        head = f'<div class="cq-head">Sources <span>confidence {answer.confidence:.0%}</span></div>'
        cited = answer.citations
    cards = "".join(_card(group) for group in _by_passage(cited))
    return f'<div class="cq-panel">{head}{cards}</div>'


def _by_passage(citations: list[Citation]) -> list[list[Citation]]:
    """Citations grouped by the passage they quote, in order of first citation."""
    groups: dict[tuple[str, int], list[Citation]] = {}
    for citation in citations:
        groups.setdefault((citation.source, citation.passage_start), []).append(citation)
    return list(groups.values())


def _card(group: list[Citation]) -> str:
    """One passage: its numbers, title, date, section, and the quoted text highlighted."""
    first = group[0]
    numbers = "".join(f'<span class="cq-n">[{c.n}]</span>' for c in group)
    page = f"p. {first.page}" if first.page else ""
    meta = " · ".join(html.escape(part) for part in (first.date, first.section, page) if part)
    listed = (
        f'<div class="cq-listed">Sources listed: {html.escape("; ".join(first.sources))}</div>'
        if first.sources
        else ""
    )
    return (
        f'<div class="cq-card" title="{html.escape(first.source)}">'
        f'<div>{numbers} <span class="cq-title">{html.escape(first.title)}</span></div>'
        f'<div class="cq-meta">{meta}</div>'
        f'<p class="cq-passage">{_highlight(group)}</p>{listed}</div>'
    )


def _highlight(group: list[Citation]) -> str:
    """The paragraph around the cited spans, escaped, each span in <mark> with its number."""
    passage, offset = group[0].passage, group[0].passage_start
    spans = sorted((c.start - offset, c.end - offset, c.n) for c in group)
    begin, end = _paragraph(passage, spans[0][0], max(stop for _, stop, _ in spans))
    parts = ["…" if begin > 0 else ""]
    cursor = begin
    for start, stop, n in spans:
        start = max(start, cursor)
        parts.append(html.escape(passage[cursor:start]))
        parts.append(f"<mark>{html.escape(passage[start:stop])}</mark><sup>{n}</sup>")
        cursor = max(cursor, stop)
    parts += [html.escape(passage[cursor:end]), "…" if end < len(passage) else ""]
    return "".join(parts).strip()


def _paragraph(text: str, low: int, high: int) -> tuple[int, int]:
    """Bounds of the blank-line paragraph around text[low:high], at most CONTEXT_CHARS wider
    on each side and cut at a space."""
    begin = text.rfind("\n\n", 0, low)
    begin = 0 if begin < 0 else begin + 2
    end = text.find("\n\n", high)
    end = len(text) if end < 0 else end
    if low - begin > CONTEXT_CHARS:
        space = text.find(" ", low - CONTEXT_CHARS, low)
        begin = low if space < 0 else space + 1
    if end - high > CONTEXT_CHARS:
        space = text.rfind(" ", high, high + CONTEXT_CHARS)
        end = high if space < 0 else space
    return begin, end


def status_html(lines: list[str]) -> str:
    """An upload's outcome lines as an escaped list."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f'<ul class="cq-status">{items}</ul>' if items else ""
