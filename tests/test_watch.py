"""Watched questions: asked again after an upload, a deletion or an ingest that changes the
index, each run kept and compared with the one before; an interrupted write keeps the last."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ORRIN, ORRIN_QUESTION, error_line, run_main

from assistant.keep.files import write_atomic
from assistant.keep.watch import run_files, watches
from assistant.pipeline import Assistant
from assistant.uploads import add_files, remove_upload

LICENCE = "Voss Semiconductors pays a licence share of 25 % on every Kestrel chip it sells.\n"
LICENCE_QUESTION = "What licence share does Voss Semiconductors pay on Kestrel chips?"


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> dict:
    run = run_main(["watch", "run", "--json"], monkeypatch, capsys)
    assert run.returncode == 0, run.stderr
    [only] = json.loads(run.stdout)
    return only


def test_an_upload_and_its_deletion_show_in_the_next_run(
    seed: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    added = run_main(["watch", "add", ORRIN_QUESTION], monkeypatch, capsys)
    assert added.stdout == f"watching [1] {ORRIN_QUESTION}\n"
    first = _run(monkeypatch, capsys)
    assert first["first"] and first["abstained"]

    file = tmp_path / "incoming" / "orrin.md"
    file.parent.mkdir()
    file.write_text(ORRIN, encoding="utf-8")
    [upload] = add_files(seed, [file])
    after_upload = _run(monkeypatch, capsys)
    assert after_upload["changed"] and after_upload["answered"] == [False, True]
    assert [c["source"] for c in after_upload["added"]] == [upload.source]
    assert after_upload["added"][0]["quote"] in ORRIN

    remove_upload(seed, upload.source or "")
    run = run_main(["watch", "run"], monkeypatch, capsys)
    assert f"[1] {ORRIN_QUESTION}: changed" in run.stdout
    assert f"- no longer cites {upload.source}: “" in run.stdout
    assert "~ answered → abstained" in run.stdout
    assert len(run_files(seed.settings, watches(seed.settings)[0])) == 3


def test_an_ingest_that_changes_a_value_reruns_and_shows_it(
    seed: Assistant, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    document = seed.settings.corpus_dir / "voss.md"
    document.write_text(LICENCE, encoding="utf-8")
    seed.ingest()
    run_main(["watch", "add", LICENCE_QUESTION], monkeypatch, capsys)
    assert _run(monkeypatch, capsys)["first"]
    document.write_text(LICENCE.replace("25 %", "15 %"), encoding="utf-8")
    run = run_main(["ingest"], monkeypatch, capsys)
    assert run.returncode == 0, run.stderr
    assert f"[1] {LICENCE_QUESTION}: changed" in run.stdout
    assert "~ %: 25 % → 15 %" in run.stdout
    unchanged = run_main(["ingest"], monkeypatch, capsys)  # nothing changed: nothing re-run
    assert "[1]" not in unchanged.stdout


def test_list_and_remove(
    seed: Assistant, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_main(["watch", "add", "Who makes the Ascend chips?"], monkeypatch, capsys)
    again = run_main(["watch", "add", "who makes  the Ascend chips?"], monkeypatch, capsys)
    assert again.stdout.startswith("watching [1] ")
    listed = run_main(["watch", "list"], monkeypatch, capsys).stdout
    assert listed == "[1] Who makes the Ascend chips? (not run yet)\n"
    removed = run_main(["watch", "remove", "1"], monkeypatch, capsys)
    assert removed.stdout == "no longer watching [1] Who makes the Ascend chips?\n"
    line = error_line(run_main(["watch", "remove", "1"], monkeypatch, capsys))
    assert line == "chipqa: error: no watched question 1: `chipqa watch list` shows them"


def test_an_interrupted_write_leaves_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "1.json"
    write_atomic(path, '{"run": 1}')
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, '{"run": 2, "cut": "\ud800"}')  # fails halfway through writing
    assert path.read_text(encoding="utf-8") == '{"run": 1}'
    assert [p.name for p in path.parent.iterdir()] == ["1.json"]
