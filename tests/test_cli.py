"""The `chipqa` command: help and version, `python -m assistant`, missing paths, stats and
the terminal chat, answered as the web UI answers."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, Finished, error_line, run_main

from assistant.pipeline import Assistant
from assistant.terminal import HELP, NO_ANSWER_YET, chat
from assistant.types import Turn

COMMANDS = ("ingest", "ask", "verify", "watch", "chat", "stats", "serve", "eval", "bench")


def _use_corpus_store(monkeypatch: pytest.MonkeyPatch, assistant: Assistant) -> None:
    monkeypatch.setenv("CHIPQA_CORPUS_DIR", str(CORPUS))
    monkeypatch.setenv("CHIPQA_DATA_DIR", str(assistant.settings.data_dir))


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_short_help_on_every_command(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_main([command, "-h"] if command else ["-h"], monkeypatch, capsys)
    assert run.returncode == 0 and f"Usage: chipqa {command}".strip() in run.stdout


def test_version_from_the_module_entry_point() -> None:
    from importlib.metadata import version

    done = subprocess.run(
        [sys.executable, "-m", "assistant", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout == f"chipqa {version('chipqa')}\n"


@pytest.mark.parametrize("paths", [["/no/such/path"], [str(CORPUS), "/no/such/path"]])
def test_ingest_of_a_path_that_does_not_exist_fails_and_changes_nothing(
    paths: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHIPQA_DATA_DIR", str(tmp_path / "data"))
    line = error_line(run_main(["ingest", *paths], monkeypatch, capsys))
    assert line == "chipqa: error: /no/such/path: no such file or folder"
    stats = run_main(["stats", "--json"], monkeypatch, capsys)
    assert json.loads(stats.stdout)["documents"] == 0


def test_ingest_without_a_corpus_folder_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    line = error_line(run_main(["ingest"], monkeypatch, capsys))
    assert "no such corpus folder" in line and "CHIPQA_CORPUS_DIR" in line


def test_stats_json(
    corpus_assistant: Assistant,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _use_corpus_store(monkeypatch, corpus_assistant)
    stats = json.loads(run_main(["stats", "--json"], monkeypatch, capsys).stdout)
    assert stats["documents"] == len(corpus_assistant.documents()) and stats["incomplete"] == []
    assert stats["collection"] == corpus_assistant.settings.collection_name()
    assert {"source", "title", "date", "chunks", "complete"} <= set(stats["sources"][0])


def _chat(assistant: Assistant, lines: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    chat(assistant, lines)
    return capsys.readouterr().out


def test_chat_follows_up_as_the_ui_does(
    corpus_assistant: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    first = corpus_assistant.ask("How important is DeepSeek?")
    earlier = [Turn(question=first.question, answer=first.text)]
    second = corpus_assistant.ask("Is it open source?", earlier)
    out = _chat(corpus_assistant, ["How important is DeepSeek?", "Is it open source?"], capsys)
    assert first.text in out and second.text in out
    assert "open-source stance" in second.text
    for citation in (*first.citations, *second.citations):
        assert f"[{citation.n}] {citation.title}" in out


def test_chat_sources_show_the_last_answers_passages(
    corpus_assistant: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _chat(corpus_assistant, ["/sources", "How important is DeepSeek?", "/sources"], capsys)
    answer = corpus_assistant.ask("How important is DeepSeek?")
    assert out.startswith(NO_ANSWER_YET)
    shown = out.split("Sources:")[-1]
    for c in answer.citations:
        assert f"[{c.n}] {c.title}" in shown and f"{c.source}, characters {c.start}–{c.end}" in out
        assert f"»{c.quote.split()[0]}" in out


def test_chat_quits_and_keeps_going_after_a_mistake(
    corpus_assistant: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    chat(corpus_assistant, ["\u200b", "/help", "/quit", "How important is DeepSeek?"])
    out, err = capsys.readouterr()
    assert err == "chipqa: error: the question is empty: type a question about the documents\n"
    assert out == HELP + "\n"


def test_chat_command_reads_standard_input(
    corpus_assistant: Assistant,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _use_corpus_store(monkeypatch, corpus_assistant)
    monkeypatch.setattr(sys, "stdin", io.StringIO("How important is DeepSeek?\n/sources\n"))
    run: Finished = run_main(["chat", "--k", "2"], monkeypatch, capsys)
    assert run.returncode == 0 and run.stderr == ""
    assert corpus_assistant.ask("How important is DeepSeek?", k=2).text in run.stdout
    assert "characters" in run.stdout


@pytest.mark.parametrize("command", ["eval", "bench"])
def test_tooling_commands_name_the_missing_extra(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import assistant.evaluation

    real = assistant.evaluation.find_spec
    monkeypatch.setattr(
        assistant.evaluation, "find_spec", lambda name: None if name == "matplotlib" else real(name)
    )
    line = error_line(run_main([command], monkeypatch, capsys))
    assert f"chipqa {command} needs the tooling extra (matplotlib missing)" in line
