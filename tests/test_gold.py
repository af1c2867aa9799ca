"""The shipped gold FAQ is well-formed and every evidence quote is really in the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CORPUS, REPO

from assistant.errors import ConfigError
from assistant.evaluation.gold import load_gold
from assistant.evaluation.metrics import holds_evidence
from assistant.load import iter_corpus_files, load_document

GOLD = REPO / "eval" / "gold_faq.yaml"


def test_gold_faq_is_valid_and_grounded() -> None:
    items = load_gold(GOLD)
    corpus_text = "\n".join(load_document(p, p.name).text for p in iter_corpus_files(CORPUS))
    for item in items:
        for quote in item.quotes:
            assert holds_evidence(corpus_text, [quote]), f"{item.id}: quote not in corpus: {quote}"
        if item.answerable:
            assert item.quotes, f"{item.id} has no evidence"
    answerable = [i for i in items if i.answerable]
    assert len(answerable) >= 45 and len(items) - len(answerable) >= 12
    assert sum(1 for i in items if i.history) >= 5
    assert {i.split for i in items} == {"dev", "tune", "test", "blind", "blind2", "blind3"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not: a list", "must be a non-empty YAML list"),
        ("- id: a\n  question: q\n  answer: a\n  split: train\n", "split"),
        ("- id: a\n  question: q\n  answer: a\n- id: a\n  question: r\n  answer: b\n", "duplicate"),
        ("- {id: a, question: q, answer: a, colour: red}\n", "colour"),
    ],
)
def test_bad_gold_files_fail_in_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "gold.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        load_gold(path)
    assert "\n" not in str(caught.value)
