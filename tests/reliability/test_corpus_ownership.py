"""Ingest owns its corpus: it never removes another corpus's documents from a shared store,
refuses to remove many of its own unless asked to prune, and one bad file stops nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from helpers import ChromaServer, finish, make_settings, small_corpus, start_chipqa, stored_chunks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.embed import Progress, SentenceEmbedder
from assistant.ingest import PruneRefused, corpus_id
from assistant.pipeline import build_assistant
from assistant.uploads import add_files

pytestmark = pytest.mark.slow


def stats(cwd: Path, **env: str) -> dict[str, object]:
    run = finish(start_chipqa(["stats", "--json"], cwd, **env))
    assert run.returncode == 0, run.stderr
    found: dict[str, object] = json.loads(run.stdout)
    return found


def ingest(cwd: Path, *args: str, **env: str) -> tuple[int, str]:
    run = finish(start_chipqa(["ingest", "--json", *args], cwd, **env))
    return run.returncode, run.stdout if run.returncode == 0 else run.stderr


def test_two_hosts_with_their_own_corpus_folders_share_one_server(
    tmp_path: Path, own_chroma: ChromaServer
) -> None:
    server = {"CHIPQA_CHROMA_HOST": own_chroma.host, "CHIPQA_CHROMA_PORT": str(own_chroma.port)}
    host_a, host_b = tmp_path / "a", tmp_path / "b"
    small_corpus(host_a / "corpus", 5)
    small_corpus(host_b / "corpus", 3, first=20)
    assert ingest(host_a, **server)[0] == 0
    code, out = ingest(host_b, **server)
    assert code == 0 and json.loads(out)["removed"] == [], out
    found = stats(host_a, **server)
    assert found["documents"] == 8
    assert found["corpora"] == {
        corpus_id(host_a / "corpus"): 5,
        corpus_id(host_b / "corpus"): 3,
    }
    (host_b / "corpus" / "fab-020.md").unlink()
    code, out = ingest(host_b, **server)
    assert code == 0 and json.loads(out)["removed"] == ["fab-020.md"], out
    assert stats(host_a, **server)["documents"] == 7


def test_another_working_directory_leaves_the_index_alone(tmp_path: Path) -> None:
    """Relative folders are resolved once: a `./corpus` elsewhere is another corpus."""
    first, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    small_corpus(first / "corpus", 6)
    small_corpus(elsewhere / "corpus", 1, first=40)
    data = str(tmp_path / "data")
    relative = {"CHIPQA_CORPUS_DIR": "corpus", "CHIPQA_DATA_DIR": data}
    assert ingest(first, **relative)[0] == 0
    code, out = ingest(elsewhere, **relative)
    assert code == 0 and json.loads(out)["removed"] == [], out
    found = stats(elsewhere, **relative)
    assert found["documents"] == 7
    assert found["corpus_dir"] == str((elsewhere / "corpus").resolve())
    assert found["data_dir"] == data


def test_removing_many_documents_needs_prune(tmp_path: Path) -> None:
    paths = small_corpus(tmp_path / "corpus", 6)
    assert ingest(tmp_path)[0] == 0
    paths[0].unlink()
    code, out = ingest(tmp_path)
    assert code == 0 and json.loads(out)["removed"] == ["fab-000.md"]
    for path in paths[1:4]:
        path.unlink()
    code, err = ingest(tmp_path)
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "would remove 3 of the 5 documents" in err and "--prune" in err
    assert stats(tmp_path)["documents"] == 5
    code, out = ingest(tmp_path, "--prune")
    assert code == 0 and len(json.loads(out)["removed"]) == 3
    assert stats(tmp_path)["documents"] == 2


def test_an_emptied_corpus_folder_removes_nothing_without_prune(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    settings = make_settings(tmp_path)
    paths = small_corpus(settings.corpus_dir, 1)
    assistant = build_assistant(settings, embedder=embedder)
    assistant.ingest()
    paths[0].unlink()
    with pytest.raises(PruneRefused, match="1 of the 1 documents"):
        assistant.ingest()
    assert len(assistant.documents()) == 1
    assert assistant.ingest(prune=True).removed == ["fab-000.md"]


ONE_WORD = {"hello.md": "Hello", "number.txt": "1234", "title.md": "# Title"}


def test_one_word_files_index_beside_the_others(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    settings = make_settings(tmp_path)
    small_corpus(settings.corpus_dir, 2)
    for name, text in {**ONE_WORD, "empty-heading.md": "## ##"}.items():
        (settings.corpus_dir / name).write_text(text)
    report = build_assistant(settings, embedder=embedder).ingest()
    assert sorted(report.added) == sorted(["fab-000.md", "fab-001.md", *ONE_WORD])
    assert report.skipped == ["empty-heading.md: no text to index (headings or symbols only)"]


def test_an_upload_batch_with_a_one_word_file_indexes_every_good_file(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    settings = make_settings(tmp_path)
    settings.corpus_dir.mkdir()
    files = small_corpus(tmp_path / "incoming", 2)
    (tmp_path / "incoming" / "hello.md").write_text("Hello")
    (tmp_path / "incoming" / "blank.md").write_text("# \n\n## ##\n")
    outcomes = add_files(
        build_assistant(settings, embedder=embedder),
        [*files, tmp_path / "incoming" / "hello.md", tmp_path / "incoming" / "blank.md"],
    )
    assert [(o.name, o.ok) for o in outcomes] == [
        ("fab-000.md", True),
        ("fab-001.md", True),
        ("hello.md", True),
        ("blank.md", False),
    ]
    corpora = {d.corpus for d in build_assistant(settings, embedder=embedder).documents()}
    assert corpora == {corpus_id(settings.uploads_dir)}


class FailsOnWord(SentenceEmbedder):
    """The real model, but any batch holding `word` fails, as a bad text would."""

    def __init__(self, word: str) -> None:
        super().__init__()
        self.word = word

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        if any(self.word in text for text in texts):
            raise RuntimeError(f"cannot embed {self.word}")
        return super().embed(texts, progress)


def test_a_file_that_cannot_be_embedded_is_skipped_alone(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    small_corpus(settings.corpus_dir, 3)
    (settings.corpus_dir / "poison.md").write_text("The Zyxwv fab is cursed.")
    report = build_assistant(settings, embedder=FailsOnWord("Zyxwv")).ingest()
    assert sorted(report.added) == ["fab-000.md", "fab-001.md", "fab-002.md"]
    assert report.skipped == [
        "poison.md: could not be embedded (RuntimeError('cannot embed Zyxwv'))"
    ]


TEXTS = st.one_of(
    st.sampled_from(["", " ", "\n\t\n", "Hello", "# Title", "## ##", "- ", "§±!", "?" * 400]),
    st.text(max_size=40),
    st.integers(1, 4000).map(lambda n: "token" * n),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(texts=st.lists(TEXTS, min_size=1, max_size=3))
def test_any_short_or_odd_files_leave_the_good_one_indexed(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder, texts: list[str]
) -> None:
    settings = make_settings(tmp_path_factory.mktemp("odd"))
    small_corpus(settings.corpus_dir, 1)
    for n, text in enumerate(texts):
        (settings.corpus_dir / f"odd-{n}.md").write_text(text, encoding="utf-8", errors="replace")
    assistant = build_assistant(settings, embedder=embedder)
    report = assistant.ingest()
    assert "fab-000.md" in report.added
    assert len(report.added) + len(report.skipped) == len(texts) + 1, report
    assert {c.source for c in stored_chunks(assistant)} == set(report.added)
