"""Chunking stage: structure-aware passages whose sentences keep exact offsets.

Rules: headings become section metadata; a line ending in ':' keeps the list that
follows it; a lone '-' line joins the item on the next line; a question line stays
with its answer; no chunk exceeds `max_tokens` of the embedder's tokenizer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.types import Chunk, Document, Sentence

TokenCounter = Callable[[Sequence[str]], list[int]]

# Part of every collection's name (`Settings.index_fingerprint`): bump it whenever a change
# here moves chunk boundaries or sentence offsets, or what is stored with each sentence
# changes (v2: its claim provenance), so old and new chunks never mix.
CHUNKER_VERSION = "chunker-v2"

MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
LONE_BULLET = re.compile(r"^\s*[-*•]\s*$")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "Mr.", "Ms.", "Dr.", "U.S.", "No.", "Inc.", "Co.", "St.")
SMALL_WORDS = {"a", "an", "the", "and", "or", "of", "in", "on", "to", "for", "as", "at", "by", "vs"}


@dataclass
class _Line:
    start: int
    end: int
    text: str  # stripped text of the line (without a bullet marker)
    kind: str  # heading | bullet | text


@dataclass
class _Block:
    """Lines that must stay together (a paragraph, a list with its intro, a Q&A)."""

    section: str
    lines: list[_Line]

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end


def chunk_document(doc: Document, count_tokens: TokenCounter, max_tokens: int) -> list[Chunk]:
    """Split `doc` into chunks of at most `max_tokens` tokens (section label included)."""
    lines = _lines(doc.text)
    blocks = _blocks(lines) or _as_text(lines, doc.text)
    pieces = [piece for block in blocks for piece in _fit(block, count_tokens, max_tokens)]
    groups = _pack(pieces, count_tokens, max_tokens)
    return [_make_chunk(doc, index, group) for index, group in enumerate(groups)]


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk, and what its token limit bounds: its section label, then
    its sentences."""
    return _labelled(chunk.section, chunk.sentences)


def _labelled(section: str, sentences: Sequence[Sentence]) -> str:
    text = " ".join(s.text for s in sentences)
    return f"{section}: {text}" if section else text


def split_sentences(text: str, offset: int) -> list[Sentence]:
    """Sentences of one line of text, with offsets shifted by `offset`."""
    sentences: list[Sentence] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        if text[: match.start()].endswith(ABBREVIATIONS):
            continue
        piece = text[start : match.start()].rstrip()
        if piece:
            sentences.append(Sentence(offset + start, offset + start + len(piece), piece))
        start = match.end()
    tail = text[start:].rstrip()
    if tail:
        sentences.append(Sentence(offset + start, offset + start + len(tail), tail))
    return sentences


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    pending_bullet = False
    for raw in text.split("\n"):
        start, pos = pos, pos + len(raw) + 1
        stripped = raw.strip()
        if not stripped:
            continue
        if LONE_BULLET.match(raw):
            pending_bullet = True
            continue
        lead = len(raw) - len(raw.lstrip())
        heading = MD_HEADING.match(raw)
        if heading:
            kind, body = "heading", heading.group(2)
        elif pending_bullet or BULLET.match(raw):
            marker = BULLET.match(raw)
            lead = marker.end() if marker else lead
            kind, body = "bullet", raw[lead:].strip()
        elif _looks_like_heading(stripped, lines):
            kind, body = "heading", stripped
        else:
            kind, body = "text", stripped
        pending_bullet = False
        if kind != "heading":
            start += raw.index(body, lead) if body else lead
            lines.append(_Line(start, start + len(body), body, kind))
        else:
            lines.append(_Line(start, start + len(stripped), body, kind))
    return lines


def _as_text(lines: list[_Line], text: str) -> list[_Block]:
    """A document of headings alone ('# Title', 'Hello', '1234') is indexed as its text."""
    found = []
    for line in lines:
        if line.text:
            start = text.index(line.text, line.start)
            found.append(_Line(start, start + len(line.text), line.text, "text"))
    return [_Block("", found)] if found else []


def _looks_like_heading(line: str, previous: list[_Line]) -> bool:
    """A short title-case line without closing punctuation, e.g. 'What It Means for the Future'."""
    words = line.split()
    if not words or len(words) > 10 or line[-1] in '.?!:;,"”)':
        return False
    if previous and previous[-1].text.endswith(":"):
        return False
    capitalised = sum(1 for w in words if w[0].isupper() or w[0].isdigit())
    significant = sum(1 for w in words if w.lower() not in SMALL_WORDS) or 1
    return capitalised >= max(1, 0.6 * significant) and capitalised >= 0.5 * len(words)


