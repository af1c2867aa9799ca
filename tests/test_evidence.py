"""Evidence files: `ask --save` writes one that `verify` accepts; editing the cited
document makes its quotes move, change or go; a hand-edited or foreign file is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ORRIN, ORRIN_QUESTION, error_line, run_main

from assistant.embed import SentenceEmbedder
from assistant.keep.evidence import load
from assistant.keep.verify import verify
from assistant.pipeline import Assistant, build_assistant


def _saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    path = tmp_path / "kept" / "orrin.json"
    run = run_main(["ask", ORRIN_QUESTION, "--save", str(path)], monkeypatch, capsys)
    assert run.returncode == 0, run.stderr
    return path


def test_saved_answer_holds_and_has_a_markdown_twin(
    orrin: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _saved(tmp_path, monkeypatch, capsys)
    kept = json.loads(path.read_text(encoding="utf-8"))
    cited = kept["citations"][0]
    assert kept["question"] == ORRIN_QUESTION and kept["history"] == [] and not kept["abstained"]
    assert cited["source"] == "orrin.md" and ORRIN[cited["start"] : cited["end"]] == cited["quote"]
    assert cited["document_sha256"] == orrin.store.documents()["orrin.md"].sha256
    assert kept["settings_hash"] == orrin.settings.answer_fingerprint()
    assert {"claim_type", "claimant", "event_date", "as_of", "version", "asked_at"} <= {
        *kept,
        *cited,
    }
    twin = path.with_suffix(".md").read_text(encoding="utf-8")
    assert f"> {cited['quote']}" in twin and f"1. {cited['title']} — `orrin.md`" in twin
    run = run_main(["verify", str(path)], monkeypatch, capsys)
    assert run.returncode == 0, run.stderr
    assert f"[1] holds   orrin.md, characters {cited['start']}–{cited['end']}" in run.stdout


def test_verify_loads_no_model(
    orrin: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _saved(tmp_path, monkeypatch, capsys)
    fresh = build_assistant(orrin.settings)
    assert isinstance(fresh.embedder, SentenceEmbedder)
    checks = verify(load(path), fresh.store, path)
    assert [c.status for c in checks] == ["holds"] * len(checks) and checks
    assert not fresh.embedder.loaded


def test_edits_to_the_cited_document_move_change_or_remove_its_quote(
    orrin: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _saved(tmp_path, monkeypatch, capsys)
    document = orrin.settings.corpus_dir / "orrin.md"
    quote = json.loads(path.read_text(encoding="utf-8"))["citations"][0]["quote"]

    document.write_text("Reported in March.\n\n" + ORRIN, encoding="utf-8")
    orrin.ingest()
    run = run_main(["verify", str(path)], monkeypatch, capsys)
    assert run.returncode == 0 and "[1] moved   orrin.md, now characters" in run.stdout

    document.write_text(ORRIN.replace("40,000", "25,000"), encoding="utf-8")
    orrin.ingest()
    run = run_main(["verify", str(path)], monkeypatch, capsys)
    assert run.returncode == 1 and "[1] changed orrin.md no longer says it" in run.stdout
    assert quote.split()[0] in run.stdout

    document.unlink()
    orrin.ingest()
    run = run_main(["verify", "--json", str(path)], monkeypatch, capsys)
    assert run.returncode == 1
    assert json.loads(run.stdout)[str(path)][0]["status"] == "gone"


def _edit(path: Path, reseal: bool) -> None:
    kept = json.loads(path.read_text(encoding="utf-8"))
    quote = kept["citations"][0]["quote"]
    kept["citations"][0]["quote"] = quote.replace("40,000", "90,000")
    if reseal:  # a careful forger recomputes the checksum: the document's hash still tells
        from assistant.keep.evidence import Evidence

        kept["checksum"] = Evidence.model_validate(kept).expected_checksum()
    path.write_text(json.dumps(kept), encoding="utf-8")


@pytest.mark.parametrize(
    ("reseal", "said"),
    [
        (False, "edited after ChipQA wrote it (its checksum does not match its contents)"),
        (True, "citation [1]'s quote is not in the document its hash names"),
    ],
)
def test_a_hand_edited_file_is_one_error_line(
    reseal: bool,
    said: str,
    orrin: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _saved(tmp_path, monkeypatch, capsys)
    _edit(path, reseal)
    assert said in error_line(run_main(["verify", str(path)], monkeypatch, capsys))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("- id: faq-1\n  question: Why?\n", "not a ChipQA evidence file (not JSON)"),
        ('{"question": "Why?"}', "not a ChipQA evidence file (history: Field required)"),
    ],
)
def test_a_file_that_is_not_evidence_is_one_error_line(
    text: str,
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "other.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CHIPQA_DATA_DIR", str(tmp_path / "data"))
    assert error_line(run_main(["verify", str(path)], monkeypatch, capsys)) == (
        f"chipqa: error: {path}: {said}"
    )
