"""The app's API, called with gradio_client as a script would, and the upload checks."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from gradio import Blocks
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import CORPUS, assert_quotes_exact, free_port, make_settings

from assistant.embed import SentenceEmbedder
from assistant.ingest import IngestProgress, writer_lock
from assistant.pipeline import Assistant, build_assistant
from assistant.settings import Settings
from assistant.types import Answer, Citation, Disagreement, StatedValue, Turn
from assistant.uploads import add_files
from assistant.web import Handlers, serve
from assistant.web.app import EXAMPLES, uploads_open
from assistant.web.handlers import ALL_DOCUMENTS, Conversation, foreign_script
from assistant.web.sources import sources_section

CITATION_KEYS = {"n", "source", "title", "quote", "start", "end", "score"}


def _serve_copy(assistant: Assistant, **updates: object) -> tuple[Blocks, str]:
    """Serve `assistant`'s store and model on a free port, with settings changed by `updates`."""
    settings = assistant.settings.replace(port=free_port(), **updates)
    copy = Assistant(settings, assistant.embedder, assistant.store, assistant.answerers)
    return serve(copy, block=False), f"http://127.0.0.1:{settings.port}/"


@pytest.fixture(scope="module")
def client(corpus_assistant: Assistant) -> Iterator[Client]:
    """A gradio_client connected to the app over the shipped corpus."""
    app, url = _serve_copy(corpus_assistant)
    try:
        yield Client(url, verbose=False)
    finally:
        app.close()


def test_ask_returns_the_cli_json_object(client: Client, corpus_assistant: Assistant) -> None:
    result = client.predict("How important is DeepSeek?", api_name="/ask")
    assert {"question", "answer", "abstained", "confidence", "citations", "timings_ms"} <= set(
        result
    )
    assert result["question"] == "How important is DeepSeek?"
    assert "[1]" in result["answer"] and result["abstained"] is False
    assert 0.5 < result["confidence"] <= 1.0
    assert result["timings_ms"]["total"] > 0
    assert result["citations"], "an answer cites at least one passage"
    assert all(set(citation) >= CITATION_KEYS for citation in result["citations"])
    assert_quotes_exact(result["citations"], CORPUS)
    direct = corpus_assistant.ask("How important is DeepSeek?").to_dict()
    assert result["answer"] == direct["answer"]
    assert result["citations"] == direct["citations"]


def _without_timings(result: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in result.items() if key != "timings_ms"}


def test_ask_uses_k(client: Client, corpus_assistant: Assistant) -> None:
    def direct(question: str, k: int | None) -> dict[str, Any]:
        return _without_timings(corpus_assistant.ask(question, k=k).to_dict())

    changed = [q for q in EXAMPLES if direct(q, 1) != direct(q, None)]
    assert changed, "reading one passage instead of the default changes some answer"
    for k in (1, 0):
        result = client.predict(changed[0], "[]", k, api_name="/ask")
        assert _without_timings(result) == direct(changed[0], k or None)


def test_ask_uses_history(client: Client, corpus_assistant: Assistant) -> None:
    earlier = [Turn(question="How important is DeepSeek?", answer="Symbolic.")]
    followed = client.predict("Is it open source?", json.dumps(earlier), 0, api_name="/ask")
    alone = client.predict("Is it open source?", "[]", 0, api_name="/ask")
    assert "open-source stance" in followed["answer"]
    assert followed["answer"] != alone["answer"]
    assert followed["answer"] == corpus_assistant.ask("Is it open source?", earlier).text


def test_off_topic_question_abstains(client: Client) -> None:
    result = client.predict("How do I make pizza dough?", api_name="/ask")
    assert result["abstained"] is True and result["citations"] == []
    assert result["related"]


