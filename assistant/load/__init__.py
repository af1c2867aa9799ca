"""Loading stage: turn a file into a `Document` (text + metadata), or say why not.

Text and Markdown are read here; HTML is reduced to its main text by `html`, and PDFs are
parsed by `pdf` in a child process of their own. Both leave out text a reader cannot see,
and every format loses its invisible characters (zero-width, bidi controls, soft hyphens,
tag characters): they draw nothing, yet hide words from search or reorder what is shown.
A document counts the characters left out in `hidden_chars`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import LoadError
from assistant.types import Document

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
SIDECAR_SUFFIX = ".meta.yaml"
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
PDF_TIMEOUT_S = 30
PDF_MEMORY_BYTES = 1024 * 1024 * 1024
INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\U000e0000-\U000e007f]"
)
# Part of every document's hash: change it when the rules for what a file indexes as change
# (what is left out, how sentences are tagged), so that the next ingest reads each file again.
LOAD_RULES = "visible-text-2"


def iter_corpus_files(root: Path, skipped: list[str] | None = None) -> Iterator[Path]:
    """Files under `root` that look like documents (sidecars and dotfiles skipped), sorted.

    Folders that cannot be read, symlink loops and symlinks that lead out of `root` are
    never followed: each is one line in `skipped`. A symlink to a file inside `root` is left
    to that file, which is indexed under its own name.
    """
    if not root.is_dir():
        yield root
        return
    lines = [] if skipped is None else skipped
    found = []

    def unreadable(error: OSError) -> None:
        lines.append(f"{error.filename}: cannot read this folder ({error.strerror})")

    for folder, folders, files in os.walk(root, onerror=unreadable):
        here = Path(folder)
        folders[:] = [name for name in folders if not name.startswith(".")]
        for path in (here / name for name in folders + files if not name.startswith(".")):
            problem = symlink_problem(path, root)
            if problem:
                lines.append(f"{path}: {problem}")
            elif path.name in files and not (path.is_symlink() or _is_sidecar(path.name)):
                found.append(path)
    yield from sorted(found)


def _is_sidecar(name: str) -> bool:
    return name.endswith(SIDECAR_SUFFIX)


def symlink_problem(path: Path, root: Path) -> str | None:
    """Why `path`, a symlink under `root`, is not followed; None when it is no symlink or
    leads to a file inside `root` (a symlinked folder is never walked into)."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        return "a symlink loop: skipped"
    except OSError as error:
        return f"a symlink that cannot be followed ({error.strerror}): skipped"
    inside = root.resolve()
    if target != inside and inside not in target.parents:
        return "a symlink leading out of the corpus folder: not followed"
    return None


def load_document(path: Path, source: str) -> Document:
    """Read one file. Raises `LoadError` naming the file and the reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"{path.name}: unsupported file type '{suffix or 'none'}'")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LoadError(f"{path.name}: cannot read ({error.strerror})") from error
    read = _read(path, raw, suffix)
    if not read.text.strip():
        raise LoadError(f"{path.name}: no text to index (the file is empty or blank)")
    meta = {**read.meta, **_read_sidecar(path)}
    title = visible(str(meta.pop("title", "") or ""))[0]
    meta.setdefault("date", str(meta.get("as_of") or "undated"))
    fingerprint = json.dumps(meta, sort_keys=True, default=str) + LOAD_RULES
    return Document(
        source=source,
        text=read.text,
        title=title or _first_line(read.text) or path.stem,
        sha256=hashlib.sha256(raw + fingerprint.encode()).hexdigest(),
        meta={k: _plain(v) for k, v in meta.items()},
        page_starts=read.page_starts,
        hidden_chars=read.hidden_chars,
    )


def visible(text: str) -> tuple[str, int]:
    """`text` without invisible characters, and how many there were."""
    kept = INVISIBLE.sub("", text)
    return kept, len(text) - len(kept)


@dataclass(frozen=True, slots=True)
class _Read:
    """A file's visible text, its metadata, where its pages start, and what was left out."""

    text: str
    meta: dict[str, Any]
    page_starts: tuple[int, ...] = ()
    hidden_chars: int = 0


def _read(path: Path, raw: bytes, suffix: str) -> _Read:
    """The file read by its type."""
    if suffix == ".pdf":
        return _read_pdf(path, raw)
    text, invisible = visible(decode_text(raw, path.name))
    if suffix in (".html", ".htm"):
        from assistant.load.html import html_to_text

        page = html_to_text(text)
        return _Read(
            page.text,
            {"title": page.title} if page.title else {},
            (),
            invisible + page.hidden_chars,
        )
    text, meta = _split_front_matter(text, path.name)
    return _Read(text, meta, (), invisible)


def decode_text(raw: bytes, name: str) -> str:
    """Decode bytes as UTF-16 (BOM), UTF-8, Windows-1252 or Latin-1; reject binary data."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode_utf16(raw, name)
    elif b"\x00" in raw:
        raise LoadError(f"{name}: looks like a binary file (NUL bytes), not text")
    else:
        text = _decode_8bit(raw)
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * max(1, len(text[:4096])):
        raise LoadError(f"{name}: looks like a binary file (control bytes), not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_utf16(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-16")
    except UnicodeDecodeError as error:
        raise LoadError(f"{name}: not valid UTF-16 text ({error.reason})") from error


def _decode_8bit(raw: bytes) -> str:
    """UTF-8 when it decodes; else Windows-1252 (Latin-1 with curly quotes and €), else
    Latin-1, which accepts any byte."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _split_front_matter(text: str, name: str) -> tuple[str, dict[str, Any]]:
    match = FRONT_MATTER.match(text)
    if not match:
        return text, {}
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or "syntax error"
        raise LoadError(f"{name}: front matter is not valid YAML ({problem})") from error
    if not isinstance(meta, dict):
        raise LoadError(f"{name}: front matter must be a YAML mapping")
    return text[match.end() :], meta


def _read_sidecar(path: Path) -> dict[str, Any]:
    sidecar = path.with_name(path.name.removesuffix(path.suffix) + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise LoadError(f"{sidecar.name}: unreadable metadata ({error})") from error
    if not isinstance(meta, dict):
        raise LoadError(f"{sidecar.name}: metadata must be a YAML mapping")
    return meta


def _read_pdf(path: Path, raw: bytes) -> _Read:
    """Extract PDF text in a child process with a time and memory limit."""
    if not raw.startswith(b"%PDF-"):
        raise LoadError(f"{path.name}: not a PDF (no %PDF header)")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "assistant.load.pdf", str(path), str(PDF_MEMORY_BYTES)],
            capture_output=True,
            timeout=PDF_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise LoadError(f"{path.name}: PDF parsing took over {PDF_TIMEOUT_S}s") from error
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise LoadError(f"{path.name}: {reason[-1] if reason else 'PDF parser crashed'}")
    result = json.loads(done.stdout)
    pages = [visible(page) for page in result["pages"]]
    starts, offset = [], 0
    for page, _ in pages:
        starts.append(offset)
        offset += len(page) + 2
    hidden = result["hidden_chars"] + sum(n for _, n in pages)
    return _Read("\n\n".join(p for p, _ in pages), result["meta"], tuple(starts), hidden)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:120]
    return ""


def _plain(value: Any) -> Any:
    """YAML dates and other objects become strings; lists stay lists."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
