"""Lexical index: BM25 over chunk terms in SQLite FTS5, on disk beside the vector store.

It ranks in the database, so no process holds a copy of the corpus. Rows are the chunks'
content terms (stopwords dropped, plurals folded: the same terms questions are reduced to),
and the document title, which `knows` and matching see but ranking weighs zero. The index is
derived from the store: `ChromaStore` writes both, records which generation of the store
the file mirrors, and rebuilds it when that or their chunk counts disagree (a store filled
from another machine, an interrupted write) or when the file is damaged: it is checked
when opened (`damaged` says which errors mean damage).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from assistant.errors import StoreError
from assistant.store.chroma_client import brief_error, storage_problem
from assistant.text import content_terms
from assistant.types import Chunk

SCHEMA_VERSION = 3  # a file of another version is emptied, then refilled from the store
SCHEMA = """
CREATE TABLE IF NOT EXISTS chunk_rows (
    id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunk_rows_source ON chunk_rows (source);
CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5 (
    terms, title, detail = none, tokenize = "unicode61 tokenchars '''' ");
CREATE VIRTUAL TABLE IF NOT EXISTS vocabulary USING fts5vocab (passages, 'row');
"""
DROP = """
DROP TABLE IF EXISTS vocabulary; DROP TABLE IF EXISTS passages; DROP TABLE IF EXISTS chunk_rows;
"""
STATE = "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)"
DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
# A title match makes a chunk a candidate, ranked after every chunk whose own words match
# (measured on dev: key-fact recall 0.814, against 0.809 when titles are not matched).
RANKING = "bm25(passages, 1.0, 0.0)"
T = TypeVar("T")

log = logging.getLogger(__name__)


class LexicalIndex:
    """BM25 ranking of chunks by their terms, in one SQLite file (safe across threads)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            self._open()
        except sqlite3.Error:
            self._db.close()
            raise
        self.inode = os.stat(path).st_ino

    def _open(self) -> None:
        """Set the file up, emptied when of another schema version, and check it.

        Raises:
            sqlite3.DatabaseError: the file is not SQLite, or it is damaged.
        """
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA busy_timeout = 30000")  # another process may be writing
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")  # one process at a time checks the version
            if self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                for statement in f"{DROP}{SCHEMA}".split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute(STATE)
        found = self._db.execute("PRAGMA quick_check").fetchone()[0]
        if found != "ok":
            error = sqlite3.DatabaseError(f"quick_check: {found}")
            error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
            raise error
        self._db.execute("INSERT INTO passages (passages) VALUES ('integrity-check')")

    def add(self, chunks: Sequence[Chunk], titles: dict[str, str]) -> None:
        """Index chunks (replacing any with the same id); `titles` maps source to title."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._delete_rows(
                "SELECT id FROM chunk_rows WHERE chunk_id IN (SELECT value FROM json_each(?))",
                (json.dumps([c.id for c in chunks]),),
            )
            for chunk in chunks:
                row = self._db.execute(
                    "INSERT INTO chunk_rows (chunk_id, source) VALUES (?, ?)",
                    (chunk.id, chunk.source),
                ).lastrowid
                self._db.execute(
                    "INSERT INTO passages (rowid, terms, title) VALUES (?, ?, ?)",
                    (row, _terms(f"{chunk.section} {chunk.text}"), _terms(titles[chunk.source])),
                )

    def delete_source(self, source: str) -> None:
        """Remove every chunk of one document."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._delete_rows("SELECT id FROM chunk_rows WHERE source = ?", (source,))

    def replace_all(self, batches: Iterable[tuple[Sequence[Chunk], dict[str, str]]]) -> None:
        """Empty the index and fill it from `batches`, in one transaction: readers in other
        processes see the old index until the new one is complete."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM passages")
            self._db.execute("DELETE FROM chunk_rows")
            for chunks, titles in batches:
                self._db.executemany(
                    "INSERT INTO chunk_rows (chunk_id, source) VALUES (?, ?)",
                    [(c.id, c.source) for c in chunks],
                )
                self._db.executemany(
                    "INSERT INTO passages (rowid, terms, title) "
                    "SELECT id, ?, ? FROM chunk_rows WHERE chunk_id = ?",
                    [
                        (_terms(f"{c.section} {c.text}"), _terms(titles[c.source]), c.id)
                        for c in chunks
                    ],
                )

    def rank(self, query: str, n: int, source: str | None = None) -> list[str]:
        """Ids of the `n` best chunks for the query's terms, best first."""
        terms = sorted(set(content_terms(query)))
        if not terms or n <= 0:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        sql = (
            "SELECT chunk_rows.chunk_id FROM passages JOIN chunk_rows ON chunk_rows.id = "
            "passages.rowid WHERE passages MATCH ?"
        )
        values: tuple[object, ...] = (match,)
        if source:
            sql += " AND chunk_rows.source = ?"
            values += (source,)
        sql += f" ORDER BY {RANKING} LIMIT ?"
        with self._lock:
            rows = self._db.execute(sql, (*values, n)).fetchall()
        return [row[0] for row in rows]

    def knows(self, term: str) -> bool:
        """Whether `term` (a content term) occurs in any chunk or title."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM vocabulary WHERE term = ?", (term,)).fetchone()
        return row is not None

    def count(self) -> int:
        """Number of indexed chunks."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunk_rows").fetchone()[0])

    def generation(self) -> str | None:
        """The generation of the store this file mirrors (None: not recorded)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()
        return None if row is None else str(row[0])

    def set_generation(self, generation: str | None) -> None:
        """Record the generation of the store this file now mirrors."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES ('generation', ?)", (generation,)
            )

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._db.close()

    def _delete_rows(self, select_ids: str, values: tuple[object, ...]) -> None:
        self._db.execute(f"DELETE FROM passages WHERE rowid IN ({select_ids})", values)
        self._db.execute(f"DELETE FROM chunk_rows WHERE id IN ({select_ids})", values)


