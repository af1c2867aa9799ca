"""Provenance on the way in and out: every sentence of a document is tagged once at ingest
(stored with its vector), and a citation takes the provenance of the sentences it quotes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from assistant.provenance.dates import document_as_of
from assistant.provenance.lexicon import FACT
from assistant.provenance.tagger import previous_context, tag_sentence
from assistant.types import Chunk, Citation, Document, Provenance


def tag_chunks(doc: Document, chunks: Sequence[Chunk]) -> list[Chunk]:
    """`chunks` with each sentence tagged in its document's context (the sentence before it,
    a list's lead-in, the front matter)."""
    return [
        replace(
            chunk,
            sentences=tuple(
                replace(
                    s,
                    provenance=tag_sentence(s.text, previous_context(doc.text, s.start), doc.meta),
                )
                for s in chunk.sentences
            ),
        )
        for chunk in chunks
    ]


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
