"""Ingest stage: load → chunk → embed → store, skipping what is already indexed.

The corpus's uploads folder, which feeds it, is managed by `assistant.uploads`.
"""

from __future__ import annotations

import fcntl
import logging
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant.chunk import chunk_document, embedding_text
from assistant.embed import Embedder
from assistant.errors import BusyError, ChipQAError, ConfigError, LoadError, StoreError
from assistant.load import iter_corpus_files, load_document
from assistant.provenance.evidence import tag_chunks
from assistant.settings import Settings
from assistant.store.base import Store
from assistant.store.chroma_client import storage_problem
from assistant.trust import trusted
from assistant.types import Chunk, DocInfo, Document

# Texts per embedding call: small documents share one, so batches stay full and sorting
# by length spans documents (×10 corpus: 1.3–1.7× the chunks/s of a call per document).
GROUP_TEXTS = 256
# An ingest that would remove more than this share of a corpus's indexed documents (and more
# than one) is refused unless pruning is asked for: a wrong folder must not empty an index.
PRUNE_SHARE = 0.2


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestProgress:
    """How far an ingest has come: sent as each file is read and after each embedded batch."""

    file: str = ""  # the file read last
    embedded: int = 0  # texts embedded so far
    total: int | None = None  # texts to embed; None while the files are still being read


ProgressHook = Callable[[IngestProgress], None]


class _Progress:
    """Keeps the ingest's `IngestProgress` and sends each new one to the hook, if any."""

    def __init__(self, hook: ProgressHook | None) -> None:
        self.hook = hook
        self.now = IngestProgress()

    def read(self, source: str) -> None:
        """A file is being read."""
        self._send(replace(self.now, file=source))

    def counted(self, total: int) -> None:
        """Every file is read: `total` texts are to be embedded."""
        self._send(replace(self.now, total=total))

    def embedded(self, texts: int) -> None:
        """A batch of `texts` texts is embedded."""
        self._send(replace(self.now, embedded=self.now.embedded + texts))

    def _send(self, now: IngestProgress) -> None:
        self.now = now
        if self.hook:
            self.hook(now)


class PruneRefused(ChipQAError):
    """An ingest would remove many indexed documents; nothing was changed."""


@dataclass
class IngestReport:
    """What one `ingest` run changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: "file: reason"
    hidden: dict[str, int] = field(default_factory=dict)  # source → unseen characters left out
    chunks: int = 0  # chunks written in this run
    embeddings: int = 0  # vectors computed in this run (chunks + sentences)
    total_chunks: int = 0  # chunks in the store afterwards
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether the ingest added, updated or removed a document."""
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "hidden_chars": self.hidden,
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
    *,
    prune: bool = False,
    repair: bool = False,
) -> IngestReport:
    """Bring the store in line with the files under `paths` (default: the corpus folder).

    Only documents of the corpora being ingested are added, updated or removed, and an
    ingest that would remove a large share of one stops unless `prune` is set. With
    `repair`, documents whose stored text fails its check are embedded again.
    """
    began = time.perf_counter()
    report = IngestReport()
    roots = _roots(paths, settings.corpus_dir)
    tracker = _Progress(progress)
    _check_chunk_size(settings, embedder)
    with writer_lock(settings):
        store.refresh()  # another process may have written since this one opened the store
        indexed = store.documents()
        if repair:
            indexed = _as_interrupted(indexed, store.damaged_sources())
        seen: dict[str, str] = {}  # source → corpus of every file found
        pending: list[_Pending] = []
        uploads, trust = corpus_id(settings.uploads_dir), trusted(settings)
        for path in _files(roots, report.skipped):
            source = source_key(path, settings.corpus_dir)
            seen[source] = corpus_of(path, roots, settings)
            tracker.read(source)
            uploaded = seen[source] == uploads
            origin = _Origin(seen[source], uploaded, uploaded and source in trust)
            doc = _load(path, source, origin, indexed, report)
            if doc is not None:
                pending.extend(_chunked(doc, settings, embedder, indexed, report))
        removals = _removals(indexed, seen, roots, settings, prune)
        _index(pending, store, embedder, report, tracker)
        for source in removals:
            store.delete_source(source)
            report.removed.append(source)
    report.total_chunks = store.chunk_count()
    report.seconds = time.perf_counter() - began
    return report


