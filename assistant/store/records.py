"""Chroma records: how chunks, documents and sentences are written as metadata and read back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.types import Chunk, DocInfo, Document, Provenance, Sentence


def chunk_meta(doc: Document, chunk: Chunk, total: int, doc_meta: str) -> dict[str, Any]:
    spans = [offset for s in chunk.sentences for offset in (s.start, s.end)]
    meta: dict[str, Any] = {
        "source": doc.source,
        "title": doc.title,
        "sha256": doc.sha256,
        "doc_chunks": total,
        "doc_meta": doc_meta,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "section": chunk.section,
        "spans": spans,
        "text_hash": text_hash(chunk.text),
    }
    if chunk.page is not None:
        meta["page"] = chunk.page
    if doc.corpus is not None:
        meta["corpus"] = doc.corpus
    if doc.uploaded:
        meta["uploaded"] = True
    if doc.trusted:
        meta["trusted"] = True
    return meta


def text_hash(text: str) -> str:
    """A short hash of a chunk's text, stored with it and checked whenever it is read."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def text_intact(meta: Mapping[str, Any], text: str | None) -> bool | None:
    """Whether a stored chunk's text is the text it was indexed with (None: no hash stored,
    as in chunks indexed before hashes were kept)."""
    stored = meta.get("text_hash")
    return None if stored is None else stored == text_hash(text or "")


def doc_info(meta: dict[str, Any]) -> DocInfo:
    return DocInfo(
        source=str(meta["source"]),
        title=str(meta["title"]),
        sha256=str(meta["sha256"]),
        chunks=0,
        expected_chunks=int(meta["doc_chunks"]),
        meta=json.loads(meta["doc_meta"]),
        corpus=_text(meta.get("corpus")),
        uploaded=bool(meta.get("uploaded", False)),
        trusted=bool(meta.get("trusted", False)),
    )


def sentence_counts(chunk_ids: Sequence[str], metas: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """chunk id → how many sentences it has (its metadata holds a start and end for each)."""
    return {
        chunk_id: len(meta["spans"]) // 2 for chunk_id, meta in zip(chunk_ids, metas, strict=True)
    }


def tag_meta(sentence: Sentence) -> dict[str, str]:
    """A sentence's provenance as Chroma metadata (which holds no None values)."""
    tag = sentence.provenance
    if tag is None:
        return {}
    found = {"claim_type": tag.claim_type, "claimant": tag.claimant, "event_date": tag.event_date}
    return {key: value for key, value in found.items() if value is not None}


def provenance(meta: Mapping[str, Any]) -> Provenance | None:
    """A sentence's provenance read back from its metadata (None when it had none)."""
    if "claim_type" not in meta:
        return None
    return Provenance(
        str(meta["claim_type"]), _text(meta.get("claimant")), _text(meta.get("event_date"))
    )


def _text(value: object) -> str | None:
    """A metadata value as text; None stays None."""
    return None if value is None else str(value)


def chunk_from_row(
    chunk_id: str,
    meta: dict[str, Any],
    text: str,
    tags: Mapping[int, tuple[Provenance | None, Any]],
) -> Chunk:
    start = int(meta["start"])
    spans = [int(x) for x in meta["spans"]]
    sentences = tuple(
        Sentence(a, b, text[a - start : b - start], tags[i][0] if i in tags else None)
        for i, (a, b) in enumerate(zip(spans[::2], spans[1::2], strict=True))
    )
    return Chunk(
        id=chunk_id,
        source=str(meta["source"]),
        index=int(meta["index"]),
        start=start,
        end=int(meta["end"]),
        text=text,
        section=str(meta["section"]),
        sentences=sentences,
        page=meta.get("page"),
    )
