"""Ingest stage: load → chunk → embed → store, skipping what is already indexed."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from assistant.chunk import chunk_document, embedding_text
from assistant.embed import Embedder
from assistant.errors import LoadError, StoreError
from assistant.load import iter_corpus_files, load_document
from assistant.settings import Settings
from assistant.store import ChromaStore
from assistant.types import Chunk, Document

# Called as (event, detail): ("file", source) when a file starts, ("embedded", n) per batch.
ProgressHook = Callable[[str, object], None]


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
    store: ChromaStore,
    embedder: Embedder,
    progress: ProgressHook | None = None,
) -> IngestReport:
    """Bring the store in line with the files under `paths` (default: the corpus folder)."""
    began = time.perf_counter()
    report = IngestReport()
    roots = [p.resolve() for p in (paths or [settings.corpus_dir])]
    for root in roots:
        if not root.exists():
            report.skipped.append(f"{root}: no such file or folder")
    with writer_lock(settings):
        indexed = store.documents()
        seen: set[str] = set()
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
            _index_document(doc, settings, store, embedder, report, progress)
            (report.updated if old else report.added).append(source)
        for source in sorted(set(indexed) - seen):
            if _deleted_under(source, roots, settings.corpus_dir):
                store.delete_source(source)
                report.removed.append(source)
    report.total_chunks = store.chunk_count()
    report.seconds = time.perf_counter() - began
    return report


def _index_document(
    doc: Document,
    settings: Settings,
    store: ChromaStore,
    embedder: Embedder,
    report: IngestReport,
    progress: ProgressHook | None,
) -> None:
    chunks = chunk_document(doc, embedder.count_tokens, settings.max_chunk_tokens)
    texts = [chunk_text_for_embedding(c) for c in chunks]
    sentences = [s.text for c in chunks for s in c.sentences]
    hook = (lambda n: progress("embedded", n)) if progress else None
    vectors = embedder.embed(texts + sentences, progress=hook)
    store.delete_source(doc.source)
    store.write(doc, chunks, vectors[: len(texts)], vectors[len(texts) :])
    report.chunks += len(chunks)
    report.embeddings += len(vectors)


def chunk_text_for_embedding(chunk: Chunk) -> str:
    """The text a chunk's vector is computed from (also what the token limit bounds)."""
    return embedding_text(chunk.section, " ".join(s.text for s in chunk.sentences))


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
        if root.exists():
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
            raise StoreError(
                f"another ChipQA ingest is writing to {settings.data_dir}; "
                "wait for it to finish, then retry"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
