"""The corpus's uploads folder: `add_files` copies files in and indexes them, or leaves
everything as it was; `remove_upload` takes one out of the folder and the index;
`trust_upload` records that someone trusts one (or no longer does) and re-indexes it."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from assistant.errors import BusyError, LoadError
from assistant.ingest import IngestReport, ProgressHook, source_key
from assistant.load import SUPPORTED_SUFFIXES
from assistant.settings import Settings
from assistant.trust import set_trusted, trusted

UPLOAD_TYPES = SUPPORTED_SUFFIXES  # what the loading stage reads
MAX_SAME_NAME = 999  # numbered copies of one file name

log = logging.getLogger(__name__)


class Indexer(Protocol):
    """What `add_files` and `remove_upload` need: settings and an ingest that refreshes."""

    settings: Settings

    def ingest(
        self,
        paths: Sequence[Path] = (),
        progress: ProgressHook | None = None,
        *,
        prune: bool = False,
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


def uploads(settings: Settings) -> dict[str, Upload]:
    """The uploaded files by source key (upload time: when the file was written)."""
    folder = settings.uploads_dir
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
    folder = settings.uploads_dir
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
    folder = indexer.settings.uploads_dir
    path = folder / upload.name
    saved = path.read_bytes()
    path.unlink()
    try:
        indexer.ingest([folder], prune=True)  # the last upload may go: the folder is then empty
    except BaseException:
        path.write_bytes(saved)
        raise
    set_trusted(indexer.settings, source, "", on=False)


def trust_upload(indexer: Indexer, source: str, by: str, on: bool) -> None:
    """Record that `by` trusts the upload `source` (or no longer does), and re-index it so
    its claims are tagged accordingly; on failure the record is put back."""
    settings = indexer.settings
    upload = uploads(settings).get(source)
    if upload is None:
        raise LoadError(f"{source}: not an uploaded document (only uploads can be trusted)")
    before = trusted(settings).get(source)
    set_trusted(settings, source, by, on)
    try:
        indexer.ingest([settings.uploads_dir / upload.name])
    except BaseException:
        set_trusted(settings, source, before.by if before else "", on=before is not None)
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
        hidden = report.hidden.get(source)
        unseen = f"; {hidden} characters a reader cannot see were left out" if hidden else ""
        if target.name == file.name:
            return Added(file.name, True, f"indexed{unseen}", source)
        taken = f" (a different {safe} was uploaded before)" if target.name != safe else ""
        return Added(file.name, True, f"indexed as {target.name}{taken}{unseen}", source)
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
            indexer.ingest([targets[0].parent], prune=True)
        except Exception as error:  # the failure being handled is the one to report
            log.warning("could not drop partly indexed uploads: %s", error)
        raise


def _unlink(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
