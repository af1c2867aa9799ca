"""The bundled local LLM: the real llama.cpp server (xllamacpp) on loopback with SmolLM2-135M.

SmolLM2 answers poorly, which is the point: these tests check the plumbing (server up and
down, streamed tokens, citation parsing, verification, fallback), not answer quality. Edge
cases a real model cannot be made to produce stay in test_llm.py's scripted server. The
tests that run the model are marked slow: `make test` installs it, `make test-fast` does not.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from answerer_contract import AnswererContract
from conftest import CORPUS
from helpers import REPO

from assistant.answer import local
from assistant.answer.base import AnswerRequest
from assistant.answer.llm import DECLINED, STOPPED, UNVERIFIED, LLMAnswerer, PromptShape
from assistant.answer.prompts import ANSWER_SYSTEM
from assistant.bench.local_prompt import compare_prompt_cache
from assistant.bench.report import local_section
from assistant.cite import split_claims
from assistant.embed import Embedder
from assistant.errors import ConfigError
from assistant.pipeline import Assistant, build_assistant
from assistant.settings import Settings
from assistant.types import Answer

QUESTION = "Why does the US block chip exports to China?"
NOT_INSTALLED = "the local model is not installed: run `make run ANSWERER=local`"


def local_assistant(corpus_assistant: Assistant, embedder: Embedder) -> Assistant:
    """The `local` answerer with SmolLM2 over the shared corpus index."""
    settings = corpus_assistant.settings.replace(
        answerer="local", local_model="smollm2-135m", local_max_tokens=64
    )
    assistant = build_assistant(settings, store=corpus_assistant.store, embedder=embedder)
    return assistant


@pytest.fixture(scope="module")
def assistant(corpus_assistant: Assistant, embedder: Embedder) -> Iterator[Assistant]:
    """One SmolLM2 server for the module's tests, stopped at the end."""
    built = local_assistant(corpus_assistant, embedder)
    yield built
    answerer(built).close()


@pytest.mark.slow
class TestLocalAnswerer(AnswererContract):
    """The `local` answerer, with the real runtime and SmolLM2, keeps the contract every
    answerer keeps."""

    name = "local"
    writes = True


def answerer(assistant: Assistant) -> local.LocalAnswerer:
    found = assistant.answerers["local"]
    assert isinstance(found, local.LocalAnswerer)
    return found


def server_root(llm: LLMAnswerer) -> str:
    return str(getattr(llm.chat, "openai_api_base", "")).removesuffix("/v1")


def request_for(assistant: Assistant, text: str) -> AnswerRequest:
    question = assistant.question(text)
    vector = assistant.embedder.embed([question.query])[0]
    return assistant.answer_request(question, vector, assistant.search(question))


@pytest.mark.slow
def test_server_runs_on_loopback_and_stops_on_close(
    corpus_assistant: Assistant, embedder: Embedder
) -> None:
    own = answerer(local_assistant(corpus_assistant, embedder))
    root = server_root(own.start())
    assert root.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{root}/health", timeout=10) as reply:
        assert reply.status == 200
    own.close()
    port = int(root.rsplit(":", 1)[1])
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.slow
def test_answer_streams_and_every_shown_sentence_is_verified(assistant: Assistant) -> None:
    tokens: list[str] = []
    answer = assistant.ask(QUESTION, answerer="local", on_token=tokens.append)
    assert len(tokens) > 3, "the real model streamed its reply token by token"
    assert answer.timings_ms["llm_first_token"] > 0
    if answer.notice is None and not answer.abstained:  # the model's own cited sentences
        reply = "".join(tokens)
        claims = split_claims(answer.text)
        assert claims and all(text in reply for text, _ in claims)
        threshold = assistant.settings.support_threshold
        assert all(c.score >= threshold for c in answer.citations)
        assert {n for _, ns in claims for n in ns} == {c.n for c in answer.citations}
    else:
        assert answer.abstained or answer.notice in (UNVERIFIED, DECLINED)


def processing(llm: LLMAnswerer) -> bool:
    """Whether the model's server is generating (its one slot busy)."""
    with urllib.request.urlopen(f"{server_root(llm)}/slots", timeout=10) as reply:
        return any(slot["is_processing"] for slot in json.load(reply))


@pytest.mark.slow
def test_stopping_mid_answer_ends_generation_and_shows_the_extractive_answer(
    assistant: Assistant,
) -> None:
    stop = threading.Event()
    tokens: list[str] = []
    for event in assistant.stream(QUESTION, stop=stop, answerer="local"):
        if isinstance(event, str):
            tokens.append(event)
            if len(tokens) == 3:
                stop.set()
        answer = event
    assert isinstance(answer, Answer) and answer.notice == STOPPED
    assert tokens[3:] == [answer.text]  # the model's words stop; the fallback's text follows
    assert answer.text == assistant.ask(QUESTION, answerer="extractive").text
    llm = answerer(assistant).start()
    deadline = time.monotonic() + 2
    while processing(llm) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not processing(llm)


@pytest.mark.slow
def test_reply_without_citations_falls_back_to_the_extractive_answer(
    assistant: Assistant,
) -> None:
    llm = answerer(assistant).start()
    shape = llm.shape
    llm.shape = PromptShape("Reply with one short sentence. Never write digits or brackets.", 2, 2)
    try:
        tokens: list[str] = []
        answer = assistant.ask(QUESTION, answerer="local", on_token=tokens.append)
    finally:
        llm.shape = shape
    assert "[" not in "".join(tokens).removesuffix(answer.text)
    assert answer.notice == UNVERIFIED
    extractive = assistant.ask(QUESTION, answerer="extractive")
    assert answer.text == extractive.text and answer.citations == extractive.citations


