"""A remote store that demands a token: a real `chroma run` behind a token-checking proxy,
with a tenant and database of ChipQA's own. The right token works; a wrong or missing one,
a missing database or TLS to a plain server is one error line naming the setting."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import chromadb
import pytest
from helpers import GATE_TOKEN, ChromaServer, error_line, make_settings, run_main

from assistant.embed import SentenceEmbedder
from assistant.pipeline import build_assistant
from assistant.settings import Settings
from assistant.store.chroma_client import client_settings, connect

TENANT, DATABASE = "acme", "chips"
SELENE = "# Selene fab\n\nThe Selene fab etches 3 nm chips on the Moon. It opened in 2031.\n"


def gated_settings(tmp_path: Path, server: ChromaServer, **overrides: Any) -> Settings:
    """Settings for `server` with the right token, in ChipQA's own tenant and database."""
    values: dict[str, Any] = {
        "chroma_host": server.host,
        "chroma_port": server.port,
        "chroma_token": GATE_TOKEN,
        "chroma_tenant": TENANT,
        "chroma_database": DATABASE,
        "collection": "remote",
    }
    return make_settings(tmp_path, **(values | overrides))


@pytest.fixture(scope="module")
def tenant_database(gated_chroma: ChromaServer, tmp_path_factory: pytest.TempPathFactory) -> None:
    """ChipQA's tenant and database, created on the gated server with the token."""
    settings = client_settings(gated_settings(tmp_path_factory.mktemp("admin"), gated_chroma))
    admin_settings = settings.model_copy(
        update={
            "chroma_api_impl": "chromadb.api.fastapi.FastAPI",
            "chroma_server_host": gated_chroma.host,
            "chroma_server_http_port": gated_chroma.port,
        }
    )
    admin = chromadb.AdminClient(admin_settings)
    admin.create_tenant(TENANT)
    admin.create_database(DATABASE, tenant=TENANT)


def test_right_token_ingests_and_answers_in_its_own_database(
    tmp_path: Path,
    gated_chroma: ChromaServer,
    tenant_database: None,
    embedder: SentenceEmbedder,
) -> None:
    settings = gated_settings(tmp_path, gated_chroma)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "selene.md").write_text(SELENE)
    assistant = build_assistant(settings, embedder=embedder)
    assert assistant.ingest().added == ["selene.md"]
    answer = assistant.ask("What does the Selene fab etch?")
    assert not answer.abstained and "3 nm" in answer.text
    assert {c.source for c in answer.citations} == {"selene.md"}
    stats = assistant.stats()
    assert (len(stats.documents), stats.store) == (1, f"127.0.0.1:{gated_chroma.port}")
    default_database = build_assistant(
        settings.replace(chroma_tenant="default_tenant", chroma_database="default_database"),
        embedder=embedder,
    )
    assert default_database.stats().chunks == 0


MISTAKES = {
    "no token": ({"CHIPQA_CHROMA_TOKEN": ""}, "wants a token (HTTP 403): set CHIPQA_CHROMA_TOKEN"),
    "wrong token": (
        {"CHIPQA_CHROMA_TOKEN": "not-the-token"},
        "refused the token (HTTP 403): check CHIPQA_CHROMA_TOKEN",
    ),
    "token in another header": (
        {"CHIPQA_CHROMA_TOKEN_HEADER": "Authorization"},
        "now Authorization",
    ),
    "token with a space": (
        {"CHIPQA_CHROMA_TOKEN": "two words"},
        "invalid setting chroma_token (CHIPQA_CHROMA_TOKEN): use ASCII letters",
    ),
    "no such database": (
        {"CHIPQA_CHROMA_DATABASE": "nowhere"},
        "has no database 'nowhere' in tenant 'acme'",
    ),
    "TLS to a plain server": ({"CHIPQA_CHROMA_SSL": "1"}, "check CHIPQA_CHROMA_SSL"),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_store_mistake_is_one_line_naming_the_setting(
    name: str,
    tmp_path: Path,
    gated_chroma: ChromaServer,
    tenant_database: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    changes, expected = MISTAKES[name]
    good = {
        "CHIPQA_CHROMA_HOST": gated_chroma.host,
        "CHIPQA_CHROMA_PORT": str(gated_chroma.port),
        "CHIPQA_CHROMA_TOKEN": GATE_TOKEN,
        "CHIPQA_CHROMA_TENANT": TENANT,
        "CHIPQA_CHROMA_DATABASE": DATABASE,
        "CHIPQA_DATA_DIR": str(tmp_path / "data"),
    }
    for key, value in (good | changes).items():
        if value:
            monkeypatch.setenv(key, value)
    line = error_line(run_main(("stats",), monkeypatch, capsys))
    assert expected in line, line
    assert GATE_TOKEN not in line and "not-the-token" not in line and "two words" not in line


def test_a_token_that_nothing_checks_is_said_once(
    tmp_path: Path,
    chroma_server: tuple[str, int],
    gated_chroma: ChromaServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    host, port = chroma_server
    bare = make_settings(tmp_path, chroma_host=host, chroma_port=port, chroma_token="unchecked")
    gated = gated_settings(
        tmp_path, gated_chroma, chroma_tenant="default_tenant", chroma_database="default_database"
    )
    with caplog.at_level(logging.WARNING, logger="assistant.chroma_client"):
        for settings in (bare, bare, gated):
            connect(settings)
    warned = [r.getMessage() for r in caplog.records]
    assert warned == [
        f"the Chroma server at {host}:{port} answers without CHIPQA_CHROMA_TOKEN: nothing "
        "checks the token, so anyone who reaches the server can read and change the index; "
        "put it behind a proxy that checks the token (see README, Scaling out)"
    ]