@pytest.mark.parametrize(
    ("question", "history", "k", "message"),
    [
        ("   ", "[]", 0, "the question is empty"),
        ("How important is DeepSeek?", "not json", 0, "history must be a JSON list"),
        ("How important is DeepSeek?", '[{"answer": "no question"}]', 0, "history must be"),
        ("How important is DeepSeek?", "[]", -1, "k must be a whole number between 1 and 50"),
        ("How important is DeepSeek?", "[]", "abc", "k must be a whole number"),
        ("How important is DeepSeek?", "[]", 3.7, "k must be a whole number"),
        ("How important is DeepSeek?", "[" * 100_000 + "]" * 100_000, 0, "history must be"),
        ("How important is DeepSeek?", [], 0, "history must be"),
    ],
)
def test_mistakes_come_back_as_one_line(
    client: Client,
    question: str,
    history: object,
    k: object,
    message: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(AppError, match=message) as error:
        client.predict(question, history, k, api_name="/ask")
    assert "\n" not in str(error.value.message)
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in capfd.readouterr().err


def test_only_ask_is_public(client: Client) -> None:
    api = client.view_api(return_format="dict", print_info=False)
    assert set(api["named_endpoints"]) == {"/ask"}
    assert not api["unnamed_endpoints"]


def test_basic_auth_from_settings(corpus_assistant: Assistant) -> None:
    app, url = _serve_copy(corpus_assistant, auth="reader:s3cret")
    try:
        with pytest.raises(ValueError):
            Client(url, verbose=False)
        result = Client(url, auth=("reader", "s3cret"), verbose=False).predict(
            "How important is DeepSeek?", api_name="/ask"
        )
        assert result["citations"]
    finally:
        app.close()


def test_user_mistakes_log_one_line_and_no_traceback(
    client: Client, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(AppError):
        client.predict("   ", api_name="/ask")
    warned = [r for r in caplog.records if r.name == "assistant.web.handlers"]
    assert [r.levelno for r in warned] == [logging.WARNING]
    assert warned[0].exc_info is None and "the question is empty" in warned[0].getMessage()
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("host", "auth", "open_"),
    [
        ("127.0.0.1", None, True),
        ("::1", None, True),
        ("localhost", None, True),
        ("0.0.0.0", None, False),
        ("192.168.1.20", None, False),
        ("chips.example.org", None, False),
        ("0.0.0.0", "reader:s3cret", True),
    ],
)
def test_uploads_need_a_login_beyond_loopback(host: str, auth: str | None, open_: bool) -> None:
    assert uploads_open(Settings(host=host, auth=auth)) is open_


@pytest.mark.parametrize(
    ("question", "script"),
    [
        ("美国为什么限制向中国出口芯片？", "Chinese"),
        ("Почему США ограничивают экспорт чипов?", "Cyrillic"),
        ("Why does the US limit Nvidia H20 exports?", None),
        ("What is 芯片 in Nvidia's H20 export licence?", None),
        ("2025?", None),
    ],
)
def test_questions_in_other_scripts_are_recognised(question: str, script: str | None) -> None:
    assert foreign_script(question) == script


@pytest.fixture
def handlers(tmp_path: Path, embedder: SentenceEmbedder) -> Handlers:
    """The UI's handlers over an empty corpus that accepts uploads up to 1 MB."""
    return Handlers(build_assistant(make_settings(tmp_path, max_upload_mb=1), embedder=embedder))


def _uploads(handlers: Handlers) -> list[str]:
    folder = handlers.assistant.settings.corpus_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("table.csv", b"a,b\n1,2\n", "not accepted: upload .txt, .md, .html, .htm, .pdf files"),
        ("huge.txt", b"chips " * 200_000, "larger than the 1 MB limit"),
        ("blank.md", b"  \n", "no text to index"),
        ("binary.txt", b"\x00\x01\x02 not text", "looks like a binary file"),
    ],
)
def test_rejected_upload_says_why_and_changes_nothing(
    handlers: Handlers, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    upload = tmp_path / "incoming" / name
    upload.parent.mkdir()
    upload.write_bytes(content)
    status, rows, _, _, _, cleared = _uploaded(handlers, upload)
    assert 'class="cq-bad"' in status and f"{name}: {reason}" in status
    assert "No documents are indexed" in rows and cleared is None
    assert _uploads(handlers) == []


def test_upload_while_another_process_ingests_says_busy(handlers: Handlers, tmp_path: Path) -> None:
    upload = _file(tmp_path, "notes.md", "The Selene lunar fab etches 3 nm chips.\n")
    with writer_lock(handlers.assistant.settings):
        status = _uploaded(handlers, upload)[0]
    assert "Another upload or ingest is running" in status and "cq-bad" in status
    assert _uploads(handlers) == [] and handlers.assistant.documents() == []


def test_same_names_never_overwrite(handlers: Handlers, tmp_path: Path) -> None:
    first = _file(tmp_path / "a", "zeta 9.md", "The Zeta fab opened in 2029.\n")
    second = _file(tmp_path / "b", "zeta_9.md", "The Zeta fab closed in 2031.\n")
    again = _file(tmp_path / "c", "zeta 9.md", "The Zeta fab opened in 2029.\n")
    added = add_files(handlers.assistant, [first, second, again])
    assert [(a.ok, a.message) for a in added] == [
        (True, "indexed as zeta_9.md"),
        (True, "indexed as zeta_9-2.md (a different zeta_9.md was uploaded before)"),
        (True, "already uploaded as zeta_9.md"),
    ]
    assert _uploads(handlers) == ["zeta_9-2.md", "zeta_9.md"]
    assert [d.source for d in handlers.assistant.documents()] == [
        "uploads/zeta_9-2.md",
        "uploads/zeta_9.md",
    ]


def test_failed_indexing_leaves_no_copies_and_no_passages(
    handlers: Handlers, tmp_path: Path
) -> None:
    files = [_file(tmp_path, f"fab-{n}.md", f"Fab {n} etches {n} nm chips.\n") for n in (5, 7)]

    def disconnect(progress: IngestProgress) -> None:
        """A progress bar whose page went away once the second file starts."""
        if progress.file.endswith("fab-7.md"):
            raise ConnectionError("the page went away")

    with pytest.raises(ConnectionError):
        add_files(handlers.assistant, files, disconnect)
    assert _uploads(handlers) == []
    assert handlers.assistant.documents() == [] and handlers.assistant.store.chunk_count() == 0


def test_delete_takes_an_upload_out_of_the_corpus_and_index(
    handlers: Handlers, tmp_path: Path
) -> None:
    notes = _file(tmp_path, "selene.md", "The Selene lunar fab etches 3 nm chips.\n")
    _uploaded(handlers, notes)
    assert handlers.assistant.ask("What does the Selene fab etch?").citations
    status, rows, *_ = handlers.delete("uploads/selene.md")
    assert "selene.md: deleted" in status and "No documents are indexed" in rows
    assert _uploads(handlers) == [] and handlers.assistant.store.chunk_count() == 0


def test_only_uploads_can_be_deleted(handlers: Handlers) -> None:
    corpus = _file(handlers.assistant.settings.corpus_dir, "brief.md", "SMIC makes 7 nm chips.\n")
    handlers.assistant.ingest()
    status = handlers.delete("brief.md")[0]
    assert "not an uploaded document" in status and corpus.exists()
    assert [d.source for d in handlers.assistant.documents()] == ["brief.md"]


def test_read_only_server_refuses_uploads_and_deletes(handlers: Handlers, tmp_path: Path) -> None:
    closed = Handlers(handlers.assistant, uploads_open=False)
    notes = _file(tmp_path, "selene.md", "The Selene lunar fab etches 3 nm chips.\n")
    assert "Uploads are turned off" in _uploaded(closed, notes)[0]
    assert _uploads(handlers) == []
    _uploaded(handlers, notes)
    assert "Uploads are turned off" in closed.delete("uploads/selene.md")[0]
    assert _uploads(handlers) == ["selene.md"]


def test_empty_question_is_an_inline_hint_not_an_error(handlers: Handlers) -> None:
    (update,) = handlers.respond("   ", Conversation(), "extractive", 4, ALL_DOCUMENTS)
    assert "Type a question" in update[4] and update[1] == Conversation()


def test_failed_answer_is_one_line_in_the_chat_and_the_log(
    handlers: Handlers, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        *_, last = handlers.respond("What is SMIC?", Conversation(), "extractive", 4, ALL_DOCUMENTS)
    assert "Error: nothing is indexed yet" in last[2]
    logged = [r for r in caplog.records if r.name.startswith("assistant.web")]
    assert len(logged) == 1 and logged[0].exc_info is None


def test_sources_show_claim_provenance_when_answers_carry_it() -> None:
    quote = "Nvidia called DeepSeek an excellent AI advancement."
    cited = Citation(
        1,
        "briefs/05.md",
        "Sell-off",
        quote,
        0,
        len(quote),
        0.9,
        passage=quote,
        claim_type="company",
        claimant="Nvidia",
        event_date="2025-01-27",
    )
    disagree = Disagreement("its <loss>", (StatedValue("$1", "X", 1), StatedValue("$2", "Y", 1)))
    answer = Answer(
        "Q?", f"{quote} [1]", False, 0.8, [cited], as_of="2026-11-01", disagreements=(disagree,)
    )
    html = sources_section(answer, 1, {})
    chip = '<span class="cq-chip cq-chip-company">company claim · Nvidia</span>'
    assert f"{chip} · event 2025-01-27" in html
    link = '<a class="cq-ref" href="#cq-a1-1">[1]</a>'
    assert f"<li>its &lt;loss&gt;: $1 per X {link}; $2 per Y {link}</li>" in html
    assert "as of 2026-11-01" in html
    bare = Citation(1, "briefs/05.md", "Sell-off", quote, 0, len(quote), 0.9, passage=quote)
    second = replace(bare, n=2, claim_type="estimate", claimant="SemiAnalysis")
    both = sources_section(Answer("Q?", f"{quote} [1] [2]", False, 0.8, [cited, second]), 1, {})
    assert '<span class="cq-n">[1]</span> <span class="cq-chip cq-chip-company">' in both
    assert '[2]</span> <span class="cq-chip cq-chip-estimate">estimate · SemiAnalysis' in both
    plain = sources_section(Answer("Q?", f"{quote} [1]", False, 0.8, [bare]), 1, {})
    assert "cq-claim" not in plain and "disagree" not in plain and "as of" not in plain


def _uploaded(handlers: Handlers, path: Path) -> tuple[Any, ...]:
    """What the Corpus tab shows once `handlers` uploaded `path` (its last update)."""
    return list(handlers.upload([str(path)]))[-1]
