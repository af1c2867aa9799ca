"""Metric functions on hand-made cases."""

from __future__ import annotations

import pytest

from assistant.evaluation.metrics import (
    crag_score,
    hit_at,
    holds_evidence,
    key_fact_recall,
    mrr_at,
    ndcg_at,
    percentile,
    token_f1,
)


def test_evidence_match_folds_whitespace_and_quote_marks() -> None:
    passage = "Nvidia’s CEO warned that China is only “nanoseconds\n behind” the US."
    assert holds_evidence(passage, ['only "nanoseconds behind" the US'])
    assert not holds_evidence(passage, ["years behind"])
    assert not holds_evidence(passage, [""])


@pytest.mark.parametrize(
    ("relevant", "hit1", "hit3", "mrr"),
    [
        ([True, False, False], 1.0, 1.0, 1.0),
        ([False, False, True], 0.0, 1.0, 1 / 3),
        ([False, False, False, True], 0.0, 0.0, 0.25),
        ([], 0.0, 0.0, 0.0),
    ],
)
def test_rank_metrics(relevant: list[bool], hit1: float, hit3: float, mrr: float) -> None:
    assert hit_at(relevant, 1) == hit1
    assert hit_at(relevant, 3) == hit3
    assert mrr_at(relevant, 10) == pytest.approx(mrr)


def test_ndcg() -> None:
    assert ndcg_at([True, False], 10) == 1.0
    # one relevant passage at rank 2: (1/log2 3) / (1/log2 2)
    assert ndcg_at([False, True], 10) == pytest.approx(0.6309, abs=1e-4)
    assert ndcg_at([False, False], 10) == 0.0


def test_key_fact_recall() -> None:
    answer = "The US told Nvidia on 9 April 2025 that the H20 needs a licence."
    assert key_fact_recall(answer, ["9 April 2025", "H20"]) == 1.0
    assert key_fact_recall(answer, ["9 April 2025", "$5.5 billion"]) == 0.5
    assert key_fact_recall("Some say 5–10 years", ["5-10"]) == 1.0
    assert key_fact_recall("anything", []) == 1.0


def test_token_f1() -> None:
    assert token_f1("the chip lags", "the chip lags") == 1.0
    assert token_f1("chip", "chip lags") == pytest.approx(2 / 3)
    assert token_f1("recipe", "chip lags") == 0.0


@pytest.mark.parametrize(
    ("answerable", "abstained", "correct", "score"),
    [(True, False, True, 1), (True, True, False, 0), (True, False, False, -1),
     (False, True, False, 1), (False, False, False, -1)],
)  # fmt: skip
def test_crag(answerable: bool, abstained: bool, correct: bool, score: int) -> None:
    assert crag_score(answerable, abstained, correct) == score


def test_percentile() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) == 0.0