def _blocks(lines: list[_Line]) -> list[_Block]:
    blocks: list[_Block] = []
    section = ""
    for line in lines:
        if line.kind == "heading":
            section = line.text
            continue
        previous = blocks[-1] if blocks else None
        joins = (
            previous is not None
            and previous.section == section
            and (
                (
                    line.kind == "bullet"
                    and (
                        previous.lines[-1].kind == "bullet" or previous.lines[-1].text.endswith(":")
                    )
                )
                or (previous.lines[-1].text.endswith("?") and previous.lines[0].text.endswith("?"))
            )
        )
        if joins and previous is not None:
            previous.lines.append(line)
        else:
            blocks.append(_Block(section, [line]))
    return blocks


def _fit(block: _Block, count_tokens: TokenCounter, max_tokens: int) -> list[_Block]:
    """Split a block that is too long, at line and then sentence boundaries."""
    if _tokens(block, count_tokens) <= max_tokens:
        return [block]
    if len(block.lines) > 1:
        return _pack(
            [_Block(block.section, [line]) for line in block.lines],
            count_tokens,
            max_tokens,
            merge=True,
        )
    line = block.lines[0]
    sentences = split_sentences(line.text, line.start)
    if len(sentences) > 1:
        parts = [
            _Block(block.section, [_Line(s.start, s.end, s.text, line.kind)]) for s in sentences
        ]
        return _pack(parts, count_tokens, max_tokens, merge=True)
    return _cut_words(block, count_tokens, max_tokens)


def _cut_words(block: _Block, count_tokens: TokenCounter, max_tokens: int) -> list[_Block]:
    """Last resort for one enormous sentence: cut it at word boundaries."""
    line = block.lines[0]
    words = list(re.finditer(r"\S+", line.text))
    step = max(1, max_tokens // 3)  # a word is at most ~3 tokens in practice
    parts = []
    for i in range(0, len(words), step):
        first, last = words[i], words[min(i + step, len(words)) - 1]
        start, end = line.start + first.start(), line.start + last.end()
        parts.append(
            _Block(
                block.section, [_Line(start, end, line.text[first.start() : last.end()], line.kind)]
            )
        )
    return parts


def _pack(
    blocks: list[_Block], count_tokens: TokenCounter, max_tokens: int, merge: bool = False
) -> list[_Block]:
    """Greedily merge consecutive same-section blocks while they fit."""
    if not blocks:
        return []
    sizes = count_tokens([_embed_text(b) for b in blocks])
    groups: list[_Block] = []
    used = 0
    for block, size in zip(blocks, sizes, strict=True):
        last = groups[-1] if groups else None
        if last and last.section == block.section and used + size <= max_tokens:
            last.lines.extend(block.lines)
            used += size
        else:
            groups.append(_Block(block.section, list(block.lines)))
            used = size
    if merge:
        return groups
    return [piece for group in groups for piece in _fit_checked(group, count_tokens, max_tokens)]


def _fit_checked(group: _Block, count_tokens: TokenCounter, max_tokens: int) -> list[_Block]:
    """Sums of per-block counts can undercount a merged text by a token or two."""
    if _tokens(group, count_tokens) <= max_tokens or len(group.lines) == 1:
        return [group]
    half = len(group.lines) // 2
    halves = (_Block(group.section, group.lines[:half]), _Block(group.section, group.lines[half:]))
    return [p for h in halves for p in _fit_checked(h, count_tokens, max_tokens)]


def _embed_text(block: _Block) -> str:
    return _labelled(block.section, _sentences(block))


def _tokens(block: _Block, count_tokens: TokenCounter) -> int:
    return count_tokens([_embed_text(block)])[0]


def _sentences(block: _Block) -> list[Sentence]:
    """A list item is one sentence; other lines are split into theirs."""
    sentences: list[Sentence] = []
    for line in block.lines:
        if line.kind == "bullet":
            sentences.append(Sentence(line.start, line.end, line.text))
        else:
            sentences.extend(split_sentences(line.text, line.start))
    return sentences


def next_chunk_id(chunk: Chunk) -> str:
    """The id the passage after `chunk` in its document has, if there is one."""
    return f"{chunk.id.rsplit('-', 1)[0]}-{chunk.index + 1:04d}"


def _make_chunk(doc: Document, index: int, block: _Block) -> Chunk:
    sentences = _sentences(block)
    digest = hashlib.sha256(f"{doc.source}|{doc.sha256}".encode()).hexdigest()[:16]
    return Chunk(
        id=f"{digest}-{index:04d}",
        source=doc.source,
        index=index,
        start=block.start,
        end=block.end,
        text=doc.text[block.start : block.end],
        section=block.section,
        sentences=tuple(sentences),
        page=doc.page_at(block.start),
    )
