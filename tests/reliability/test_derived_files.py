"""Derived files heal and damaged ones are named: a lexical file with damaged pages, or one
that is not SQLite at all, is rebuilt from the store with one line saying so; a passage
whose stored text was altered is left out with a line naming `chipqa ingest --repair`,
which embeds its document again."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from helpers import (
    Finished,
    assert_quotes_exact,
    make_settings,
    run_main,
    seeded_corpus,
    small_corpus,
)

from assistant.embed import SentenceEmbedder
from assistant.pipeline import build_assistant
from assistant.settings import Settings

pytestmark = pytest.mark.slow

DEEPSEEK = "How important is DeepSeek?"
WAFERS = "Which fab ships 13 wafers a week?"  # fab-003.md: "Fab 3 ships 13 wafers a week."
PAGE = 4096


@pytest.fixture
def indexed(
    tmp_path: Path, embedder: SentenceEmbedder, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """The seed document and four fab notes, indexed; the CLI pointed at them."""
    seeded_corpus(tmp_path)
    small_corpus(tmp_path / "corpus", 4)
    settings = make_settings(tmp_path)
    build_assistant(settings, embedder=embedder).ingest()
    monkeypatch.setenv("CHIPQA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CHIPQA_CORPUS_DIR", str(settings.corpus_dir))
    return settings


def lexical_file(settings: Settings) -> Path:
    path = settings.data_dir / "lexical" / f"{settings.collection_name()}.sqlite3"
    with closing(sqlite3.connect(path)) as db:  # everything into the main file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def warnings(run: Finished) -> list[str]:
    assert run.returncode == 0, run.stderr
    return run.stderr.strip().splitlines()


def cites(run: Finished, corpus: Path, source: str) -> bool:
    answer = json.loads(run.stdout)
    assert_quotes_exact(answer["citations"], corpus)
    return source in {c["source"] for c in answer["citations"]}


def test_lexical_file_with_damaged_pages_is_rebuilt_and_said_so(
    indexed: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = lexical_file(indexed)
    size = path.stat().st_size
    with path.open("r+b") as damaged:  # every page after the first two
        damaged.seek(2 * PAGE)
        damaged.write(bytes(range(256)) * ((size - 2 * PAGE) // 256))
    run = run_main(["ask", WAFERS, "--json"], monkeypatch, capsys)
    [line] = warnings(run)
    assert line.startswith("chipqa: warning: ") and str(path) in line
    assert "damaged" in line and "rebuilding it from the store" in line
    assert cites(run, indexed.corpus_dir, "fab-003.md")
    assert warnings(run_main(["ask", WAFERS, "--json"], monkeypatch, capsys)) == []


@pytest.mark.parametrize("command", [["stats"], ["ingest"], ["ask", DEEPSEEK, "--json"]])
def test_a_file_that_is_not_sqlite_is_rebuilt_and_said_so(
    command: list[str],
    indexed: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = lexical_file(indexed)
    path.write_text("these are notes, not a database\n" * 200)
    run = run_main(command, monkeypatch, capsys)
    [line] = warnings(run)
    assert str(path) in line and "rebuilding it from the store" in line
    if command[0] == "ask":
        assert cites(run, indexed.corpus_dir, "000_cb4bb78572b81c0a.txt")
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM chunk_rows").fetchone()[0] > 0


def alter_stored_text(settings: Settings, source: str, old: str, new: str) -> None:
    """Change the text Chroma holds for one chunk of `source`, as a damaged disk would."""
    client = chromadb.PersistentClient(
        path=str(settings.data_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    chunks = client.get_collection(settings.collection_name(), embedding_function=None)
    rows = chunks.get(where={"source": source}, include=["documents", "embeddings"])
    texts = rows["documents"] or []
    at = next(i for i, text in enumerate(texts) if old in text)
    chunks.update(
        ids=[rows["ids"][at]],
        documents=[texts[at].replace(old, new)],
        embeddings=[rows["embeddings"][at]],  # type: ignore[index]
    )


def test_altered_passage_is_left_out_until_repair_embeds_it_again(
    indexed: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_main(["ask", WAFERS, "--json"], monkeypatch, capsys)
    assert cites(run, indexed.corpus_dir, "fab-003.md")
    alter_stored_text(indexed, "fab-003.md", "13 wafers", "18 wafers")
    run = run_main(["ask", WAFERS, "--json"], monkeypatch, capsys)
    assert not cites(run, indexed.corpus_dir, "fab-003.md")
    [line] = warnings(run)
    assert "fab-003.md" in line and "run `chipqa ingest --repair`" in line
    plain = json.loads(run_main(["ingest", "--json"], monkeypatch, capsys).stdout)
    assert plain["updated"] == [] and "fab-003.md" in plain["unchanged"]
    repaired = json.loads(run_main(["ingest", "--repair", "--json"], monkeypatch, capsys).stdout)
    assert repaired["updated"] == ["fab-003.md"] and repaired["added"] == []
    run = run_main(["ask", WAFERS, "--json"], monkeypatch, capsys)
    assert cites(run, indexed.corpus_dir, "fab-003.md") and warnings(run) == []