def _as_interrupted(indexed: Mapping[str, DocInfo], damaged: set[str]) -> dict[str, DocInfo]:
    """The indexed documents, with the damaged ones counted as interrupted: indexed again."""
    return {s: replace(info, chunks=0) if s in damaged else info for s, info in indexed.items()}


def _roots(paths: Sequence[Path], corpus_dir: Path) -> list[Path]:
    """The folders and files to ingest, resolved; one that does not exist is an error."""
    if not paths and not corpus_dir.is_dir():
        raise LoadError(f"{corpus_dir}: no such corpus folder; create it or set CHIPQA_CORPUS_DIR")
    roots = [p.resolve() for p in (paths or [corpus_dir])]
    for root, named in zip(roots, paths or [corpus_dir], strict=True):
        if not root.exists():
            raise LoadError(f"{named}: no such file or folder")
    return roots


def corpus_id(folder: Path) -> str:
    """A corpus's name in the store: the host and the folder it is read from."""
    return f"{socket.gethostname()}:{folder.resolve().as_posix()}"


def corpus_of(path: Path, roots: Sequence[Path], settings: Settings) -> str:
    """The corpus a file belongs to: the uploads folder, the corpus folder, or else the
    folder it is ingested from (a file named by itself: its folder)."""
    resolved = path.resolve()
    for folder in (settings.uploads_dir, settings.corpus_dir):
        if folder in resolved.parents:
            return corpus_id(folder)
    root = next((r for r in roots if r == resolved or r in resolved.parents), resolved)
    return corpus_id(root if root.is_dir() else root.parent)


@dataclass(frozen=True)
class _Origin:
    """Where a file is ingested from: its corpus, whether that is the uploads folder, and
    whether someone trusts the upload."""

    corpus: str
    uploaded: bool
    trusted: bool


@dataclass(frozen=True)
class _Pending:
    """A document to (re)index, chunked, with the texts to embed for it."""

    doc: Document
    chunks: list[Chunk]
    texts: list[str]
    indexed_before: bool


def _load(
    path: Path, source: str, origin: _Origin, indexed: Mapping[str, DocInfo], report: IngestReport
) -> Document | None:
    """The file's document when it needs indexing; else None, and the report says why
    (unchanged, unreadable, or indexed from another corpus). The report counts the
    characters a reader could not see in each document to index."""
    try:
        doc = replace(load_document(path, source), **asdict(origin))
    except LoadError as error:
        report.skipped.append(str(error))
        return None
    old = indexed.get(source)
    if old and old.complete and _state(old) == _state(doc):
        report.unchanged.append(source)
        return None
    if old and old.corpus not in (None, origin.corpus):
        report.skipped.append(f"{path.name}: not replaced: {source} is indexed from {old.corpus}")
        return None
    if doc.hidden_chars:
        report.hidden[source] = doc.hidden_chars
    return doc


def _state(doc: Document | DocInfo) -> tuple[str, bool, bool]:
    """What decides whether an indexed document is current: its hash and where it stands."""
    return doc.sha256, doc.uploaded, doc.trusted


def _chunked(
    doc: Document,
    settings: Settings,
    embedder: Embedder,
    indexed: Mapping[str, DocInfo],
    report: IngestReport,
) -> list[_Pending]:
    """The document chunked and tagged, or nothing and a line in the report: one file that
    breaks the chunker stops nothing else."""
    try:
        chunks = tag_chunks(
            doc, chunk_document(doc, embedder.count_tokens, settings.max_chunk_tokens)
        )
    except Exception as error:  # any bug a file can trigger must stay that file's
        log.debug("chunking %s failed", doc.source, exc_info=True)
        report.skipped.append(f"{_name(doc)}: could not be split into passages ({error!r})")
        return []
    if not chunks:
        report.skipped.append(f"{_name(doc)}: no text to index (headings or symbols only)")
        return []
    return [_Pending(doc, chunks, _texts(chunks), doc.source in indexed)]


def _name(doc: Document) -> str:
    return Path(doc.source).name


def _check_chunk_size(settings: Settings, embedder: Embedder) -> None:
    if settings.max_chunk_tokens > embedder.max_tokens:
        raise ConfigError(
            f"CHIPQA_MAX_CHUNK_TOKENS is {settings.max_chunk_tokens} but {embedder.name} "
            f"reads {embedder.max_tokens} tokens at most: lower it"
        )


