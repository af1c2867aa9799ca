"""Checking an evidence file against the documents indexed now, with no model loaded.

Each citation `holds` (its quote is still at its offsets), has `moved` (the document
changed, the quote is still in it elsewhere), is `changed` (the document no longer says
it) or `gone` (the document is no longer indexed). Holding and moved quotes still stand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.keep.evidence import Evidence, EvidenceError, KeptCitation
from assistant.store.base import Store
from assistant.types import Chunk, DocInfo

Status = Literal["holds", "moved", "changed", "gone"]
STANDING: frozenset[Status] = frozenset({"holds", "moved"})


@dataclass(frozen=True)
class Check:
    """What became of one citation: its status, and where its quote is now (if anywhere)."""

    citation: KeptCitation
    status: Status
    start: int | None = None
    end: int | None = None

    @property
    def stands(self) -> bool:
        """The quote is still in the document."""
        return self.status in STANDING

    def line(self) -> str:
        """One line for people."""
        c = self.citation
        where = f"{c.source}, characters {c.start}–{c.end}"
        said = {
            "holds": where,
            "moved": f"{c.source}, now characters {self.start}–{self.end} (was {c.start}–{c.end})",
            "changed": f"{c.source} no longer says it",
            "gone": f"{c.source} is no longer indexed",
        }[self.status]
        return f"[{c.n}] {self.status:<7} {said}: “{_short(c.quote)}”"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        c = self.citation
        return {
            "n": c.n,
            "source": c.source,
            "status": self.status,
            "quote": c.quote,
            "start": c.start,
            "end": c.end,
            "now_start": self.start,
            "now_end": self.end,
        }


def verify(evidence: Evidence, store: Store, path: Path) -> list[Check]:
    """Check every citation of `evidence` (read from `path`) against `store`.

    Raises:
        EvidenceError: a document's hash still matches but its quote is not at its offsets:
            the file was edited by hand.
    """
    documents = store.documents()
    texts: dict[str, list[tuple[int, str]]] = {}
    checks = []
    for c in evidence.citations:
        doc = documents.get(c.source)
        if doc is None:
            checks.append(Check(c, "gone"))
            continue
        if c.source not in texts:
            texts[c.source] = stretches(store.document_chunks(c.source))
        checks.append(_check(c, doc, texts[c.source], path))
    return checks


def _check(c: KeptCitation, doc: DocInfo, text: list[tuple[int, str]], path: Path) -> Check:
    if _at(text, c.start, c.end) == c.quote:
        return Check(c, "holds", c.start, c.end)
    if doc.sha256 == c.document_sha256 and doc.complete:  # else: an interrupted ingest
        raise EvidenceError(
            f"{path}: citation [{c.n}]'s quote is not in the document its hash names "
            "(the file was edited by hand)"
        )
    found = [start + i for start, part in text if (i := part.find(c.quote)) >= 0]
    if not found:
        return Check(c, "changed")
    start = min(found, key=lambda at: abs(at - c.start))
    return Check(c, "moved", start, start + len(c.quote))


def stretches(chunks: Iterable[Chunk]) -> list[tuple[int, str]]:
    """The document text the chunks cover, as (offset, text) runs: overlapping or touching
    chunks are joined, so a quote that crosses a chunk boundary is still found."""
    runs: list[tuple[int, str]] = []
    for chunk in sorted(chunks, key=lambda c: c.start):
        if runs and chunk.start <= runs[-1][0] + len(runs[-1][1]):
            start, text = runs[-1]
            runs[-1] = (start, text + chunk.text[start + len(text) - chunk.start :])
        else:
            runs.append((chunk.start, chunk.text))
    return runs


def _at(runs: list[tuple[int, str]], start: int, end: int) -> str | None:
    """The text at [start, end), when one run covers it."""
    for offset, text in runs:
        if offset <= start and end <= offset + len(text):
            return text[start - offset : end - offset]
    return None


def _short(quote: str, words: int = 12) -> str:
    parts = quote.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
