"""The lexical index: BM25 ranking in SQLite FTS5, and the store keeping it in step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from helpers import make_settings, small_corpus, stored_chunk_ids

from assistant.embed import Embedder
from assistant.pipeline import build_assistant
from assistant.store.lexical import LexicalIndex
from assistant.types import Chunk

TITLES = {"a.md": "Export Rules", "b.md": "Foundry Notes"}


def chunk(source: str, index: int, text: str) -> Chunk:
    return Chunk(f"{source}:{index}", source, index, 0, len(text), text, "Intro", ())


def filled(path: Path) -> LexicalIndex:
    index = LexicalIndex(path)
    index.add(
        [
            chunk("a.md", 0, "The H20 chips were banned from sale in China."),
            chunk("a.md", 1, "Licences for chips are reviewed case by case."),
        ],
        TITLES,
    )
    index.add([chunk("b.md", 0, "SMIC makes 7nm chips; Huawei's Ascend chips use them.")], TITLES)
    return index


def test_ranks_by_the_query_terms_rarest_first(tmp_path: Path) -> None:
    index = filled(tmp_path / "lexical.sqlite3")
    assert index.rank("Which chips does SMIC make?", 3)[0] == "b.md:0"
    assert index.rank("Were the H20 chips banned?", 3)[0] == "a.md:0"
    assert set(index.rank("chips", 5, source="a.md")) == {"a.md:0", "a.md:1"}
    assert index.rank("What about the weather?", 3) == []
    assert index.rank("the of and", 3) == []  # stopwords only: nothing to match


def test_knows_chunk_and_title_terms_and_ranks_title_matches_last(tmp_path: Path) -> None:
    index = filled(tmp_path / "lexical.sqlite3")
    assert index.knows("huawei") and index.knows("foundry") and not index.knows("tsmc")
    assert index.rank("foundry licences", 3) == ["a.md:1", "b.md:0"]


def test_replacing_and_deleting_never_leaves_stale_rows(tmp_path: Path) -> None:
    index = filled(tmp_path / "lexical.sqlite3")
    index.add([chunk("a.md", 0, "Rewritten: Nvidia designs new parts.")], TITLES)
    assert index.count() == 3 and index.rank("banned", 3) == []
    assert index.rank("nvidia", 3) == ["a.md:0"]
    index.delete_source("a.md")
    assert index.count() == 1 and index.rank("nvidia", 3) == [] and not index.knows("nvidia")
    index.replace_all([([chunk("c.md", 0, "Rapidus plans 2nm.")], {"c.md": "C"})])
    assert index.count() == 1 and index.rank("rapidus smic", 3) == ["c.md:0"]


def test_a_store_rebuilds_a_missing_lexical_file_from_its_chunks(
    tmp_path: Path, embedder: Embedder
) -> None:
    settings = make_settings(tmp_path)
    small_corpus(settings.corpus_dir, 4)  # fab-003 ships wafers; fab-001 packages chiplets
    build_assistant(settings, embedder=embedder).ingest()
    for path in (settings.data_dir / "lexical").iterdir():
        path.unlink()  # lost, or the store was filled from another machine
    again = build_assistant(settings, embedder=embedder)
    best = again.store.lexical_ranking("Which fab ships wafers?", 5)[0]
    assert again.store.passages([best])[best].chunk.source == "fab-003.md"
    assert again.store.knows_term("chiplet") and not again.store.knows_term("rapidus")
    everything = again.store.lexical_ranking("fab", 100)
    assert len(everything) == len(set(everything)) and set(everything) == stored_chunk_ids(again)


def test_a_file_of_an_older_schema_is_emptied_for_a_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "lexical.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE VIRTUAL TABLE passages USING fts5 (terms, title, detail = none)")
    old.execute("INSERT INTO passages VALUES ('stale chips', 'Old')")
    old.commit()
    old.close()
    index = LexicalIndex(path)
    assert index.count() == 0 and index.rank("stale chips", 3) == []
    index.add([chunk("a.md", 0, "Fresh chips.")], TITLES)
    assert index.rank("chips", 3) == ["a.md:0"]