def _removals(
    indexed: Mapping[str, DocInfo],
    seen: Mapping[str, str],
    roots: Sequence[Path],
    settings: Settings,
    prune: bool,
) -> list[str]:
    """Indexed documents of these corpora whose files are gone under the folders ingested.

    Raises `PruneRefused`, unless `prune`, when they are more than `PRUNE_SHARE` of their
    corpus's documents (and more than one), or when none of its files is left at all.
    """
    owners = {source: _owner(source, info, roots, settings) for source, info in indexed.items()}
    gone: dict[str, list[str]] = {}
    for source in sorted(set(indexed) - set(seen)):
        path = source_path(source, settings.corpus_dir)
        inside = any(path == root or root in path.parents for root in roots)
        if inside and _gone(path) and owners[source] == corpus_of(path, roots, settings):
            gone.setdefault(owners[source], []).append(source)
    for corpus, sources in gone.items():
        owned = sum(1 for owner in owners.values() if owner == corpus)
        emptied = corpus not in seen.values()
        if not prune and (emptied or len(sources) > max(1, PRUNE_SHARE * owned)):
            raise PruneRefused(
                f"this ingest would remove {len(sources)} of the {owned} documents indexed "
                f"from {corpus}, whose files are not there; nothing was changed. Check the "
                "folder (and CHIPQA_CORPUS_DIR), or run `chipqa ingest --prune` to remove them"
            )
    return [source for sources in gone.values() for source in sources]


def _gone(path: Path) -> bool:
    """Whether a document's file is gone for sure: one in a folder that cannot be read may
    still be there, and its document stays."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _owner(source: str, info: DocInfo, roots: Sequence[Path], settings: Settings) -> str:
    """The corpus a document is indexed from; one indexed before corpora were recorded
    belongs to the corpus its path now falls in."""
    return info.corpus or corpus_of(source_path(source, settings.corpus_dir), roots, settings)


def _texts(chunks: Sequence[Chunk]) -> list[str]:
    """What is embedded for a document, in `Store.write`'s order: each chunk's text, then
    each sentence."""
    return [embedding_text(c) for c in chunks] + [s.text for c in chunks for s in c.sentences]


def _index(
    pending: list[_Pending],
    store: Store,
    embedder: Embedder,
    report: IngestReport,
    progress: _Progress,
) -> None:
    """Embed the pending documents' texts a group at a time, then write the group."""
    progress.counted(sum(len(p.texts) for p in pending))
    for group in _groups(pending):
        _write(_embedded(group, embedder, report, progress.embedded), store, report)


def _embedded(
    group: list[_Pending],
    embedder: Embedder,
    report: IngestReport,
    hook: Callable[[int], None] | None,
) -> list[tuple[_Pending, np.ndarray]]:
    """Each document of `group` with its vectors; when the group's call fails, each document
    is embedded alone and one that still fails is a line of the report."""
    try:
        vectors = embedder.embed([t for item in group for t in item.texts], progress=hook)
    except Exception as error:  # a file's text must not stop the others
        if len(group) == 1:
            log.debug("embedding %s failed", group[0].doc.source, exc_info=True)
            report.skipped.append(f"{_name(group[0].doc)}: could not be embedded ({error!r})")
            return []
        return [found for item in group for found in _embedded([item], embedder, report, hook)]
    ends = np.cumsum([len(item.texts) for item in group])
    return [
        (item, vectors[end - len(item.texts) : end]) for item, end in zip(group, ends, strict=True)
    ]


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


def _write(embedded: list[tuple[_Pending, np.ndarray]], store: Store, report: IngestReport) -> None:
    """Replace these documents in the store with their vectors, written together
    (per-document writes took a third of the ×10 corpus's ingest)."""
    if not embedded:
        return
    for item, _ in embedded:
        store.delete_source(item.doc.source)
    store.write([(item.doc, item.chunks, vectors) for item, vectors in embedded])
    for item, _ in embedded:
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


def _files(roots: Sequence[Path], skipped: list[str]) -> Iterator[Path]:
    for root in roots:
        yield from iter_corpus_files(root, skipped)


@contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """One writer at a time per embedded store (a Chroma server handles its own)."""
    if settings.uses_server:
        yield
        return
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        handle = (settings.data_dir / "ingest.lock").open("w")
    except OSError as error:
        raise StoreError(
            storage_problem(error, settings.data_dir) or f"{settings.data_dir}: {error.strerror}"
        ) from error
    with handle:
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