def damaged(error: sqlite3.Error) -> bool:
    """Whether an error means the file is damaged or not SQLite at all (a full or read-only
    disk, or a lock, is not damage: rebuilding would not help)."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF in DAMAGE_CODES


def _terms(text: str) -> str:
    """What is indexed for a text: its content terms, space-separated."""
    return " ".join(content_terms(text))


class ChunkSource(Protocol):
    """The store a lexical file is derived from."""

    def chunk_pages(self) -> Iterator[tuple[list[Chunk], dict[str, str]]]:
        """Every stored chunk, a page at a time, with the titles of the page's documents."""
        ...

    def chunk_count(self) -> int:
        """Number of stored chunks."""
        ...

    def generation(self) -> str | None:
        """The store's generation, which every write replaces."""
        ...


class DerivedLexicalIndex:
    """The lexical file of one store, kept in step with it. Before its first use after the
    store changed it is compared with the store (generation and chunk count) and rebuilt
    when they differ. A file that is damaged or not SQLite, when opened or later, is rebuilt
    from the store with one line saying so; one another process replaced is opened again."""

    def __init__(self, path: Path, store: ChunkSource, data_dir: Path) -> None:
        self.path = path
        self._store = store
        self._data_dir = data_dir
        self._lock = threading.Lock()
        self._checked = False
        self._index = self._open()

    def rank(self, query: str, n: int, source: str | None = None) -> list[str]:
        """Ids of the `n` best chunks for the query's terms, best first."""
        return self._read(lambda index: index.rank(query, n, source))

    def knows(self, term: str) -> bool:
        """Whether `term` (a content term) occurs in any chunk or title."""
        return self._read(lambda index: index.knows(term))

    def add(self, chunks: Sequence[Chunk], titles: dict[str, str]) -> None:
        """Index chunks just written to the store."""
        self._write(lambda index: index.add(chunks, titles))

    def delete_source(self, source: str) -> None:
        """Remove a document just removed from the store."""
        self._write(lambda index: index.delete_source(source))

    def advance(self, before: str | None, generation: str | None) -> None:
        """This process's writes took the store from `before` to `generation`: a file that
        mirrored `before` now mirrors `generation`."""

        def move(index: LexicalIndex) -> None:
            if index.generation() == before:
                index.set_generation(generation)

        self._write(move)

    def store_changed(self) -> None:
        """Another process changed the store: compare the file with it before its next use."""
        self._checked = False

    def reopen_if_replaced(self) -> None:
        """Open the file again when another process replaced it (a rebuild after damage)."""
        try:
            replaced = os.stat(self.path).st_ino != self._index.inode
        except FileNotFoundError:
            replaced = True
        if replaced:
            with self._lock:
                self._index = self._open()
                self._checked = False

    def _synced(self) -> LexicalIndex:
        with self._lock:
            if not self._checked:
                generation = self._store.generation()
                index = self._index
                if index.generation() != generation or index.count() != self._store.chunk_count():
                    index.replace_all(self._store.chunk_pages())
                    index.set_generation(generation)
                self._checked = True
            return self._index

    def _open(self) -> LexicalIndex:
        try:
            return LexicalIndex(self.path)
        except (OSError, sqlite3.Error) as error:
            return self._rebuilt(error)

    def _rebuilt(self, error: OSError | sqlite3.Error) -> LexicalIndex:
        """A new file filled from the store in place of a damaged one; any other failure (a
        full or read-only disk) is a `StoreError`."""
        if not isinstance(error, sqlite3.Error) or not damaged(error):
            raise StoreError(
                storage_problem(error, self._data_dir)
                or f"cannot use {self.path} ({brief_error(error)})"
            ) from error
        log.warning("%s is damaged (%s): rebuilding it from the store", self.path, error)
        for name in (self.path.name, f"{self.path.name}-wal", f"{self.path.name}-shm"):
            (self.path.parent / name).unlink(missing_ok=True)
        index = LexicalIndex(self.path)
        index.replace_all(self._store.chunk_pages())
        index.set_generation(self._store.generation())
        return index

    def _read(self, read: Callable[[LexicalIndex], T]) -> T:
        try:
            return read(self._synced())
        except sqlite3.Error as error:
            self._heal(error)
            return read(self._synced())

    def _write(self, write: Callable[[LexicalIndex], object]) -> None:
        """`write`; after damage, the file rebuilt from the store (which the write to the
        store before it already changed) stands in for it."""
        try:
            write(self._index)
        except sqlite3.Error as error:
            self._heal(error)

    def _heal(self, error: sqlite3.Error) -> None:
        with self._lock:
            self._index = self._rebuilt(error)
            self._checked = True
