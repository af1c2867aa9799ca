"""Metric functions on hand-made cases."""

from __future__ import annotations

import pytest

from assistant.errors import ConfigError
from assistant.evaluation.gold import GoldItem
from assistant.evaluation.harness import (
    generation_outcome,
    is_correct,
    sample_items,
    select_split,
)
from assistant.evaluation.metrics import (
    crag_score,
    expected_calibration_error,
    hit_at,
    holds_evidence,
    key_fact_recall,
    mrr_at,
    ndcg_at,
    percentile,
    reliability_bins,
    token_f1,
)
from assistant.types import Answer


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


def test_calibration_error_is_zero_when_confidence_matches_accuracy() -> None:
    confidences = [0.75] * 4 + [0.25] * 4
    outcomes = [True, True, True, False, True, False, False, False]
    assert expected_calibration_error(confidences, outcomes) == pytest.approx(0.0)
    assert [row[2:] for row in reliability_bins(confidences, outcomes)] == [
        (4, 0.25, 0.25),
        (4, 0.75, 0.75),
    ]


def test_calibration_error_of_overconfident_answers() -> None:
    # 0.95 shown, half right: |0.5 - 0.95| over all items; 1.0 falls in the top bin
    assert expected_calibration_error([0.95, 0.95], [True, False]) == pytest.approx(0.45)
    assert reliability_bins([1.0], [True]) == [(0.9, 1.0, 1, 1.0, 1.0)]


def _item(**fields: object) -> GoldItem:
    return GoldItem.model_validate({"id": "x", "question": "q?", "answer": "a", **fields})


def test_correctness_by_kind_of_question() -> None:
    answerable = _item(key_facts=["a", "b"])
    assert is_correct(answerable, False, 1.0) and not is_correct(answerable, False, 0.5)
    assert not is_correct(answerable, True, 0.0)
    missing = _item(answerable=False, kind="missing_detail")
    assert is_correct(missing, True, 0.0) and not is_correct(missing, False, 1.0)
    premise = _item(answerable=False, kind="false_premise", key_facts=["17%"])
    assert is_correct(premise, True, 0.0) and is_correct(premise, False, 1.0)
    assert not is_correct(premise, False, 0.0)


def test_split_selection() -> None:
    items = [_item(id=s, split=s) for s in ("dev", "test", "blind")]
    assert [i.id for i in select_split(items, "dev,test")] == ["dev", "test"]
    assert [i.id for i in select_split(items, "all")] == ["dev", "test", "blind"]
    with pytest.raises(ConfigError, match="unknown split train"):
        select_split(items, "dev,train")


def test_a_sample_spreads_over_each_split() -> None:
    items = [_item(id=f"d{n}", split="dev") for n in range(10)]
    items += [_item(id=f"b{n}", split="blind") for n in range(3)]
    chosen = [i.id for i in sample_items(items, 5)]
    assert chosen == ["d0", "d2", "d4", "d6", "d8", "b0", "b1", "b2"]


def test_generation_outcome_counts_what_verification_kept() -> None:
    kept = Answer("q", "Chips ship. [1] Fabs grow. [1]", False, 0.8, [])
    assert generation_outcome(kept, "Chips ship. [1] Fabs grow. [1]") == (2, 2)
    fallback = Answer("q", "Quoted. [1]", False, 0.5, [], notice="unsupported")
    assert generation_outcome(fallback, "Made up. [2] Wrong. [1] Quoted. [1]") == (2, 0)
