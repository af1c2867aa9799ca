"""HTML for the sources of one answer: a card per cited passage, or related reading.

Everything taken from a document, an upload's metadata or a model is HTML-escaped here.
Answer `i`'s sources are the section `cq-a{i}`; the card quoting citation `n` is
`cq-a{i}-{m}`, where `m` is the first citation number on that card.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from assistant.types import Answer, Citation, Disagreement, Hit
from assistant.uploads import Upload

CONTEXT_CHARS = 240  # passage text shown on each side of the cited sentences
PREVIEW_CHARS = 80  # the same, on a marker's preview card
CLAMP_CHARS = 240  # longer text is shown a few lines high, with a "Show all" button
FOUND_CHARS = 320  # the start of each retrieved passage shown while the answer is written
INSTRUCTION_LABEL = "instruction in the document, not a claim; never followed"
CLAIM_TYPES = {
    "official": "official statement",
    "company": "company claim",
    "reported": "reported",
    "estimate": "estimate",
    "forecast": "forecast",
    "fact": "fact",
}


def section_id(number: int) -> str:
    """The id of answer `number`'s sources section."""
    return f"cq-a{number}"


def card_ids(citations: list[Citation], number: int) -> dict[int, str]:
    """Citation number → id of the card that shows its passage."""
    ids = {}
    for group in by_passage(citations):
        for citation in group:
            ids[citation.n] = f"{section_id(number)}-{group[0].n}"
    return ids


def by_passage(citations: list[Citation]) -> list[list[Citation]]:
    """Citations grouped by the passage they quote, in order of first citation."""
    groups: dict[tuple[str, int], list[Citation]] = {}
    for citation in citations:
        groups.setdefault((citation.source, citation.passage_start), []).append(citation)
    return list(groups.values())


def sources_section(answer: Answer, number: int, uploads: Mapping[str, Upload]) -> str:
    """Answer `number`'s sources: cited passages, or related reading when it abstained."""
    asked = asked_line(answer.question)
    if answer.abstained:
        head = (
            '<div class="cq-banner">Not in the corpus</div>'
            '<p class="cq-hint">No passage answers this question. Related reading: the '
            "closest passages, which are not evidence for any answer.</p>"
        )
        cards = "".join(_related_card(group, uploads) for group in by_passage(answer.related))
    else:
        as_of = answer.as_of
        dated = f" · as of {html.escape(str(as_of))}" if as_of else ""
        disagree = _disagreements(answer.disagreements, card_ids(answer.citations, number))
        head = f'<p class="cq-meta">Confidence {answer.confidence:.0%}{dated}</p>{disagree}'
        cards = "".join(
            _card(group, f"{section_id(number)}-{group[0].n}", uploads)
            for group in by_passage(answer.citations)
        )
    return (
        f'<section class="cq-answer" id="{section_id(number)}" '
        f'aria-label="Sources for answer {number}">{asked}{head}{cards}'
        f'<a class="cq-back" href="#cq-m{number}">Back to answer {number}</a></section>'
    )


def found_section(question: str, hits: list[Hit], uploads: Mapping[str, Upload]) -> str:
    """The passages retrieved for `question`, shown while its answer is being written."""
    cards = "".join(
        f'<article class="cq-card cq-related"><span class="cq-title">'
        f"{html.escape(hit.doc.title)}</span>"
        f'<p class="cq-meta">{_found_origin(hit, uploads)}</p>'
        f'<p class="cq-passage">{html.escape(_clip(hit.chunk.text, FOUND_CHARS))}</p></article>'
        for hit in hits
    )
    return (
        f'<section class="cq-answer cq-found" aria-label="Passages found">{asked_line(question)}'
        f'<p class="cq-hint" role="status">{len(hits)} passages found. The answer cites the '
        f"ones it uses; each cited sentence is then highlighted here.</p>{cards}</section>"
    )


def asked_line(question: str) -> str:
    """The "For “question”" line above a question's passages, clamped when long."""
    return f'<p class="cq-for">{clamped(f"For “{html.escape(question)}”", len(question))}</p>'


def clamped(shown: str, length: int) -> str:
    """`shown` (HTML of a text `length` characters long) as it is, or when long, clamped to
    a few lines with a button that shows it all (the page script toggles it)."""
    if length <= CLAMP_CHARS:
        return shown
    return (
        f'<span class="cq-clamp">{shown}</span>'
        '<button type="button" class="cq-more" aria-expanded="false">Show all</button>'
    )


def _found_origin(hit: Hit, uploads: Mapping[str, Upload]) -> str:
    """A retrieved passage's date, and the file name when it was uploaded."""
    upload = uploads.get(hit.doc.source)
    dated = str(hit.doc.meta.get("date", "undated"))
    return html.escape(f"uploaded file {upload.name} · {dated}" if upload else dated)


