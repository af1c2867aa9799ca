"""An upload's progress in words, and its Cancel."""

from __future__ import annotations

import threading

import pytest

from assistant.embed import SentenceEmbedder
from assistant.ingest import IngestProgress
from assistant.web.progress import MODEL_LOADING, Cancelled, UploadProgress


class Bar(list[tuple[float | None, str]]):
    """Records what a Gradio progress bar is told."""

    def __call__(self, progress: float | None, desc: str = "") -> None:
        self.append((progress, desc))


def test_progress_names_the_model_load_the_file_and_the_counts(embedder: SentenceEmbedder) -> None:
    bar, cancel = Bar(), threading.Event()
    cold = UploadProgress(bar, 2, SentenceEmbedder(), cancel)  # its model is not loaded yet
    cold(IngestProgress(file="uploads/a.md"))
    embedder.load()
    warm = UploadProgress(bar, 2, embedder, cancel)
    warm(IngestProgress(file="uploads/a.md"))
    warm(IngestProgress(file="uploads/b.md", embedded=0, total=1200))
    warm(IngestProgress(file="uploads/b.md", embedded=600, total=1200))
    assert [desc for _, desc in bar[:3]] == [
        MODEL_LOADING,
        "Reading a.md (file 1 of 2)…",
        "0 of 1,200 passages and sentences embedded (file 2 of 2)",
    ]
    assert bar[3][0] == 0.5
    assert bar[3][1].startswith("600 of 1,200 passages and sentences embedded (file 2 of 2); ")
    assert bar[3][1].endswith(" left")


def test_cancel_stops_the_upload_at_its_next_step(embedder: SentenceEmbedder) -> None:
    cancel = threading.Event()
    progress = UploadProgress(Bar(), 1, embedder, cancel)
    progress(IngestProgress(file="uploads/a.md"))
    cancel.set()
    with pytest.raises(Cancelled):
        progress(IngestProgress(file="uploads/a.md", embedded=10, total=100))
