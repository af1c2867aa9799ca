"""Feedback that becomes a test: `/good` and `/bad N` in the chat append gold items to the
data folder's feedback file, and `chipqa eval --gold` holds later answers to them."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ORRIN_QUESTION, run_main

from assistant.evaluation.gold import load_gold
from assistant.keep.feedback import feedback_path
from assistant.pipeline import Assistant
from assistant.terminal import chat

GOOD = "How important is DeepSeek?"
BAD = ORRIN_QUESTION


def _eval(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    args = ["eval", "--gold", str(path), "--split", "test", "--out", str(tmp_path / "report")]
    run = run_main(args, monkeypatch, capsys)
    return run.returncode, run.stdout


def test_chat_feedback_round_trips_through_eval(
    orrin: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    chat(orrin, [GOOD, "/good", BAD, "/bad 1"])
    out = capsys.readouterr().out
    path = feedback_path(orrin.settings)
    assert f"Recorded as feedback-1 in {path}." in out and "Recorded as feedback-2" in out
    good, bad = load_gold(path)
    liked = orrin.ask(GOOD)
    assert (good.question, good.verdict, good.answer) == (GOOD, "good", liked.text)
    assert good.quotes == [c.quote for c in liked.citations] and good.marked_at
    assert (bad.verdict, bad.wrong[0].quote) == ("bad", orrin.ask(BAD).citations[0].quote)

    code, printed = _eval(path, tmp_path, monkeypatch, capsys)
    assert code == 1 and "feedback: 1 of 2 answers keep to it" in printed
    assert f"feedback-2: cites again “{bad.wrong[0].quote}”" in printed

    (orrin.settings.corpus_dir / "orrin.md").unlink()  # the source marked wrong is gone
    orrin.ingest()
    code, printed = _eval(path, tmp_path, monkeypatch, capsys)
    assert code == 0 and "feedback: 2 of 2 answers keep to it" in printed


def test_a_liked_answer_that_stops_citing_its_quotes_fails(
    orrin: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    chat(orrin, [BAD, "/good"])
    (orrin.settings.corpus_dir / "orrin.md").unlink()
    orrin.ingest()
    code, printed = _eval(feedback_path(orrin.settings), tmp_path, monkeypatch, capsys)
    assert code == 1 and "feedback-1: no longer cites “" in printed


def test_a_liked_abstention_that_becomes_an_answer_fails(
    orrin: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    question = "How many photonic wafers does the Pellworm fab ship?"
    chat(orrin, [question, "/good"])
    assert load_gold(feedback_path(orrin.settings))[0].answerable is False
    pellworm = "The Pellworm fab on the North Sea coast ships 3,000 photonic wafers a week.\n"
    (orrin.settings.corpus_dir / "pellworm.md").write_text(pellworm, encoding="utf-8")
    orrin.ingest()
    code, printed = _eval(feedback_path(orrin.settings), tmp_path, monkeypatch, capsys)
    assert code == 1 and "feedback-1: answers where the abstention marked good did not" in printed


def test_feedback_on_a_citation_the_answer_lacks_is_one_line(
    orrin: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    chat(orrin, ["/good", BAD, "/bad 9", "/bad x"])
    out, err = capsys.readouterr()
    assert out.startswith("No answer yet") and err == (
        "chipqa: error: the answer has no citation [9]\n"
    )
    assert not feedback_path(orrin.settings).exists()
