"""`chipqa eval`'s provenance section: the tagger's per-type figures from the labelled set,
the disagreement and latest-state items' outcomes, and the gates on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.evaluation.harness import check_thresholds
from assistant.evaluation.provenance import provenance_report, render_provenance, render_summary
from assistant.provenance import CLAIM_TYPES

REPO = Path(__file__).resolve().parents[1]


def row(id_: str, answer: str, correct: bool, **extra: Any) -> dict[str, Any]:
    """A per-question row as the harness writes it."""
    values = {"split": "dev", "answerable": True, "abstained": False, "key_fact_recall": 1.0}
    return {"id": id_, "answer": answer, "correct": correct, **values, **extra}


@pytest.fixture
def report(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(REPO)
    rows = [
        row("disagree-a", "X [1]. The sources disagree on y: 1 per A [1], 2 per B [2].", True),
        row("disagree-b", "X [1].", False, key_fact_recall=0.5),
        row("latest-a", "Most recent (May 2025): X [1]", True),
        row("seed-1", "The sources disagree on z: 3 per C [1], 4 per D [1].", True),
        row("seed-2", "Plain [1].", True),
        row("none-1", "The documents do not answer this.", True, answerable=False, abstained=True),
    ]
    return provenance_report(rows, REPO / "corpus")


def test_items_are_scored_and_other_disagreements_listed(report: dict[str, Any]) -> None:
    metrics = report["metrics"]
    assert metrics["disagreement_stated"] == 0.5 and metrics["latest_correct"] == 1.0
    assert report["disagreement_elsewhere"] == ["seed-1"]
    assert metrics["disagreement_elsewhere"] == pytest.approx(1 / 3)
    assert [i["stated"] for i in report["disagreement_items"]] == [True, False]


def test_tagger_figures_come_from_the_test_half_of_the_labelled_set(
    report: dict[str, Any],
) -> None:
    for claim_type in CLAIM_TYPES:
        assert 0.85 <= report["metrics"][f"tagger_{claim_type}_precision"] <= 1.0
        assert 0.85 <= report["metrics"][f"tagger_{claim_type}_recall"] <= 1.0
    summary = render_summary(report)
    assert "claim tagger, test half, precision/recall: official" in summary
    assert "disagreement items: 1/2 handled" in summary
    markdown = render_provenance(report)
    assert "| disagree-b | dev | no | no |" in markdown and "#### test" in markdown


def test_the_gate_reads_the_provenance_floors_and_ceilings(
    report: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    limits = tmp_path / "thresholds.yaml"
    limits.write_text(
        "provenance:\n  floors:\n    disagreement_stated: 0.85\n    tagger_fact_recall: 0.85\n"
        "  ceilings:\n    disagreement_elsewhere: 0.1\n"
    )
    assert check_thresholds({"provenance": report["metrics"]}, limits) == 1
    failed = capsys.readouterr().err
    assert "disagreement_stated 0.500 < floor 0.85" in failed
    assert "disagreement_elsewhere 0.333 > ceiling 0.1" in failed
    assert "tagger_fact_recall" not in failed
