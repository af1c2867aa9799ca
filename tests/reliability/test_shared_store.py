"""No process answers from a stale view: this process holds an assistant while a `chipqa
ingest` in another process changes the store it shares, embedded (one data folder) and on a
`chroma run` server (another host: its own data folder and corpus). The next question here
finds what the other process wrote, and no longer finds what it removed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ChromaServer, finish, make_settings, seeded_corpus, small_corpus, start_chipqa

from assistant.embed import SentenceEmbedder
from assistant.pipeline import Assistant, build_assistant

pytestmark = pytest.mark.slow

ZORVATH = "How many accelerator boards does the Zorvath fab test a day?"
ZORVATH_DOC = "# Zorvath\n\nThe Zorvath fab in Tartu tests 12 accelerator boards a day.\n"
DEEPSEEK = "How important is DeepSeek?"


def ingest_elsewhere(cwd: Path, **env: str) -> dict[str, list[str]]:
    """`chipqa ingest` in a process of its own."""
    run = finish(start_chipqa(["ingest", "--json", "--prune"], cwd, **env))
    assert run.returncode == 0, run.stderr
    report: dict[str, list[str]] = json.loads(run.stdout)
    return report


def cited(assistant: Assistant, question: str) -> set[str]:
    """The sources the answer to `question` cites (none when it abstains)."""
    answer = assistant.ask(question)
    return set() if answer.abstained else {c.source for c in answer.citations}


def assert_sees_the_other_process(here: Assistant, other: Path, corpus: Path, **env: str) -> None:
    """Before each change the other process makes, this process has asked; after it, the
    answer follows the change (the question names a fab only the new document mentions)."""
    assert "zorvath.md" not in cited(here, ZORVATH)
    small_corpus(corpus, 3)
    (corpus / "zorvath.md").write_text(ZORVATH_DOC)
    assert len(ingest_elsewhere(other, **env)["added"]) == 4
    assert "zorvath.md" in cited(here, ZORVATH)
    (corpus / "zorvath.md").unlink()
    assert ingest_elsewhere(other, **env)["removed"] == ["zorvath.md"]
    assert "zorvath.md" not in cited(here, ZORVATH)


def test_embedded_store_question_sees_another_process_ingest(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    seeded_corpus(tmp_path)
    here = build_assistant(make_settings(tmp_path), embedder=embedder)
    here.ingest()
    assert "000_cb4bb78572b81c0a.txt" in cited(here, DEEPSEEK)
    assert_sees_the_other_process(here, tmp_path, tmp_path / "corpus")


def test_server_question_sees_another_host_ingest(
    tmp_path: Path, embedder: SentenceEmbedder, own_chroma: ChromaServer
) -> None:
    server = {"chroma_host": own_chroma.host, "chroma_port": own_chroma.port}
    seeded_corpus(tmp_path / "a")
    here = build_assistant(make_settings(tmp_path / "a", **server), embedder=embedder)
    here.ingest()
    assert "000_cb4bb78572b81c0a.txt" in cited(here, DEEPSEEK)
    env = {"CHIPQA_CHROMA_HOST": own_chroma.host, "CHIPQA_CHROMA_PORT": str(own_chroma.port)}
    host_b = tmp_path / "b"
    assert_sees_the_other_process(here, host_b, host_b / "corpus", **env)
