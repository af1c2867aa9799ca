"""Walking the corpus folder: symlinks that lead out of it, symlink loops and folders that
cannot be read are never followed; each is one line of the report, and documents indexed
from a folder that became unreadable stay in the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import finish, make_settings, small_corpus, start_chipqa, without_root_privileges

from assistant.embed import SentenceEmbedder
from assistant.pipeline import build_assistant

pytestmark = pytest.mark.slow

SECRET = "The vault code of the Orrin fab is 4417.\n"


def test_symlinks_out_of_the_corpus_and_loops_are_reported_not_followed(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    corpus = tmp_path / "corpus"
    small_corpus(corpus, 2)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "elsewhere").symlink_to(outside, target_is_directory=True)
    (corpus / "loop.md").symlink_to(corpus / "loop.md")
    (corpus / "fab-copy.md").symlink_to(corpus / "fab-000.md")  # inside: left to its target
    assistant = build_assistant(make_settings(tmp_path), embedder=embedder)
    report = assistant.ingest()
    assert sorted(report.skipped) == [
        f"{corpus}/elsewhere: a symlink leading out of the corpus folder: not followed",
        f"{corpus}/loop.md: a symlink loop: skipped",
        f"{corpus}/secret.txt: a symlink leading out of the corpus folder: not followed",
    ]
    assert [doc.source for doc in assistant.documents()] == ["fab-000.md", "fab-001.md"]
    assert not assistant.store.knows_term("vault")


def test_an_indexed_folder_that_becomes_unreadable_is_reported_and_kept(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    corpus = tmp_path / "corpus"
    small_corpus(corpus / "open", 2)
    small_corpus(corpus / "locked", 2, first=10)
    settings = make_settings(tmp_path)
    assert len(build_assistant(settings, embedder=embedder).ingest().added) == 4
    (corpus / "locked").chmod(0)
    try:
        run = finish(start_chipqa(["ingest", "--json"], tmp_path, without_root_privileges()))
    finally:
        (corpus / "locked").chmod(0o755)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["skipped"] == [f"{corpus}/locked: cannot read this folder (Permission denied)"]
    assert report["removed"] == [] and len(report["unchanged"]) == 2
    assert len(build_assistant(settings, embedder=embedder).documents()) == 4
