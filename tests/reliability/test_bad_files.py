"""Bad files: each is decoded, or skipped with one line naming it and the reason, while the
rest of the batch ingests; PDF parsing is held to its time and memory limits."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import make_settings, stored_chunks
from pdfs import text_pdf

from assistant import load
from assistant.embed import SentenceEmbedder
from assistant.errors import LoadError
from assistant.ingest import IngestReport
from assistant.load import load_document
from assistant.pipeline import Assistant, build_assistant
from reliability.hostile_pdfs import (
    bomb_pdf,
    cyclic_pages_pdf,
    encrypted_pdf,
    self_referencing_pdf,
    slow_pdf,
)

pytestmark = pytest.mark.slow

GOOD = {
    "selene.md": b"# Selene fab\n\nThe Selene fab etches 3 nm chips on the far side of the Moon.\n",
    "report.pdf": text_pdf(["The Quxton harbour fab ships seven million wafers a year."]),
}
DECODED = {  # file: (bytes, text the loaded document holds)
    "utf16-le.txt": ("Huawei’s Ascend chips.".encode("utf-16"), "Huawei’s Ascend chips."),
    "utf16-be.md": (b"\xfe\xff" + "Cambricon’s revenue rose.".encode("utf-16-be"), "Cambricon"),
    "latin1.txt": ("Café owners in Zürich buy chips.".encode("latin-1"), "Café owners in Zürich"),
    "windows-1252.txt": (b"\x93Parity\x94 costs \x80 5 billion \x96 or more.", "“Parity” costs €"),
    "crlf.txt": (b"Line one about chips.\r\nLine two about fabs.\r\n", "chips.\nLine two"),
    "owner-locked.pdf": (encrypted_pdf(""), "The Selene fab plans are secret."),
}
REJECTED = {  # file: (bytes, reason its one line gives)
    "empty.txt": (b"", "no text to index"),
    "blank.md": (b" \n\t\n   \n", "no text to index"),
    "nul-bytes.txt": (b"Chips are made in fabs. " * 300 + b"\x00\x00 tail", "binary file (NUL"),
    "image.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 20, "binary file (control"),
    "odd-utf16.txt": ("Chips.".encode("utf-16") + b"\x00", "not valid UTF-16"),
    "page.pdf": (b"<!doctype html><html><body>Not a PDF</body></html>", "not a PDF"),
    "truncated.pdf": (text_pdf(["Some text about chips."])[:200], "damaged or unreadable"),
    "encrypted.pdf": (encrypted_pdf(), "encrypted (password protected)"),
    "bomb.pdf": (bomb_pdf(), "possible decompression bomb"),
    "cyclic.pdf": (cyclic_pages_pdf(), "cyclic page references"),
    "self-reference.pdf": (self_referencing_pdf(), "damaged or unreadable"),
    "slides.pptx": (b"PK\x03\x04", "unsupported file type"),
}
MEMORY_LIMIT = 128 << 20  # room for Python and pypdf, not for a bomb's 75 MB of output


@dataclass(frozen=True)
class Batch:
    """One ingest over good, odd and bad files together."""

    assistant: Assistant
    report: IngestReport


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder) -> Batch:
    root = tmp_path_factory.mktemp("files")
    corpus = root / "corpus"
    corpus.mkdir()
    files = {**GOOD, **{n: d for n, (d, _) in DECODED.items()}}
    files |= {n: d for n, (d, _) in REJECTED.items()}
    for name, data in files.items():
        (corpus / name).write_bytes(data)
    assistant = build_assistant(make_settings(root), embedder=embedder)
    return Batch(assistant, assistant.ingest())


@pytest.mark.parametrize("name", list(REJECTED))
def test_bad_file_is_skipped_with_one_line_naming_it(batch: Batch, name: str) -> None:
    lines = [line for line in batch.report.skipped if line.startswith(f"{name}: ")]
    assert len(lines) == 1, batch.report.skipped
    assert REJECTED[name][1] in lines[0] and "\n" not in lines[0]


@pytest.mark.parametrize("name", list(DECODED))
def test_odd_encoding_is_decoded_and_indexed(batch: Batch, name: str) -> None:
    assert name in batch.report.added
    path = batch.assistant.settings.corpus_dir / name
    assert DECODED[name][1] in load_document(path, name).text


def test_rest_of_the_batch_ingests(batch: Batch) -> None:
    assert sorted(batch.report.added) == sorted([*GOOD, *DECODED])
    assert len(batch.report.skipped) == len(REJECTED)
    assert batch.assistant.store.chunk_count() == len(stored_chunks(batch.assistant))
    answer = batch.assistant.ask("How many wafers does the Quxton harbour fab ship?")
    assert "seven million wafers" in answer.text and answer.citations[0].page == 1


def _processes_reading(path: Path) -> list[str]:
    """Command lines of live processes that name `path`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if str(path).encode() in args:
            found.append(b" ".join(args).decode(errors="replace"))
    return found


def test_pdf_parsing_is_stopped_at_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "PDF_TIMEOUT_S", 1)
    path = tmp_path / "slow.pdf"
    path.write_bytes(slow_pdf())
    began = time.monotonic()
    with pytest.raises(LoadError, match=r"^slow\.pdf: PDF parsing took over 1s$"):
        load_document(path, path.name)
    assert time.monotonic() - began < 10
    assert _processes_reading(path) == []


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_pdf_parsing_is_held_to_the_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "PDF_MEMORY_BYTES", MEMORY_LIMIT)
    (tmp_path / "bomb.pdf").write_bytes(bomb_pdf())
    (tmp_path / "fine.pdf").write_bytes(GOOD["report.pdf"])
    before = _rss_bytes()
    with pytest.raises(LoadError, match="more than the memory limit") as caught:
        load_document(tmp_path / "bomb.pdf", "bomb.pdf")
    assert str(caught.value).startswith("bomb.pdf: ")
    assert _rss_bytes() - before < 64 << 20
    assert "Quxton" in load_document(tmp_path / "fine.pdf", "fine.pdf").text
