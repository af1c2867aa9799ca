"""A stateful property: whatever mix of edits, deletions, ingests and restarts (a new
`Assistant` over the same data folder), after an ingest the store holds exactly the chunks
of the corpus as it is now, and every sentence vector belongs to one of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import expected_chunk_ids, make_settings, stored_chunk_ids, stored_chunks
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from hypothesis.strategies import lists, sampled_from

from assistant.embed import SentenceEmbedder
from assistant.pipeline import build_assistant

pytestmark = pytest.mark.slow

NAMES = ("a.md", "b.txt", "notes/c.md")
LONG = "\n\n".join(
    f"## Part {n}\n\nThe Selene fab added line {n} in {2030 + n}. Each line etches {n + 2} nm "
    f"chips for accelerator boards, and the owner reports yields of {60 + n} percent."
    for n in range(6)
)
TEXTS = (
    "# Alpha\n\nHuawei unveiled the Ascend 910C. It targets training workloads.\n",
    "# Beta\n\nCambricon revenue rose sharply in 2025. Investors cheered.\n",
    "SMIC ships 7 nm chips.\n",
    f"# Selene fab\n\n{LONG}\n",
)


class CorpusAndStore(RuleBasedStateMachine):
    """A corpus folder and the store built from it, changed step by step."""

    def __init__(self, root: Path, embedder: SentenceEmbedder) -> None:
        super().__init__()
        self.settings = make_settings(root)
        self.settings.corpus_dir.mkdir(parents=True)
        self.embedder = embedder
        self.assistant = build_assistant(self.settings, embedder=embedder)
        self.synced = True  # no change to the corpus since the last ingest

    @initialize(texts=lists(sampled_from(TEXTS), min_size=len(NAMES), max_size=len(NAMES)))
    def indexed_corpus(self, texts: list[str]) -> None:
        for name, text in zip(NAMES, texts, strict=True):
            self.write(name, text)
        self.ingest()

    @rule(name=sampled_from(NAMES), text=sampled_from(TEXTS))
    def write(self, name: str, text: str) -> None:
        path = self.settings.corpus_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.synced = False

    @rule(name=sampled_from(NAMES))
    def delete(self, name: str) -> None:
        (self.settings.corpus_dir / name).unlink(missing_ok=True)
        self.synced = False

    @rule()
    def ingest(self) -> None:
        assert self.assistant.ingest(prune=True).skipped == []
        self.synced = True

    @rule()
    def restart(self) -> None:
        self.assistant = build_assistant(self.settings, embedder=self.embedder)

    @invariant()
    def store_holds_exactly_the_corpus(self) -> None:
        if not self.synced:
            return
        expected = expected_chunk_ids(self.settings, self.embedder)
        assert stored_chunk_ids(self.assistant) == expected
        chunks = stored_chunks(self.assistant)
        assert {chunk.id for chunk in chunks} == expected
        assert self.assistant.store.sentence_count() == sum(len(c.sentences) for c in chunks)


def test_store_mirrors_the_corpus_through_any_history(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder
) -> None:
    run_state_machine_as_test(
        lambda: CorpusAndStore(tmp_path_factory.mktemp("machine"), embedder),
        settings=settings(
            max_examples=10,
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
