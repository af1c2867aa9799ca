"""A closed network surface, on a real served app: only the host names it serves, Gradio's
upload route only when uploads are on and within a budget, logins slowed after failures,
a branded login and a logout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from helpers import free_port, make_settings, wait_for_port

from assistant.embed import SentenceEmbedder
from assistant.pipeline import build_assistant
from assistant.web import guard, serve
from assistant.web.app import LOGIN_MESSAGE

LOGIN = {"username": "ada", "password": "lovelace"}


@contextmanager
def served(tmp_path: Path, embedder: SentenceEmbedder, **settings: object) -> Iterator[str]:
    """The app over an empty corpus on a free port, its base URL by loopback address."""
    port = free_port()
    assistant = build_assistant(
        make_settings(tmp_path, port=port, max_upload_mb=1, **settings), embedder=embedder
    )
    app = serve(assistant, block=False)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        app.close()


def upload(url: str, data: bytes = b"The Zeta fab opened in 2029.\n") -> httpx.Response:
    files = {"files": ("zeta.md", data, "text/markdown")}
    return httpx.post(f"{url}/gradio_api/upload", files=files, timeout=30)


def test_loopback_server_answers_only_to_its_own_names(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    with served(tmp_path, embedder, allowed_hosts="chipqa.example.org") as url:
        port = url.rsplit(":", 1)[1]
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "chipqa.example.org"):
            assert httpx.get(f"{url}/", headers={"Host": host}).status_code == 200, host
        for host in (f"rebound.attacker.example:{port}", "evil.example", f"0.0.0.0:{port}"):
            refused = httpx.get(f"{url}/", headers={"Host": host})
            assert refused.status_code == 400, host
            assert refused.json() == {"error": "this server does not answer to that host name"}
        assert upload(url).status_code == 200  # an upload from the app's own page still works
        assert upload_from(url, "rebound.attacker.example").status_code == 400


def upload_from(url: str, host: str) -> httpx.Response:
    files = {"files": ("zeta.md", b"text", "text/markdown")}
    return httpx.post(f"{url}/gradio_api/upload", files=files, headers={"Host": host})


def test_upload_route_is_closed_when_uploads_are_off(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    with served(tmp_path, embedder, host="0.0.0.0") as url:
        refused = upload(url)
        assert refused.status_code == 403
        assert refused.json() == {"error": "uploads are off on this server"}
        assert httpx.get(f"{url}/", headers={"Host": "any.name.example"}).status_code == 200


def test_upload_route_keeps_to_its_budget(
    tmp_path: Path, embedder: SentenceEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guard, "HOURLY_UPLOADS", 3)
    with served(tmp_path, embedder) as url:
        too_big = upload(url, b"x" * (guard.MAX_FILES * 1024 * 1024 + 1))
        assert too_big.status_code == 413
        chunked = httpx.post(
            f"{url}/gradio_api/upload",
            content=iter([b"--b\r\n", b"x"]),
            headers={"content-type": "multipart/form-data; boundary=b"},
        )
        assert chunked.status_code == 411
        assert [upload(url).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_failed_logins_are_slowed_down_per_client(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    with served(tmp_path, embedder, auth="ada:lovelace") as url:
        wrong = {**LOGIN, "password": "guess"}
        statuses = [httpx.post(f"{url}/login", data=wrong).status_code for _ in range(4)]
        assert statuses == [400, 400, 400, 429]
        began = time.monotonic()
        throttled = httpx.post(f"{url}/login", data=LOGIN)  # right, but too soon
        assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
        assert "too many failed logins" in throttled.json()["error"]
        time.sleep(max(0.0, 1.1 - (time.monotonic() - began)))
        assert httpx.post(f"{url}/login", data=LOGIN).status_code == 200
        assert httpx.post(f"{url}/login", data=wrong).status_code == 400  # forgotten: counts anew


def test_login_is_branded_and_there_is_a_logout(tmp_path: Path, embedder: SentenceEmbedder) -> None:
    with served(tmp_path, embedder, auth="ada:lovelace") as url:
        refused = httpx.get(f"{url}/config")
        assert refused.status_code == 401
        assert refused.json()["detail"]["auth_message"] == LOGIN_MESSAGE
        with httpx.Client(base_url=url) as browser:
            assert browser.post("/login", data=LOGIN).status_code == 200
            config = browser.get("/config").json()
            links = [c["props"].get("link") for c in config["components"]]
            assert "/logout" in links
            assert browser.get("/logout").status_code in (302, 307)
            assert browser.get("/config").status_code == 401