def is_uploaded(citation: Citation, uploads: Mapping[str, Upload]) -> bool:
    """Whether the citation quotes an uploaded document."""
    return citation.uploaded or citation.source in uploads


def cited(citation: Citation, uploads: Mapping[str, Upload]) -> str:
    """One line naming where citation's quote comes from, then the quote (plain text)."""
    if is_uploaded(citation, uploads):
        upload = uploads.get(citation.source)
        name = upload.name if upload else citation.source
        origin = f"uploaded file {name}, titled by the uploader “{citation.title}”"
    else:
        origin = citation.title
    return f"{origin} ({_dated(citation, uploads)}): “{citation.quote}”"


def preview(citation: Citation, uploads: Mapping[str, Upload], ids: tuple[str, str]) -> str:
    """The small card a `[n]` marker shows on hover, focus or tap (kept hidden here; the
    page script shows it): title, date, claim, the quote marked in its context, and a link
    to the passage's card in the Sources panel. `ids`: the preview's own and the card's."""
    uploaded = '<span class="cq-badge">uploaded</span> ' if is_uploaded(citation, uploads) else ""
    low, high = citation.start - citation.passage_start, citation.end - citation.passage_start
    begin, end = _paragraph(citation.passage, low, high, PREVIEW_CHARS)
    quote = (
        f"{'…' if begin else ''}{_plain(citation, begin, low)}"
        f"<mark>{_plain(citation, low, high)}</mark>{_plain(citation, high, end)}"
        f"{'…' if end < len(citation.passage) else ''}"
    )
    return (
        f'<div class="cq-preview" id="{ids[0]}" hidden><div>{uploaded}'
        f"{_title(citation, uploads)}</div>"
        f'<p class="cq-meta">{html.escape(_dated(citation, uploads))}</p>'
        f'{_claim_line(citation, numbered=False)}<p class="cq-passage">{quote}</p>'
        f'<a class="cq-go" href="#{ids[1]}">Show in Sources</a></div>'
    )


def _dated(citation: Citation, uploads: Mapping[str, Upload]) -> str:
    """The citation's document date; an upload's is said to be the uploader's."""
    undated = citation.date in ("", "undated")
    if undated or not is_uploaded(citation, uploads):
        return "undated" if undated else citation.date
    return f"dated {citation.date} by the uploader"


def _card(group: list[Citation], card_id: str, uploads: Mapping[str, Upload]) -> str:
    """One cited passage: numbers, title, provenance, and the quoted text highlighted."""
    numbers = "".join(f'<span class="cq-n">[{c.n}]</span>' for c in group)
    return (
        f'<article class="cq-card" id="{card_id}" tabindex="-1">'
        f"<div>{numbers} {_title(group[0], uploads)}</div>"
        f"{_provenance(group, uploads)}"
        f'<p class="cq-passage">{_highlight(group)}</p>{_listed(group[0], uploads)}</article>'
    )


def _related_card(group: list[Citation], uploads: Mapping[str, Upload]) -> str:
    """A passage shown as related reading: plain text, no numbers, nothing highlighted."""
    first = group[0]
    low, high = first.start - first.passage_start, first.end - first.passage_start
    begin, end = _paragraph(first.passage, low, high)
    return (
        f'<article class="cq-card cq-related">{_title(first, uploads)}'
        f"{_provenance([first], uploads)}"
        f'<p class="cq-passage">{"…" if begin else ""}{_plain(first, begin, end)}'
        f"{'…' if end < len(first.passage) else ''}</p></article>"
    )


def _title(citation: Citation, uploads: Mapping[str, Upload]) -> str:
    """A card's title; an upload's is quoted as the uploader's words."""
    title = html.escape(citation.title)
    if is_uploaded(citation, uploads):
        said = '<span class="cq-said">(the uploader’s title)</span>'
        return f'<span class="cq-title">“{title}”</span> {said}'
    return f'<span class="cq-title">{title}</span>'


def _plain(citation: Citation, low: int, high: int) -> str:
    """`citation.passage[low:high]` escaped, each instruction to the reader in it labelled."""
    passage, parts, cursor = citation.passage, [], low
    for start, end in citation.instructions:
        begin = max(start - citation.passage_start, cursor)
        stop = min(end - citation.passage_start, high)
        if begin < stop:
            parts += [html.escape(passage[cursor:begin]), _flagged(passage[begin:stop])]
            cursor = stop
    parts.append(html.escape(passage[cursor:high]))
    return "".join(parts)


def _flagged(text: str) -> str:
    return (
        f'<span class="cq-instruction"><span class="cq-flag">{INSTRUCTION_LABEL}</span> '
        f"{html.escape(text)}</span>"
    )


