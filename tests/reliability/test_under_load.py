"""A bounded load test on loopback: concurrent API sessions ask questions while an upload is
indexed. Every request is answered or told the queue is full (retry); none is lost, memory
stays bounded, and the index ends up with exactly the expected chunks.

Defaults suit CI; CHIPQA_LOAD_CLIENTS and CHIPQA_LOAD_QUESTIONS make a larger run."""

from __future__ import annotations

import gc
import math
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.utils import QueueError
from helpers import (
    LiveApp,
    expected_chunk_ids,
    free_port,
    make_settings,
    seeded_corpus,
    served,
    small_corpus,
    stored_chunk_ids,
)

from assistant.embed import SentenceEmbedder
from assistant.pipeline import build_assistant
from assistant.web import Handlers

pytestmark = pytest.mark.slow

# Read at import: the suite's autouse fixture clears CHIPQA_* variables before each test.
CLIENTS = int(os.environ.get("CHIPQA_LOAD_CLIENTS", "20"))
QUESTIONS = int(os.environ.get("CHIPQA_LOAD_QUESTIONS", "3"))
UPLOADED = 10  # files in the one upload indexed during the run
RSS_GROWTH_LIMIT = 512 << 20
ASKED = (
    "How important is DeepSeek?",
    "Why does the US block chip exports to China?",
    "Can China already beat the US in chip tech?",
    "How do I make pizza dough?",
    "Which fab etches 10 nm sensor chips?",
)


@dataclass(frozen=True)
class Reply:
    """How long one request took, and whether the queue turned it away."""

    seconds: float
    busy: bool


@pytest.fixture
def app(tmp_path: Path, embedder: SentenceEmbedder) -> Iterator[LiveApp]:
    """The app over the seed corpus, on a free loopback port."""
    seeded_corpus(tmp_path)
    assistant = build_assistant(make_settings(tmp_path, port=free_port()), embedder=embedder)
    assistant.ingest()
    yield from served(assistant)


def session(url: str, first: int) -> list[Reply]:
    """One API client asking QUESTIONS questions in turn."""
    client = Client(url, verbose=False)
    replies = []
    try:
        for i in range(QUESTIONS):
            question = ASKED[(first + i) % len(ASKED)]
            began = time.perf_counter()
            try:
                result = client.predict(question, api_name="/ask")
            except QueueError:
                replies.append(Reply(time.perf_counter() - began, busy=True))
                continue
            assert result["question"] == question and result["answer"]
            replies.append(Reply(time.perf_counter() - began, busy=False))
    finally:
        client.close()
    return replies


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of `values` (share in 0..1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def rss_bytes() -> int:
    """Resident memory of this process (the app, the model and the clients)."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_concurrent_sessions_during_an_upload(app: LiveApp, tmp_path: Path) -> None:
    session(app.url, 0)  # warm up: first-request work is not growth
    before = rss_bytes()
    uploads = small_corpus(tmp_path / "incoming", UPLOADED)
    with ThreadPoolExecutor(CLIENTS + 1) as pool:
        upload = pool.submit(
            lambda: list(Handlers(app.assistant).upload([str(p) for p in uploads]))[-1]
        )
        sessions = [pool.submit(session, app.url, n) for n in range(CLIENTS)]
        replies = [reply for future in sessions for reply in future.result()]
        status = upload.result()[0]
    growth = rss_bytes() - before
    answered = [r.seconds for r in replies if not r.busy]
    p50, p95 = percentile(answered, 0.5), percentile(answered, 0.95)
    print(
        f"\nload: {CLIENTS} clients x {QUESTIONS} questions during an upload of {UPLOADED} "
        f"files: {len(answered)} answered, {len(replies) - len(answered)} busy; "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; RSS +{growth / 2**20:.0f} MiB; "
        f"{app.assistant.store.chunk_count()} chunks"
    )
    assert len(replies) == CLIENTS * QUESTIONS and answered
    assert status.count("indexed") == UPLOADED
    assert growth < RSS_GROWTH_LIMIT
    settings = app.assistant.settings
    assert stored_chunk_ids(app.assistant) == expected_chunk_ids(settings, app.assistant.embedder)