@pytest.mark.slow
def test_local_prompt_shows_fewer_sentences_and_the_llm_prompt_is_unchanged(
    assistant: Assistant,
) -> None:
    request = request_for(assistant, QUESTION)
    llm = answerer(assistant).start()
    remote = LLMAnswerer(llm.options, assistant.embedder, llm.fallback)
    (_, system), (_, user) = llm.messages(request)
    (_, full_system), (_, full_user) = remote.messages(request)
    assert system == full_system == ANSWER_SYSTEM.format(words=assistant.settings.answer_words)
    assert user.count("<passage ") == assistant.settings.local_passages
    assert full_user.count("<passage ") == len(request.hits)
    assert all(hit.chunk.text in full_user for hit in request.hits if "&" not in hit.chunk.text)
    assert len(user) < len(full_user) / 2
    assert llm.chat.extra_body == {"cache_prompt": True}  # the instructions' state is reused


@pytest.mark.slow
def test_bench_times_the_same_questions_with_the_prompt_cache_off_and_on(
    corpus_assistant: Assistant,
) -> None:
    settings = corpus_assistant.settings.replace(local_model="smollm2-135m", local_max_tokens=16)
    timed = compare_prompt_cache(settings, REPO / "eval" / "gold_faq.yaml", 2)
    assert timed["questions"] == 2 and timed["model"] == "smollm2-135m"
    for mode in ("off", "on"):
        assert timed[mode]["first_token_s_p50"] > 0 and timed[mode]["prompt_tokens"] > 100
    assert timed["off"]["prompt_tokens"] == timed["on"]["prompt_tokens"]
    assert 0 <= timed["answers_same"] <= 2 and len(timed["differing"]) == 2 - timed["answers_same"]
    line = local_section(timed)[0]
    assert line.startswith("Local model (smollm2-135m), 2 dev questions, p50 s, prompt cache off")


@pytest.mark.slow
def test_a_tampered_model_is_refused_in_one_line(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    pinned = local.MODELS["smollm2-135m"]
    monkeypatch.setitem(local.MODELS, "smollm2-135m", dataclasses.replace(pinned, sha256="0" * 64))
    fresh = local.LocalAnswerer(
        assistant.settings.answerer_options.local, assistant.embedder, answerer(assistant).fallback
    )
    with pytest.raises(ConfigError, match="not the pinned 000000000000") as caught:
        fresh.start()
    assert "\n" not in str(caught.value)


def test_missing_model_is_one_line_error(tmp_path: Path, embedder: Embedder) -> None:
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path, answerer="local")
    assert not local.installed(settings.answerer_options.local)
    with pytest.raises(ConfigError) as caught:
        build_assistant(settings, embedder=embedder)
    assert str(caught.value) == NOT_INSTALLED
    extractive = settings.model_copy(update={"answerer": "extractive"})
    assert "local" not in build_assistant(extractive, embedder=embedder).answerers


def test_cli_says_how_to_install_the_missing_model(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPQA_")}
    run = subprocess.run(
        [Path(sys.executable).parent / "chipqa", "ask", QUESTION, "--answerer", "local"],
        env={**env, "CHIPQA_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert run.stderr == f"chipqa: error: {NOT_INSTALLED}\n"


def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pieces: list[bytes]) -> str:
    """Part modules `PREFIX1..N` on sys.path, each handing out one piece; returns PREFIX."""
    prefix = f"parts_{tmp_path.name}_"  # a new name per test: imported modules are cached
    for i, piece in enumerate(pieces, start=1):
        package = tmp_path / "parts" / f"{prefix}{i}"
        (package / "data").mkdir(parents=True)
        (package / "data" / "piece.bin").write_bytes(piece)
        (package / "__init__.py").write_text(
            "import os\n\ndef get_part_path():\n"
            "    return os.path.join(os.path.dirname(__file__), 'data', 'piece.bin')\n"
        )
    monkeypatch.syspath_prepend(str(tmp_path / "parts"))
    return prefix


def test_parts_are_joined_once_with_progress_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pieces = [b"GGUF" + bytes(range(256)) * 5000, b"middle" * 70000, b"end"]
    whole = b"".join(pieces)
    model = local.LocalModel(
        "m.gguf",
        hashlib.sha256(whole).hexdigest(),
        fake_parts(tmp_path, monkeypatch, pieces),
        install="run `make run ANSWERER=local`",
        parts=3,
    )
    seen: list[tuple[int, int]] = []
    target = local.assemble(model, tmp_path / "models" / "m.gguf", lambda *p: seen.append(p))
    assert target.read_bytes() == whole
    assert seen[-1] == (len(whole), len(whole)) and len(seen) > 1
    assert sorted(p.name for p in target.parent.iterdir()) == ["m.gguf"]
    assert local.assemble(model, target) == target  # already there: only checked


def test_parts_that_do_not_match_the_pinned_hash_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = fake_parts(tmp_path, monkeypatch, [b"GGUF", b"tampered"])
    model = local.LocalModel("m.gguf", "ab" * 32, prefix, "run `make run ANSWERER=local`", 2)
    target = tmp_path / "models" / "m.gguf"
    with pytest.raises(ConfigError, match=r"has SHA-256 .*, not the pinned abababababab") as caught:
        local.assemble(model, target)
    assert "\n" not in str(caught.value)
    assert list(target.parent.iterdir()) == []  # nothing half-written is left behind


def test_missing_part_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = fake_parts(tmp_path, monkeypatch, [b"GGUF"])
    model = local.LocalModel("m.gguf", "ab" * 32, prefix, "run `make run ANSWERER=local`", 2)
    with pytest.raises(ConfigError, match=rf"part {prefix}2 is not installed: run `make run"):
        local.assemble(model, tmp_path / "m.gguf")