def _provenance(group: list[Citation], uploads: Mapping[str, Upload]) -> str:
    """Upload badge, each citation's claim type and date, section and page lines for a card."""
    citation = group[0]
    upload = uploads.get(citation.source)
    uploaded = is_uploaded(citation, uploads)
    when = f", uploaded {upload.uploaded:%Y-%m-%d %H:%M} UTC" if upload else ""
    badge = (
        f'<p class="cq-upload"><span class="cq-badge">uploaded</span> '
        f"{html.escape(upload.name if upload else citation.source)}{when}. {_vouched(citation)}</p>"
        if uploaded
        else ""
    )
    page = f"p. {citation.page}" if citation.page else ""
    dated = _dated(citation, uploads)
    meta = " · ".join(html.escape(p) for p in (dated, citation.section, page) if p)
    claims = "".join(_claim_line(c, numbered=len(group) > 1) for c in group)
    return f'{badge}{claims}<p class="cq-meta">{meta}</p>'


def _vouched(citation: Citation) -> str:
    """Who stands behind an upload: someone who trusted it, or the uploader alone."""
    if citation.trusted:
        return "Trusted as a source; its title, date and listed sources are the uploader’s."
    return "Its title, date, listed sources and claims are the uploader’s, not verified."


def _claim_line(citation: Citation, *, numbered: bool) -> str:
    """A citation's chip (claim type · claimant) and event date; with its number when its
    card shows several citations."""
    claim_type = str(citation.claim_type)
    claim, claimant = CLAIM_TYPES.get(claim_type, ""), citation.claimant
    chip = f"{claim} · {claimant}" if claim and claimant else claim
    event = citation.event_date
    line = (
        f'<span class="cq-chip cq-chip-{html.escape(claim_type)}">{html.escape(chip)}</span>'
        if chip
        else ""
    ) + (f" · event {html.escape(str(event))}" if event else "")
    if not line:
        return ""
    number = f'<span class="cq-n">[{citation.n}]</span> ' if numbered else ""
    return f'<p class="cq-claim">{number}{line}</p>'


def _listed(citation: Citation, uploads: Mapping[str, Upload]) -> str:
    if not citation.sources:
        return ""
    who = "Sources the uploader lists" if is_uploaded(citation, uploads) else "Sources listed"
    return f'<p class="cq-listed">{who}: {html.escape("; ".join(citation.sources))}</p>'


def _disagreements(disagreements: Sequence[Disagreement], cards: Mapping[int, str]) -> str:
    """Where the sources disagree, one line each (none: nothing); each `[n]` a link to the
    card quoting citation n."""
    if not disagreements:
        return ""
    lines = "".join(f"<li>{_describe(d, cards)}</li>" for d in disagreements)
    return f'<div class="cq-disagree"><strong>The sources disagree:</strong><ul>{lines}</ul></div>'


def _describe(disagreement: Disagreement, cards: Mapping[int, str]) -> str:
    """A disagreement as HTML: what it is about, then each value, who gives it and where."""
    values = "; ".join(
        f"{html.escape(v.value)} per {html.escape(v.claimant)} {_marker(v.citation, cards)}"
        for v in disagreement.values
    )
    return f"{html.escape(disagreement.about)}: {values}"


def _marker(n: int, cards: Mapping[int, str]) -> str:
    """`[n]`, a link to its card when there is one."""
    if n in cards:
        return f'<a class="cq-ref" href="#{cards[n]}">[{n}]</a>'
    return html.escape(f"[{n}]")


def _highlight(group: list[Citation]) -> str:
    """The paragraph around the cited spans, escaped, each span in <mark> with its number."""
    passage, offset = group[0].passage, group[0].passage_start
    spans = sorted((c.start - offset, c.end - offset, c.n) for c in group)
    begin, end = _paragraph(passage, spans[0][0], max(stop for _, stop, _ in spans))
    parts = ["…" if begin > 0 else ""]
    cursor = begin
    for start, stop, n in spans:
        start = max(start, cursor)
        parts.append(_plain(group[0], cursor, start))
        parts.append(f"<mark>{html.escape(passage[start:stop])}</mark><sup>{n}</sup>")
        cursor = max(cursor, stop)
    parts += [_plain(group[0], cursor, end), "…" if end < len(passage) else ""]
    return "".join(parts).strip()


def _paragraph(text: str, low: int, high: int, context: int = CONTEXT_CHARS) -> tuple[int, int]:
    """Bounds of the blank-line paragraph around text[low:high], at most `context` wider
    on each side and cut at a space."""
    begin = text.rfind("\n\n", 0, low)
    begin = 0 if begin < 0 else begin + 2
    end = text.find("\n\n", high)
    end = len(text) if end < 0 else end
    if low - begin > context:
        space = text.find(" ", low - context, low)
        begin = low if space < 0 else space + 1
    if end - high > context:
        space = text.rfind(" ", high, high + context)
        end = high if space < 0 else space
    return begin, end


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
