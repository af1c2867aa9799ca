"""Shared by the reliability tests: `chipqa` runs (in a new process or this one), small
corpora, chunk-id bookkeeping, a restartable Chroma server, and the live app and scripted
LLM of tests/browser (re-exported here so that these tests can use them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser.conftest import live_app, scripted_llm
from conftest import CORPUS, free_port, wait_for_port

from assistant.chunk import chunk_document
from assistant.embed import Embedder
from assistant.ingest import source_key
from assistant.load import iter_corpus_files, load_document
from assistant.pipeline import Assistant
from assistant.settings import Settings

__all__ = ["live_app", "scripted_llm"]

CHIPQA = Path(sys.executable).parent / "chipqa"
CHROMA = Path(sys.executable).parent / "chroma"
SEED = CORPUS / "000_cb4bb78572b81c0a.txt"
CLI_TIMEOUT_S = 180


def start_chipqa(args: Sequence[str], cwd: Path, **env: str) -> subprocess.Popen[str]:
    """Start `chipqa ARGS` in `cwd`, its data and corpus folders inside `cwd` unless `env`
    says otherwise."""
    variables = {
        **os.environ,
        "CHIPQA_DATA_DIR": str(cwd / "data"),
        "CHIPQA_CORPUS_DIR": str(cwd / "corpus"),
        **env,
    }
    return subprocess.Popen(
        [str(CHIPQA), *args],
        cwd=cwd,
        env=variables,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass(frozen=True)
class Finished:
    """A finished `chipqa` run."""

    returncode: int
    stdout: str
    stderr: str


def finish(process: subprocess.Popen[str]) -> Finished:
    """Wait for a `chipqa` run and collect its output."""
    stdout, stderr = process.communicate(timeout=CLI_TIMEOUT_S)
    return Finished(process.returncode, stdout, stderr)


def error_line(run: Finished) -> str:
    """The run's one error line, after checking the CLI's promise for mistakes: exit status
    1 and one line on stderr starting `chipqa: error:`, no traceback."""
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 1, run.stderr
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith("chipqa: error: "), run.stderr
    return lines[0]


def run_main(
    args: Sequence[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Finished:
    """Run the `chipqa` entry point in this process, as the console script would (the
    embedding model is already loaded here, so this is quick)."""
    from assistant.cli import main

    monkeypatch.setattr(sys, "argv", ["chipqa", *args])
    try:
        main()
        code = 0
    except SystemExit as stopped:
        code = int(stopped.code or 0)
    out, err = capsys.readouterr()
    return Finished(code, out, err)


def seeded_corpus(root: Path, extra: dict[str, str] | None = None) -> Path:
    """A corpus folder under `root` holding the seed document and `extra` files by name."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    shutil.copy(SEED, corpus)
    shutil.copy(SEED.with_name(SEED.stem + ".meta.yaml"), corpus)
    for name, text in (extra or {}).items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


FACTS = (
    "etches {n} nm sensor chips",
    "packages {n} thousand chiplets a month",
    "tests {n} accelerator boards a day",
    "ships {n} wafers a week",
)


def small_corpus(folder: Path, count: int, first: int = 0) -> list[Path]:
    """`count` short Markdown documents about invented fabs, one chunk each."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(first, first + count):
        path = folder / f"fab-{i:03d}.md"
        fact = FACTS[i % len(FACTS)].format(n=10 + i)
        path.write_text(
            f"# Fab {i}\n\nFab {i} {fact}. It opened in {2030 + i % 7}. "
            f"Its owner plans {2 + i % 5} more production lines.\n"
        )
        paths.append(path)
    return paths


def expected_chunk_ids(settings: Settings, embedder: Embedder) -> set[str]:
    """Ids of the chunks a fresh chunking of the corpus folder gives."""
    ids = set()
    for path in iter_corpus_files(settings.corpus_dir):
        doc = load_document(path, source_key(path, settings.corpus_dir))
        chunks = chunk_document(doc, embedder.count_tokens, settings.max_chunk_tokens)
        ids |= {chunk.id for chunk in chunks}
    return ids


def stored_chunk_ids(assistant: Assistant) -> set[str]:
    """Ids of the chunks the store holds, read afresh."""
    return set(assistant.store.chunks.get(include=[])["ids"])


@dataclass
class ChromaServer:
    """A `chroma run` server on loopback that a test may stop and start again."""

    path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start serving `path` on `port` and wait until it accepts connections."""
        host = ["--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), *host],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@pytest.fixture
def own_chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    """A Chroma server of this test's own, already started."""
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.stop()
