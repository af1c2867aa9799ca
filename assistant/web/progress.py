"""An upload's progress in words: the file, how far the embedding is, the time left, the
embedding model loading; and a switch that cancels the upload at its next step."""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

import gradio as gr

from assistant.embed import Embedder, SentenceEmbedder
from assistant.ingest import IngestProgress

MODEL_LOADING = (
    "Loading the embedding model (once after the server starts; about 10 s, and about "
    "500 MB of memory)…"
)
PACE_WINDOW_S = 20.0
CANCELLED = "Upload cancelled: none of its files were kept; the index is as it was before it."


class Cancelled(BaseException):
    """Raised from an upload's progress when its user cancels it. Like asyncio's
    `CancelledError` it is no `Exception`, so no handler of one file's faults takes it for
    one: the upload stops, and `add_files` removes what it had added."""


class UploadProgress:
    """The ingest's progress hook for one upload of `files` files, shown on a Gradio bar."""

    def __init__(
        self,
        bar: gr.Progress,
        files: int,
        embedder: Embedder,
        cancel: threading.Event,
    ) -> None:
        self.bar = bar
        self.files = files
        self.embedder = embedder
        self.cancel = cancel
        self.seen: list[str] = []
        self.samples: deque[tuple[float, int]] = deque()  # (time, texts embedded) lately

    def __call__(self, progress: IngestProgress) -> None:
        if self.cancel.is_set():
            raise Cancelled
        if progress.file and progress.file not in self.seen:
            self.seen.append(progress.file)
        name = Path(progress.file).name
        of = f"file {len(self.seen)} of {self.files}" if self.files > 1 else "1 file"
        if progress.embedded == 0 and self._model_loads():  # it loads to split the files
            self.bar(0.0, desc=MODEL_LOADING)
        elif progress.total is None:
            self.bar(0.0, desc=f"Reading {name} ({of})…")
        else:
            done = progress.embedded / max(progress.total, 1)
            self.bar(done, desc=f"{_counts(progress)} ({of}){self._left(progress)}")

    def _model_loads(self) -> bool:
        """Whether embedding starts by loading the model (the first upload after a start)."""
        return isinstance(self.embedder, SentenceEmbedder) and not self.embedder.loaded

    def _left(self, progress: IngestProgress) -> str:
        """The time left at the pace of the last `PACE_WINDOW_S` ("" until there is one).
        Texts are embedded shortest first, so each is slower than the last: the time left is
        said to be at least that."""
        now = time.monotonic()
        self.samples.append((now, progress.embedded))
        while len(self.samples) > 2 and now - self.samples[1][0] >= PACE_WINDOW_S:
            self.samples.popleft()
        then, before = self.samples[0]
        done = progress.embedded - before
        if done <= 0:
            return ""
        left = ((progress.total or 0) - progress.embedded) * (now - then) / done
        return f"; at least {_duration(left)} left"


def _counts(progress: IngestProgress) -> str:
    """How far the embedding is (Gradio's bar adds the percentage)."""
    return f"{progress.embedded:,} of {progress.total or 0:,} passages and sentences embedded"


def _duration(seconds: float) -> str:
    """A rough duration: "40 s", "3 min"."""
    return f"{max(1, round(seconds))} s" if seconds < 90 else f"{round(seconds / 60)} min"
