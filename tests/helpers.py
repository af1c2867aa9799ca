"""What the tests share that is not a fixture: paths, settings, ports, a `chroma run`
launcher, the app served on loopback, `chipqa` runs, small corpora, chunk-id bookkeeping and
the exact-quote check."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from token_gate import TokenGate

from assistant.chunk import chunk_document
from assistant.embed import Embedder
from assistant.ingest import source_key
from assistant.load import iter_corpus_files, load_document
from assistant.pipeline import Assistant
from assistant.settings import Settings
from assistant.types import Chunk, Citation

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SEED = CORPUS / "000_cb4bb78572b81c0a.txt"
BIN = Path(sys.executable).parent
CLI_TIMEOUT_S = 180
GATE_TOKEN = "chipqa-gate.7Qm2"  # the token `gated_chroma` lets through
ORRIN = "The Orrin fab in Tallinn packages 40,000 AI accelerators a month for export to Chile.\n"
ORRIN_QUESTION = "How many accelerators does the Orrin fab package?"  # answered from ORRIN


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings whose corpus and data live under `tmp_path` unless overridden."""
    values: dict[str, object] = {"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def server_settings(tmp_path: Path, server: tuple[str, int]) -> Settings:
    """Settings for a collection of this test's own on a Chroma server."""
    name = f"t{abs(hash(tmp_path)) % 10**8}"
    return make_settings(tmp_path, chroma_host=server[0], chroma_port=server[1], collection=name)


def assert_quotes_exact(citations: Iterable[Citation | Mapping[str, Any]], corpus: Path) -> None:
    """Every citation's quote is exactly its source document's text at its offsets."""
    for citation in citations:
        c = citation if isinstance(citation, Mapping) else citation.to_dict()
        text = load_document(corpus / c["source"], c["source"]).text
        assert text[c["start"] : c["end"]] == c["quote"], c


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, seconds: float = 60.0) -> None:
    """Block until something accepts connections on loopback `port`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} within {seconds}s")


@dataclass
class ChromaServer:
    """A real `chroma run` server on loopback that a test may stop and start again. With a
    `token`, `chroma run` listens elsewhere and `port` is a `TokenGate` in front of it."""

    path: Path
    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    token: str | None = None
    process: subprocess.Popen[bytes] | None = None
    gate: TokenGate | None = None

    def start(self) -> ChromaServer:
        """Start serving `path` on `port` and wait until it accepts connections."""
        chroma_port = self.port if self.token is None else free_port()
        address = ["--host", self.host, "--port", str(chroma_port)]
        self.process = subprocess.Popen(
            [str(BIN / "chroma"), "run", "--path", str(self.path), *address],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(chroma_port)
        if self.token is not None:
            self.gate = TokenGate(self.token, upstream=chroma_port, port=self.port).start()
        return self

    def stop(self) -> None:
        """Stop the server (and its gate) and wait for it to exit."""
        if self.gate is not None:
            self.gate.stop()
            self.gate = None
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@dataclass(frozen=True)
class LiveApp:
    """The running app: where it listens, and the assistant behind it."""

    url: str
    assistant: Assistant

    @property
    def corpus_dir(self) -> Path:
        """The corpus folder uploads are written to."""
        return self.assistant.settings.corpus_dir

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:PORT`, the only origin the page may talk to."""
        return self.url.rstrip("/")


def served(assistant: Assistant) -> Iterator[LiveApp]:
    """The app serving `assistant` on its settings' port until the generator is closed."""
    from assistant.web import serve  # Gradio: only for the tests that serve the app

    app = serve(assistant, block=False)
    try:
        wait_for_port(assistant.settings.port)
        yield LiveApp(f"http://127.0.0.1:{assistant.settings.port}/", assistant)
    finally:
        app.close()


@dataclass(frozen=True)
class Finished:
    """A finished `chipqa` run."""

    returncode: int
    stdout: str
    stderr: str


def start_chipqa(
    args: Sequence[str], cwd: Path, wrapper: Sequence[str] = (), **env: str
) -> subprocess.Popen[str]:
    """Start `chipqa ARGS` in `cwd` (run by `wrapper`, if given), its data and corpus folders
    inside `cwd` unless `env` says otherwise."""
    variables = {
        **os.environ,
        "CHIPQA_DATA_DIR": str(cwd / "data"),
        "CHIPQA_CORPUS_DIR": str(cwd / "corpus"),
        **env,
    }
    return subprocess.Popen(
        [*wrapper, str(BIN / "chipqa"), *args],
        cwd=cwd,
        env=variables,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def without_root_privileges() -> list[str]:
    """A wrapper under which file permissions apply to this user: root ignores them, so it
    runs without the capabilities that let it (skips when that cannot be done)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root ignores file permissions and setpriv is not installed")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def finish(process: subprocess.Popen[str]) -> Finished:
    """Wait for a `chipqa` run and collect its output."""
    stdout, stderr = process.communicate(timeout=CLI_TIMEOUT_S)
    return Finished(process.returncode, stdout, stderr)


def run_main(
    args: Sequence[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Finished:
    """Run the `chipqa` entry point in this process, as the console script would."""
    from assistant.cli import main

    monkeypatch.setattr(sys, "argv", ["chipqa", *args])
    try:
        main()
        code = 0
    except SystemExit as stopped:
        code = int(stopped.code or 0)
    out, err = capsys.readouterr()
    return Finished(code, out, err)


def error_line(run: Finished, status: int = 1) -> str:
    """The run's one error line, after checking the CLI's promise for mistakes: exit status
    1 (2 for a command line that does not parse) and one line on stderr starting
    `chipqa: error:`, no traceback."""
    lines = run.stderr.strip().splitlines()
    assert run.returncode == status, run.stderr
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith("chipqa: error: "), run.stderr
    return lines[0]


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
    return {chunk.id for chunk in stored_chunks(assistant)}


def stored_chunks(assistant: Assistant) -> list[Chunk]:
    """The chunks the store holds, read afresh."""
    return [chunk for chunk, _ in assistant.store.load_chunks()]
