"""Faults: a killed ingest, a Chroma server that restarts, dies mid-ingest or freezes, and
two writers on one server. The store stays usable and ends up holding each chunk once, and
a frozen server is an error, never a hang."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest
from helpers import (
    ChromaServer,
    error_line,
    expected_chunk_ids,
    finish,
    make_settings,
    run_main,
    seeded_corpus,
    server_settings,
    small_corpus,
    start_chipqa,
    stored_chunk_ids,
)

from assistant.embed import SentenceEmbedder
from assistant.errors import StoreError
from assistant.ingest import IngestProgress, IngestReport
from assistant.pipeline import Assistant, build_assistant
from assistant.settings import Settings

pytestmark = pytest.mark.slow

DOCS = 150  # four texts each: about three groups of texts, so a kill can fall between two
DEEPSEEK = "How important is DeepSeek?"


def stored_rows(settings: Settings) -> int:
    """Chunks in an embedded store, read from its SQLite file while another process writes."""
    database = settings.data_dir / "chroma" / "chroma.sqlite3"
    query = (
        "SELECT count(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
        "JOIN collections c ON s.collection = c.id WHERE c.name = ?"
    )
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as db:
            return int(db.execute(query, (settings.collection_name(),)).fetchone()[0])
    except sqlite3.Error:  # not created yet, or busy
        return 0


def kill_once_chunks_land(tmp_path: Path, settings: Settings) -> None:
    """Run `chipqa ingest` and SIGKILL it as soon as its first chunks are stored."""
    process = start_chipqa(["ingest", "--json"], tmp_path)
    deadline = time.monotonic() + 180
    try:
        while stored_rows(settings) == 0:
            assert process.poll() is None, "the ingest ended before any chunk was stored"
            assert time.monotonic() < deadline, "no chunk was stored within 180 s"
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)


def assert_complete_documents_have_their_sentences(assistant: Assistant) -> None:
    """A document the store calls complete has a vector for every sentence of every chunk."""
    complete = [chunk for chunk, doc in assistant.store.load_chunks() if doc.complete]
    stored = assistant.store.passages([chunk.id for chunk in complete])
    for chunk in complete:
        assert len(stored[chunk.id].sentence_vectors) == len(chunk.sentences), chunk.source


def test_killed_ingest_leaves_a_usable_store_and_resumes_without_duplicates(
    tmp_path: Path,
    embedder: SentenceEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sources = [path.name for path in small_corpus(tmp_path / "corpus", DOCS)]
    settings = make_settings(tmp_path)
    kill_once_chunks_land(tmp_path, settings)

    after_kill = build_assistant(settings, embedder=embedder)
    assert_complete_documents_have_their_sentences(after_kill)
    assert after_kill.ask("Which fab etches 10 nm sensor chips?").text
    monkeypatch.setenv("CHIPQA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CHIPQA_CORPUS_DIR", str(settings.corpus_dir))
    stats = json.loads(run_main(["stats", "--json"], monkeypatch, capsys).stdout)
    listed = {s["source"]: s["complete"] for s in stats["sources"]}
    assert set(stats["incomplete"]) == {source for source, done in listed.items() if not done}
    assert [s for s in sources if not listed.get(s)], "the kill came too late to interrupt"

    resumed = run_main(["ingest", "--json"], monkeypatch, capsys)
    assert resumed.returncode == 0, resumed.stderr
    clean_settings = make_settings(tmp_path / "clean", corpus_dir=settings.corpus_dir)
    clean = build_assistant(clean_settings, embedder=embedder)
    clean.ingest()
    after = build_assistant(settings, embedder=embedder)
    assert stored_chunk_ids(after) == stored_chunk_ids(clean)
    assert after.store.chunk_count() == clean.store.chunk_count()
    assert after.store.sentence_count() == clean.store.sentence_count()
    assert all(doc.complete for doc in after.documents()) and len(after.documents()) == DOCS


def test_two_concurrent_writers_on_a_server_both_complete(
    tmp_path: Path, embedder: SentenceEmbedder, chroma_server: tuple[str, int]
) -> None:
    settings = server_settings(tmp_path, chroma_server)
    parts = [settings.corpus_dir / "part-a", settings.corpus_dir / "part-b"]
    for first, part in ((0, parts[0]), (100, parts[1])):
        small_corpus(part, 8, first)
    writers = [build_assistant(settings, embedder=embedder) for _ in parts]
    start = threading.Barrier(len(parts))

    def write(assistant: Assistant, part: Path) -> IngestReport:
        start.wait()
        return assistant.ingest([part])

    with ThreadPoolExecutor(len(parts)) as pool:
        running = [pool.submit(write, w, part) for w, part in zip(writers, parts, strict=True)]
        reports = [future.result(timeout=300) for future in running]
    assert [len(report.added) for report in reports] == [8, 8]
    fresh = build_assistant(settings, embedder=embedder)
    assert stored_chunk_ids(fresh) == expected_chunk_ids(settings, embedder)
    assert fresh.store.chunk_count() == len(expected_chunk_ids(settings, embedder))


def test_server_restart_between_questions(
    tmp_path: Path, embedder: SentenceEmbedder, own_chroma: ChromaServer
) -> None:
    seeded_corpus(tmp_path)
    settings = server_settings(tmp_path, ("127.0.0.1", own_chroma.port))
    assistant = build_assistant(settings, embedder=embedder)
    assistant.ingest()
    before = assistant.ask(DEEPSEEK)
    own_chroma.stop()
    with pytest.raises(StoreError, match=r"vector store is unavailable .*; retry shortly$") as down:
        assistant.ask(DEEPSEEK)
    assert "\n" not in str(down.value)
    own_chroma.start()
    assert assistant.ask(DEEPSEEK).text == before.text


def test_server_dying_mid_ingest_is_one_error_and_the_next_ingest_completes(
    tmp_path: Path, embedder: SentenceEmbedder, own_chroma: ChromaServer
) -> None:
    small_corpus(tmp_path / "corpus", 4)
    settings = server_settings(tmp_path, ("127.0.0.1", own_chroma.port))
    assistant = build_assistant(settings, embedder=embedder)
    started: list[str] = []

    def stop_at_second_file(progress: IngestProgress) -> None:
        if progress.total is None and len(started) < 2:
            started.append(progress.file)
            if len(started) == 2:
                own_chroma.stop()

    with pytest.raises(StoreError, match="vector store is unavailable") as down:
        assistant.ingest(progress=stop_at_second_file)
    assert "\n" not in str(down.value)
    own_chroma.start()
    report = assistant.ingest()
    assert len(report.added) + len(report.unchanged) == 4
    assert stored_chunk_ids(assistant) == expected_chunk_ids(settings, embedder)


def in_a_thread(call: Callable[[], object]) -> queue.SimpleQueue[object]:
    """`call` run in a daemon thread; its result or exception arrives in the queue."""
    done: queue.SimpleQueue[object] = queue.SimpleQueue()

    def run() -> None:
        try:
            done.put(call())
        except Exception as error:  # handed to the test
            done.put(error)

    threading.Thread(target=run, daemon=True).start()
    return done


def test_frozen_server_is_unavailable_not_a_hang(
    tmp_path: Path, embedder: SentenceEmbedder, own_chroma: ChromaServer
) -> None:
    seeded_corpus(tmp_path)
    settings = server_settings(tmp_path, ("127.0.0.1", own_chroma.port)).replace(chroma_timeout=1)
    assistant = build_assistant(settings, embedder=embedder)
    assistant.ingest()
    before = assistant.ask(DEEPSEEK)
    assert own_chroma.process is not None
    os.kill(own_chroma.process.pid, signal.SIGSTOP)
    try:
        asked = in_a_thread(lambda: assistant.ask(DEEPSEEK))
        env = {
            "CHIPQA_CHROMA_HOST": "127.0.0.1",
            "CHIPQA_CHROMA_PORT": str(own_chroma.port),
            "CHIPQA_CHROMA_TIMEOUT": "1",
        }
        cli = start_chipqa(["ask", DEEPSEEK], tmp_path, **env)
        try:
            line = error_line(finish(cli))
        finally:
            cli.kill()
        failed = asked.get(timeout=120)  # bounds the test, not the store: it answers in ~1 s
    finally:
        os.kill(own_chroma.process.pid, signal.SIGCONT)
    unavailable = "vector store is unavailable (no answer within CHIPQA_CHROMA_TIMEOUT)"
    assert isinstance(failed, StoreError) and str(failed).startswith(f"the {unavailable}")
    assert line == f"chipqa: error: the {unavailable}; retry shortly"
    assert assistant.ask(DEEPSEEK).text == before.text
