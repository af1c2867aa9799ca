"""Ingest stage: load → chunk → embed → store, skipping what is already indexed.

Also the corpus's uploads folder: `add_files` copies files in and indexes them, or leaves
everything as it was; `remove_upload` takes one out of the folder and the index.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

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

UPLOADS = "uploads"  # folder inside the corpus that uploaded files are copied to
UPLOAD_TYPES = (".txt", ".md", ".html", ".pdf")
MAX_SAME_NAME = 999  # numbered copies of one file name

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
    """Replace each document of `group` in the store, with its rows of `embedded`."""
    first = 0
    for item in group:
        vectors = embedded[first : first + len(item.texts)]
        first += len(item.texts)
        store.delete_source(item.doc.source)
        store.write(item.doc, item.chunks, vectors)
        report.chunks += len(item.chunks)
        report.embeddings += len(vectors)
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


class Indexer(Protocol):
    """What `add_files` and `remove_upload` need: settings and an ingest that refreshes."""

    settings: Settings

    def ingest(
        self, paths: Sequence[Path] = (), progress: ProgressHook | None = None
    ) -> IngestReport: ...


@dataclass(frozen=True)
class Added:
    """What became of one file given to `add_files`: `message` is one line for its owner."""

    name: str
    ok: bool
    message: str
    source: str | None = None


@dataclass(frozen=True)
class Upload:
    """An uploaded corpus file: its source key, file name and when it was uploaded."""

    source: str
    name: str
    uploaded: datetime


def uploads_folder(settings: Settings) -> Path:
    """Where uploaded files are kept: `uploads/` inside the corpus folder."""
    return settings.corpus_dir / UPLOADS


def uploads(settings: Settings) -> dict[str, Upload]:
    """The uploaded files by source key (upload time: when the file was written)."""
    folder = uploads_folder(settings)
    found: dict[str, Upload] = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_file():
            when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            source = source_key(path, settings.corpus_dir)
            found[source] = Upload(source, path.name, when)
    return found


def add_files(
    indexer: Indexer, files: Sequence[Path], progress: ProgressHook | None = None
) -> list[Added]:
    """Copy `files` into the uploads folder and index them, one outcome per file.

    An upload is never replaced: a different file with a taken name gets a numbered name,
    and a file identical to an upload is not added twice. Files that cannot be read are
    not kept. If indexing fails (`BusyError` among others), the copies are removed again.
    """
    settings = indexer.settings
    folder = uploads_folder(settings)
    outcomes: dict[Path, Added] = {}
    placed: dict[Path, Path] = {}
    try:
        for file in files:
            outcomes[file] = _screen(file, folder, settings)
            if outcomes[file].ok and outcomes[file].source is None:
                placed[file] = _place(file, folder)
    except BaseException:
        _unlink(placed.values())
        raise
    report = _ingest_or_undo(indexer, list(placed.values()), progress)
    for file, target in placed.items():
        outcomes[file] = _indexed(file, target, report, settings.corpus_dir)
    return list(outcomes.values())


def remove_upload(indexer: Indexer, source: str) -> None:
    """Delete an uploaded file and take it out of the index; on failure it is put back."""
    upload = uploads(indexer.settings).get(source)
    if upload is None:
        raise LoadError(f"{source}: not an uploaded document (only uploads can be deleted)")
    folder = uploads_folder(indexer.settings)
    path = folder / upload.name
    saved = path.read_bytes()
    path.unlink()
    try:
        indexer.ingest([folder])
    except BaseException:
        path.write_bytes(saved)
        raise


def _screen(file: Path, folder: Path, settings: Settings) -> Added:
    """Refuse a file by type or size, or name the upload it repeats; else a pending ok."""
    if file.suffix.lower() not in UPLOAD_TYPES:
        return Added(file.name, False, f"not accepted: upload {', '.join(UPLOAD_TYPES)} files")
    if file.stat().st_size > settings.max_upload_mb * 1024 * 1024:
        return Added(file.name, False, f"larger than the {settings.max_upload_mb} MB limit")
    digest = _sha256(file)
    for existing in sorted(folder.iterdir()) if folder.is_dir() else []:
        if existing.is_file() and _sha256(existing) == digest:
            source = source_key(existing, settings.corpus_dir)
            return Added(file.name, True, f"already uploaded as {existing.name}", source)
    return Added(file.name, True, "")


def _safe_name(file: Path) -> str:
    """`file`'s name with anything but letters, digits, '-' and '_' in the stem made '_'."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", file.stem).strip("_") or "upload"
    return f"{stem}{file.suffix.lower()}"


def _place(file: Path, folder: Path) -> Path:
    """Copy `file` into `folder` under its safe name, numbered (`name-2.md`) if taken."""
    folder.mkdir(parents=True, exist_ok=True)
    safe = Path(_safe_name(file))
    data = file.read_bytes()
    for n in range(1, MAX_SAME_NAME + 1):
        target = folder / (safe.name if n == 1 else f"{safe.stem}-{n}{safe.suffix}")
        try:
            with target.open("xb") as handle:
                handle.write(data)
            return target
        except FileExistsError:
            continue
    raise LoadError(f"{file.name}: {MAX_SAME_NAME} uploads already share this name; rename it")


def _indexed(file: Path, target: Path, report: IngestReport, corpus_dir: Path) -> Added:
    """The outcome of a copied file after ingest; a file it could not read is removed."""
    source = source_key(target, corpus_dir)
    if source in (*report.added, *report.updated, *report.unchanged):
        safe = _safe_name(file)
        if target.name == file.name:
            return Added(file.name, True, "indexed", source)
        taken = f" (a different {safe} was uploaded before)" if target.name != safe else ""
        return Added(file.name, True, f"indexed as {target.name}{taken}", source)
    target.unlink(missing_ok=True)
    reasons = [line for line in report.skipped if line.startswith(f"{target.name}:")]
    reason = reasons[0].partition(": ")[2] if reasons else "could not be read"
    return Added(file.name, False, reason)


def _ingest_or_undo(
    indexer: Indexer, targets: list[Path], progress: ProgressHook | None
) -> IngestReport:
    """Ingest copied files; if that fails, remove them and whatever reached the index."""
    if not targets:
        return IngestReport()
    try:
        return indexer.ingest(targets, progress)
    except BusyError:  # nothing was written
        _unlink(targets)
        raise
    except BaseException:
        _unlink(targets)
        try:
            indexer.ingest([targets[0].parent])
        except Exception as error:  # the failure being handled is the one to report
            log.warning("could not drop partly indexed uploads: %s", error)
        raise


def _unlink(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
