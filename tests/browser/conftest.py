"""Browser fixtures: the real app over a copy of the corpus, driven by Debian's Chromium,
on a desktop and a phone-sized page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import CORPUS, REPO, LiveApp, free_port, make_settings, served
from llm_server import ScriptedLLM
from playwright.sync_api import Browser, Page, expect, sync_playwright

from assistant.embed import SentenceEmbedder
from assistant.pipeline import Assistant, build_assistant

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUTPUT = REPO / "test-output" / "browser"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Watched:
    """A page with every request URL and every dialog it produced."""

    page: Page
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def live_app(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder, scripted_llm: ScriptedLLM
) -> Iterator[LiveApp]:
    """The app served in a background thread on a free port, over a temp copy of the corpus,
    answering extractively unless the scripted LLM is chosen in its settings."""
    root = tmp_path_factory.mktemp("ui")
    shutil.copytree(CORPUS, root / "corpus")
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith("CHIPQA_")]:
            env.delenv(name)
        settings = make_settings(
            root, port=free_port(), llm_base_url=scripted_llm.base_url, llm_model="scripted"
        )
    assistant = build_assistant(settings, embedder=embedder)
    assistant.ingest()
    yield from served(assistant)


@pytest.fixture(scope="session")
def read_only_app(live_app: LiveApp) -> Iterator[LiveApp]:
    """The same index served on all interfaces without a login (so: read-only), and
    without an LLM endpoint."""
    base = live_app.assistant
    settings = base.settings.replace(
        host="0.0.0.0", port=free_port(), llm_base_url=None, llm_model=None
    )
    extractive = {"extractive": base.answerers["extractive"]}
    yield from served(Assistant(settings, base.embedder, base.store, extractive))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session (assertions wait up to 30 s on a busy machine)."""
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def watched(browser: Browser, live_app: LiveApp) -> Iterator[Watched]:
    """A fresh page on the app that records requests and dismisses (and records) dialogs."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(30_000)
    watched = Watched(page)
    page.on("request", lambda request: watched.requests.append(request.url))
    page.on("dialog", lambda dialog: (watched.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_app.url)
    yield watched
    context.close()


@pytest.fixture
def page(watched: Watched) -> Page:
    """The watched page itself."""
    return watched.page


@pytest.fixture
def phone(browser: Browser, live_app: LiveApp) -> Iterator[Page]:
    """The app on a phone-sized touch screen."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(live_app.url)
    yield page
    context.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where screenshots go (git-ignored)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
