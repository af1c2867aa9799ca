"""Ingest against a real Chroma: embedded in a temp folder and a `chroma run` server."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from helpers import make_settings, stored_chunks

from assistant.chunk import embedding_text
from assistant.embed import Progress, SentenceEmbedder
from assistant.errors import IndexMismatchError, StoreError
from assistant.ingest import IngestProgress, writer_lock
from assistant.pipeline import Assistant, build_assistant
from assistant.store import ChromaStore

DOC_A = "# Alpha\n\nHuawei unveiled the Ascend 910C. It targets training workloads.\n"
DOC_B = "# Beta\n\nCambricon revenue rose sharply in 2025. Investors cheered.\n"


def corpus_with_two_docs(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(DOC_A)
    (corpus / "b.md").write_text(DOC_B)
    return corpus


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def assistant(
    request: pytest.FixtureRequest, tmp_path: Path, embedder: SentenceEmbedder
) -> Assistant:
    corpus_with_two_docs(tmp_path)
    overrides: dict[str, object] = {"collection": f"t{abs(hash(tmp_path)) % 10**8}"}
    if request.param == "server":
        host, port = request.getfixturevalue("chroma_server")
        overrides |= {"chroma_host": host, "chroma_port": port}
    return build_assistant(make_settings(tmp_path, **overrides), embedder=embedder)


def test_reingest_of_unchanged_corpus_embeds_nothing(assistant: Assistant) -> None:
    first = assistant.ingest()
    assert sorted(first.added) == ["a.md", "b.md"] and first.embeddings > 0
    second = assistant.ingest()
    assert second.embeddings == 0 and second.chunks == 0
    assert sorted(second.unchanged) == ["a.md", "b.md"]
    assert second.total_chunks == first.total_chunks


def test_edit_replaces_exactly_its_chunks(assistant: Assistant) -> None:
    assistant.ingest()
    b_before = {c.id for c in stored_chunks(assistant) if c.source == "b.md"}
    (assistant.settings.corpus_dir / "a.md").write_text(DOC_A + "\nA new sentence on SMIC.\n")
    report = assistant.ingest()
    assert report.updated == ["a.md"] and report.unchanged == ["b.md"]
    a_text = " ".join(c.text for c in stored_chunks(assistant) if c.source == "a.md")
    assert "SMIC" in a_text
    assert {c.id for c in stored_chunks(assistant) if c.source == "b.md"} == b_before
    assert assistant.store.chunk_count() == len(stored_chunks(assistant))


def test_deleted_file_disappears(assistant: Assistant) -> None:
    assistant.ingest()
    (assistant.settings.corpus_dir / "b.md").unlink()
    report = assistant.ingest()
    assert report.removed == ["b.md"]
    assert {c.source for c in stored_chunks(assistant)} == {"a.md"}
    sentences = sum(len(c.sentences) for c in stored_chunks(assistant))
    assert assistant.store.sentence_count() == sentences


def test_bad_files_are_skipped_and_the_rest_ingests(assistant: Assistant) -> None:
    corpus = assistant.settings.corpus_dir
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "slides.pptx").write_bytes(b"PK")
    report = assistant.ingest()
    assert sorted(report.added) == ["a.md", "b.md"]
    assert len(report.skipped) == 3
    assert all("\n" not in line for line in report.skipped)


def test_model_mismatch_is_a_clear_error(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    settings = make_settings(tmp_path)
    ChromaStore(settings, embedder.name, embedder.dimension)
    with pytest.raises(IndexMismatchError, match=r"dimension 384.*not other-model"):
        ChromaStore(settings, "other-model", 768)


def test_second_writer_is_refused(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with (
        writer_lock(settings),
        pytest.raises(StoreError, match="another ChipQA ingest"),
        writer_lock(settings),
    ):
        pass


def test_small_documents_share_an_embedding_call_and_each_keeps_its_vectors(
    tmp_path: Path, embedder: SentenceEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(6):
        (corpus / f"{n}.md").write_text(
            f"# Part {n}\n\nSMIC ran {n} lines. Huawei bought lot {n}.\n"
        )
    calls: list[int] = []
    embed = embedder.embed

    def counted(texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        calls.append(len(texts))
        return embed(texts, progress)

    monkeypatch.setattr(embedder, "embed", counted)
    events: list[IngestProgress] = []
    assistant = build_assistant(make_settings(tmp_path), embedder=embedder)
    report = assistant.ingest(progress=events.append)
    assert len(report.added) == 6 and calls == [report.embeddings]
    assert [e.file for e in events[:6]] == [f"{n}.md" for n in range(6)]
    assert all(e.total is None for e in events[:6])
    assert {e.total for e in events[6:]} == {report.embeddings} == {events[-1].embedded}
    for chunk in stored_chunks(assistant):
        match = assistant.store.nearest(embed([embedding_text(chunk)])[0], 1)[0]
        assert match.chunk_id == chunk.id and match.similarity > 0.999
        last = chunk.sentences[-1].text
        assert assistant.store.nearest_by_sentence(embed([last])[0], 1) == [chunk.id]
