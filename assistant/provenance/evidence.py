"""Provenance on the way in and out: every sentence of a document is tagged once at ingest
(stored with its vector), and a citation takes the provenance of the sentences it quotes.

An uploaded document's claims are the uploader's report of them: each is `reported` (a
forecast stays a forecast) and its claimant is "the uploader", "citing" whom it names, so
an upload is never an official or company source by itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from assistant.provenance.dates import document_as_of
from assistant.provenance.lexicon import FACT, FORECAST, INSTRUCTION, REPORTED
from assistant.provenance.mentions import introductions
from assistant.provenance.tagger import previous_context, tag_sentence
from assistant.types import Chunk, Citation, Document, Provenance, Sentence

UPLOADER = "the uploader"


def tag_chunks(doc: Document, chunks: Sequence[Chunk]) -> list[Chunk]:
    """`chunks` with each sentence tagged in its document's context (the sentence before it,
    a list's lead-in, the front matter); a person's short name becomes the name and role the
    document introduced them with, and an upload's tags are the uploader's."""
    known = introductions(doc.text)
    return [
        replace(
            chunk,
            sentences=tuple(replace(s, provenance=_tag(doc, s, known)) for s in chunk.sentences),
        )
        for chunk in chunks
    ]


def _tag(doc: Document, sentence: Sentence, known: Mapping[str, str]) -> Provenance:
    tag = tag_sentence(sentence.text, previous_context(doc.text, sentence.start), doc.meta)
    if tag.claimant is not None and tag.claimant in known:
        tag = replace(tag, claimant=known[tag.claimant])
    return uploaders(tag) if doc.unverified else tag


def is_instruction(sentence: Sentence) -> bool:
    """Whether the sentence was tagged at ingest as addressing the reader, not claiming."""
    return sentence.provenance is not None and sentence.provenance.claim_type == INSTRUCTION


def instruction_spans(chunk: Chunk) -> tuple[tuple[int, int], ...]:
    """Where the chunk's instructions to the reader are (offsets into the document text)."""
    return tuple((s.start, s.end) for s in chunk.sentences if is_instruction(s))


def without_instructions(chunk: Chunk) -> str:
    """The chunk's text with its instructions to the reader cut out."""
    pieces, cursor = [], chunk.start
    for start, end in instruction_spans(chunk):
        pieces.append(chunk.text[cursor - chunk.start : start - chunk.start])
        cursor = end
    return "".join([*pieces, chunk.text[cursor - chunk.start :]])


def uploaders(tag: Provenance) -> Provenance:
    """A tag as an upload's: the uploader reports the claim, citing whom the text names."""
    if tag.claim_type == INSTRUCTION:
        return tag
    kind = FORECAST if tag.claim_type == FORECAST else REPORTED
    claimant = f"{UPLOADER}, citing {tag.claimant}" if tag.claimant else UPLOADER
    return Provenance(kind, claimant, tag.event_date)


def quoted_provenance(chunk: Chunk, start: int, end: int) -> Provenance | None:
    """Provenance of the quote `[start, end)`: the claim type and claimant of its first
    attributed sentence (else its first sentence), and the first event date it states."""
    tags = [
        s.provenance
        for s in chunk.sentences
        if s.provenance is not None and s.start < end and start < s.end
    ]
    if not tags:
        return None
    lead = next((t for t in tags if t.claim_type != FACT), tags[0])
    when = next((t.event_date for t in tags if t.event_date), None)
    return Provenance(lead.claim_type, lead.claimant, when)


def as_of_text(meta: Mapping[str, Any]) -> str | None:
    """A document's as-of date as YYYY-MM-DD, or None when it is undated."""
    found = document_as_of(meta)
    return found.isoformat() if found else None


def quoting(citations: Sequence[Citation], chunk_id: str, start: int) -> Citation | None:
    """The citation whose quote holds the sentence starting at `start` in chunk `chunk_id`."""
    return next((c for c in citations if c.chunk_id == chunk_id and c.start <= start < c.end), None)
