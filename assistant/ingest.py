"""Ingest stage: load → chunk → embed → store, skipping what is already indexed.

The corpus's uploads folder, which feeds it, is managed by `assistant.uploads`.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.chunk import chunk_document, embedding_text
from assistant.embed import Embedder
from assistant.errors import ConfigError, LoadError, StoreError
from assistant.load import iter_corpus_files, load_document
from assistant.provenance.evidence import tag_chunks
from assistant.settings import Settings
from assistant.store import Store
from assistant.types import Chunk, Document

# Called as (event, detail): ("file", source) as each file is read, ("total", n) once the
# texts to embed are counted, then ("embedded", n) per batch of n texts.
ProgressHook = Callable[[str, object], None]
# Texts per embedding call: small documents share one, so batches stay full and sorting
# by length spans documents (×10 corpus: 1.3–1.7× the chunks/s of a call per document).
GROUP_TEXTS = 256


log = logging.getLogger(__name__)


class BusyError(StoreError):
    """Another process is writing to the same store; retry when it has finished."""


@dataclass
class IngestReport:
    """What one `ingest` run changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: "file: reason"
    chunks: int = 0  # chunks written in this run
    embeddings: int = 0  # vectors computed in this run (chunks + sentences)
    total_chunks: int = 0  # chunks in the store afterwards
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "chunks_written": self.chunks,
            "embeddings": self.embeddings,
            "total_chunks": self.total_chunks,
            "seconds": round(self.seconds, 3),
        }


def ingest(
    paths: Sequence[Path],
    settings: Settings,
    store: Store,
    embedder: Embedder,
    progress: ProgressHook | None = None,
) -> IngestReport:
    """Bring the store in line with the files under `paths` (default: the corpus folder)."""
    began = time.perf_counter()
    report = IngestReport()
    roots = _roots(paths, settings.corpus_dir)
    with writer_lock(settings):
        indexed = store.documents()
        seen: set[str] = set()
        pending: list[_Pending] = []
        for path in _files(roots):
            source = source_key(path, settings.corpus_dir)
            seen.add(source)
            if progress:
                progress("file", source)
            try:
                doc = load_document(path, source)
            except LoadError as error:
                report.skipped.append(str(error))
                continue
            old = indexed.get(source)
            if old and old.sha256 == doc.sha256 and old.complete:
                report.unchanged.append(source)
                continue
            chunks = _chunks(doc, settings, embedder)
            pending.append(_Pending(doc, chunks, _texts(chunks), old is not None))
        _index(pending, store, embedder, report, progress)
        for source in sorted(set(indexed) - seen):
            if _deleted_under(source, roots, settings.corpus_dir):
                store.delete_source(source)
                report.removed.append(source)
    report.total_chunks = store.chunk_count()
    report.seconds = time.perf_counter() - began
    return report


def _roots(paths: Sequence[Path], corpus_dir: Path) -> list[Path]:
    """The folders and files to ingest, resolved; one that does not exist is an error."""
    if not paths and not corpus_dir.is_dir():
        raise LoadError(f"{corpus_dir}: no such corpus folder; create it or set CHIPQA_CORPUS_DIR")
    roots = [p.resolve() for p in (paths or [corpus_dir])]
    for root, named in zip(roots, paths or [corpus_dir], strict=True):
        if not root.exists():
            raise LoadError(f"{named}: no such file or folder")
    return roots


@dataclass(frozen=True)
class _Pending:
    """A document to (re)index, chunked, with the texts to embed for it."""

    doc: Document
    chunks: list[Chunk]
    texts: list[str]
    indexed_before: bool


def _texts(chunks: Sequence[Chunk]) -> list[str]:
    """What is embedded for a document, in `Store.write`'s order: each chunk's text, then
    each sentence."""
    return [embedding_text(c) for c in chunks] + [s.text for c in chunks for s in c.sentences]


def _chunks(doc: Document, settings: Settings, embedder: Embedder) -> list[Chunk]:
    if settings.max_chunk_tokens > embedder.max_tokens:
        raise ConfigError(
            f"CHIPQA_MAX_CHUNK_TOKENS is {settings.max_chunk_tokens} but {embedder.name} "
            f"reads {embedder.max_tokens} tokens at most: lower it"
        )
    return tag_chunks(doc, chunk_document(doc, embedder.count_tokens, settings.max_chunk_tokens))


def _index(
    pending: list[_Pending],
    store: Store,
    embedder: Embedder,
    report: IngestReport,
    progress: ProgressHook | None,
) -> None:
    """Embed the pending documents' texts a group at a time, then write the group."""
    if progress:
        progress("total", sum(len(p.texts) for p in pending))
    hook = (lambda n: progress("embedded", n)) if progress else None
    for group in _groups(pending):
        embedded = embedder.embed([t for p in group for t in p.texts], progress=hook)
        _write(group, embedded, store, report)


def _groups(pending: list[_Pending]) -> Iterator[list[_Pending]]:
    """Runs of consecutive documents with about `GROUP_TEXTS` texts between them."""
    group: list[_Pending] = []
    size = 0
    for item in pending:
        group.append(item)
        size += len(item.texts)
        if size >= GROUP_TEXTS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _write(group: list[_Pending], embedded: np.ndarray, store: Store, report: IngestReport) -> None:
    """Replace the documents of `group` in the store, with their rows of `embedded`, written
    together (per-document writes took a third of the ×10 corpus's ingest)."""
    ends = np.cumsum([len(item.texts) for item in group])
    rows = [
        (item.doc, item.chunks, embedded[end - len(item.texts) : end])
        for item, end in zip(group, ends, strict=True)
    ]
    for item in group:
        store.delete_source(item.doc.source)
    store.write(rows)
    for item in group:
        report.chunks += len(item.chunks)
        report.embeddings += len(item.texts)
        (report.updated if item.indexed_before else report.added).append(item.doc.source)


def source_key(path: Path, corpus_dir: Path) -> str:
    """A document's stable name: its path inside the corpus folder, else its absolute path."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def source_path(source: str, corpus_dir: Path) -> Path:
    """Inverse of `source_key`."""
    path = Path(source)
    return path if path.is_absolute() else corpus_dir.resolve() / path


def _files(roots: Sequence[Path]) -> Iterator[Path]:
    for root in roots:
        yield from iter_corpus_files(root)


def _deleted_under(source: str, roots: Sequence[Path], corpus_dir: Path) -> bool:
    path = source_path(source, corpus_dir)
    inside = any(path == root or root in path.parents for root in roots)
    return inside and not path.exists()


@contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """One writer at a time per embedded store (a Chroma server handles its own)."""
    if settings.uses_server:
        yield
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / "ingest.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BusyError(
                f"another ChipQA ingest is writing to {settings.data_dir}; "
                "wait for it to finish, then retry"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
