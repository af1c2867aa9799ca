"""Mistakes through the `chipqa` command: exit 1, one line naming the fix, no traceback.

Most cases call the entry point in this process; two run the real console script in
separate processes (started together, as each loads the embedding model first).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import (
    Finished,
    error_line,
    finish,
    free_port,
    make_settings,
    run_main,
    seeded_corpus,
    start_chipqa,
)

from assistant.embed import SentenceEmbedder
from assistant.ingest import writer_lock
from assistant.pipeline import Assistant, build_assistant
from assistant.store import ChromaStore

ASK = ("ask", "How important is DeepSeek?")
SELENE = "# Selene fab\n\nThe Selene fab etches 3 nm chips on the Moon.\n"


def _corrupt_store(root: Path) -> None:
    folder = root / "data" / "chroma"
    folder.mkdir(parents=True)
    (folder / "chroma.sqlite3").write_bytes(b"SQLite format 2\0" + bytes(range(256)) * 64)


def _damaged_pages(root: Path) -> None:
    """A store made in another process, the second half of its database overwritten."""
    make = "from assistant.settings import Settings\nfrom assistant.store import ChromaStore\n"
    env = {**os.environ, "CHIPQA_DATA_DIR": str(root / "data")}
    subprocess.run(
        [sys.executable, "-c", f"{make}ChromaStore(Settings(), 'm', 8)"], env=env, check=True
    )
    database = root / "data" / "chroma" / "chroma.sqlite3"
    size = database.stat().st_size
    with database.open("r+b") as damaged:
        damaged.seek(size // 2)
        damaged.write(bytes(range(256)) * (size // 512))


def _other_model_store(root: Path) -> None:
    ChromaStore(make_settings(root), "other-model", 768)


def _file_in_the_way(root: Path) -> None:
    (root / "afile").write_text("not a folder")


@dataclass(frozen=True)
class Case:
    """A mistaken invocation: arguments, variables (`{root}` and `{port}` are filled in),
    what to break first, and the fragments its error line must hold."""

    args: tuple[str, ...]
    expected: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None


CASES = {
    "whitespace question": Case(("ask", " \t "), ("the question is empty",)),
    "k is 0": Case(ASK, ("CHIPQA_K", "greater than or equal to 1"), {"CHIPQA_K": "0"}),
    "k is abc": Case(ASK, ("CHIPQA_K", "valid integer"), {"CHIPQA_K": "abc"}),
    "unknown answerer": Case(
        ASK, ("CHIPQA_ANSWERER", "'extractive', 'llm' or 'local'"), {"CHIPQA_ANSWERER": "gpt"}
    ),
    "llm without endpoint": Case(
        (*ASK, "--answerer", "llm"), ("CHIPQA_LLM_BASE_URL", "CHIPQA_LLM_MODEL")
    ),
    "unreachable server": Case(
        ("ingest",),
        ("Chroma server at 127.0.0.1:{port}", "chroma run", "unset CHIPQA_CHROMA_HOST"),
        {"CHIPQA_CHROMA_HOST": "127.0.0.1", "CHIPQA_CHROMA_PORT": "{port}"},
    ),
    "data dir under a file": Case(
        ASK,
        ("cannot use data directory", "set CHIPQA_DATA_DIR to a writable folder"),
        {"CHIPQA_DATA_DIR": "{root}/afile/data"},
        _file_in_the_way,
    ),
    "corrupt store": Case(
        ("stats",),
        ("is damaged", "move that folder aside and run `chipqa ingest`"),
        {},
        _corrupt_store,
    ),
    "damaged store pages": Case(
        ("stats",),
        ("is damaged", "move that folder aside and run `chipqa ingest`"),
        {},
        _damaged_pages,
    ),
    "model mismatch": Case(
        ("stats", "--json"),
        ("built with other-model (dimension 768)", "CHIPQA_COLLECTION"),
        prepare=_other_model_store,
    ),
    "empty index": Case(ASK, ("nothing is indexed yet", "chipqa ingest")),
    "support threshold nan": Case(
        ASK, ("CHIPQA_SUPPORT_THRESHOLD", "finite number"), {"CHIPQA_SUPPORT_THRESHOLD": "nan"}
    ),
    "llm timeout inf": Case(
        ASK, ("CHIPQA_LLM_TIMEOUT", "finite number"), {"CHIPQA_LLM_TIMEOUT": "inf"}
    ),
    "chroma port out of range": Case(
        ("stats",), ("CHIPQA_CHROMA_PORT", "65535"), {"CHIPQA_CHROMA_PORT": "99999"}
    ),
}
USAGE = {  # a command line that does not parse: arguments, the fragment its line holds
    "k is abc": (("ask", "--k", "abc", "Why?"), "Invalid value for '--k'"),
    "missing question": (("ask",), "Missing argument 'question' (see `chipqa ask -h`)"),
    "unknown command": (("frobnicate",), "No such command 'frobnicate' (see `chipqa -h`)"),
    "unknown option": (("stats", "--jsn"), "No such option: --jsn"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_mistake_is_one_line_naming_the_fix(
    name: str,
    tmp_path: Path,
    embedder: SentenceEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = CASES[name]
    if case.prepare:
        case.prepare(tmp_path)
    fill = {"root": tmp_path, "port": free_port()}
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHIPQA_DATA_DIR", str(tmp_path / "data"))
    for key, value in case.env.items():
        monkeypatch.setenv(key, value.format(**fill))
    line = error_line(run_main(case.args, monkeypatch, capsys))
    assert all(fragment.format(**fill) in line for fragment in case.expected), line


@pytest.mark.parametrize("name", list(USAGE))
def test_usage_error_is_one_line_with_status_2(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args, fragment = USAGE[name]
    line = error_line(run_main(args, monkeypatch, capsys), status=2)
    assert fragment in line, line


def test_a_source_that_is_not_indexed_is_named(
    corpus_assistant: Assistant, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHIPQA_DATA_DIR", str(corpus_assistant.settings.data_dir))
    monkeypatch.setenv("CHIPQA_CORPUS_DIR", str(corpus_assistant.settings.corpus_dir))
    line = error_line(run_main([*ASK, "--source", "nope.md"], monkeypatch, capsys))
    assert line == (
        "chipqa: error: no document 'nope.md' is indexed: `chipqa stats` lists the documents "
        "(name them by their path inside the corpus folder)"
    )


@dataclass(frozen=True)
class RealRuns:
    """Console-script runs in their own processes, and the folder they ran in."""

    root: Path
    empty_question: Finished
    second_writer: Finished


@pytest.fixture(scope="module")
def real_runs(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder
) -> Iterator[RealRuns]:
    """`chipqa ask ""`, and `chipqa ingest` while this process holds the writer lock."""
    root = tmp_path_factory.mktemp("cli")
    build_assistant(make_settings(root), embedder=embedder).ingest([seeded_corpus(root)])
    (root / "corpus" / "selene.md").write_text(SELENE)
    with ExitStack() as held:
        held.enter_context(writer_lock(make_settings(root)))
        asking = start_chipqa(["ask", ""], tmp_path_factory.mktemp("ask"))
        ingesting = start_chipqa(["ingest"], root)
        yield RealRuns(root, finish(asking), finish(ingesting))


@pytest.mark.slow
def test_empty_question_from_the_console_script(real_runs: RealRuns) -> None:
    line = error_line(real_runs.empty_question)
    assert line == "chipqa: error: the question is empty: type a question about the documents"


@pytest.mark.slow
def test_second_writer_process_is_refused_and_changes_nothing(
    real_runs: RealRuns, embedder: SentenceEmbedder
) -> None:
    line = error_line(real_runs.second_writer)
    assert "another ChipQA ingest is writing" in line and "then retry" in line
    store = build_assistant(make_settings(real_runs.root), embedder=embedder).store
    assert set(store.documents()) == {"000_cb4bb78572b81c0a.txt"}
