"""The app's API, called with gradio_client as a script would, and the upload checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest
from conftest import CORPUS, free_port, make_settings
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.embed import BundledEmbedder
from assistant.load import load_document
from assistant.pipeline import Assistant, build_assistant
from assistant.ui import Handlers, serve

CITATION_KEYS = {"n", "source", "title", "quote", "start", "end", "score"}


def _serve_copy(assistant: Assistant, **updates: object) -> tuple[gr.Blocks, str]:
    """Serve `assistant`'s store and model on a free port, with settings changed by `updates`."""
    settings = assistant.settings.model_copy(update={"port": free_port(), **updates})
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
    for citation in result["citations"]:
        assert set(citation) >= CITATION_KEYS
        text = load_document(CORPUS / citation["source"], citation["source"]).text
        assert text[citation["start"] : citation["end"]] == citation["quote"]
    direct = corpus_assistant.ask("How important is DeepSeek?").to_dict()
    assert result["answer"] == direct["answer"]
    assert result["citations"] == direct["citations"]


def test_ask_takes_history_and_k(client: Client) -> None:
    history = json.dumps([{"question": "How important is DeepSeek?", "answer": "Symbolic."}])
    result = client.predict("Is it open source?", history, 3, api_name="/ask")
    assert result["question"] == "Is it open source?"
    assert result["abstained"] or result["citations"]


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
        ("How important is DeepSeek?", "[]", -1, "k must be between 1 and 50"),
    ],
)
def test_mistakes_come_back_as_one_line(
    client: Client, question: str, history: str, k: int, message: str
) -> None:
    with pytest.raises(AppError, match=message) as error:
        client.predict(question, history, k, api_name="/ask")
    assert "\n" not in str(error.value.message)


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


@pytest.fixture
def handlers(tmp_path: Path, embedder: BundledEmbedder) -> Handlers:
    """The UI's handlers over an empty corpus that accepts uploads up to 1 MB."""
    return Handlers(build_assistant(make_settings(tmp_path, max_upload_mb=1), embedder=embedder))


def _uploads(handlers: Handlers) -> list[Path]:
    folder = handlers.assistant.settings.corpus_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("table.csv", b"a,b\n1,2\n", "not accepted: upload .txt, .md, .html, .pdf files"),
        ("huge.txt", b"chips " * 200_000, "larger than the 1 MB limit"),
        ("blank.md", b"  \n", "no text to index"),
        ("binary.txt", b"\x00\x01\x02 not text", "binary"),
    ],
)
def test_rejected_upload_says_why_and_changes_nothing(
    handlers: Handlers, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    upload = tmp_path / "incoming" / name
    upload.parent.mkdir()
    upload.write_bytes(content)
    status, rows, _, _, cleared = handlers.upload([str(upload)])
    assert reason in status and name in status
    assert rows == [] and cleared is None
    assert _uploads(handlers) == []


def test_upload_while_another_is_indexing_says_busy(handlers: Handlers, tmp_path: Path) -> None:
    upload = tmp_path / "notes.md"
    upload.write_text("The Selene lunar fab etches 3 nm chips.\n", encoding="utf-8")
    with handlers.assistant.ingest_lock, pytest.raises(gr.Error, match="Another upload"):
        handlers.upload([str(upload)])
    assert _uploads(handlers) == []
