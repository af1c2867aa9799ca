"""The store contract, kept by the embedded store and by a `chroma run` server."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_settings, server_settings
from store_contract import StoreContract

from assistant.settings import Settings


class TestEmbeddedStore(StoreContract):
    """Chroma in the data folder."""

    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        return make_settings(tmp_path)


class TestServerStore(StoreContract):
    """Chroma on a server, each test in a collection of its own."""

    @pytest.fixture
    def settings(self, tmp_path: Path, chroma_server: tuple[str, int]) -> Settings:
        return server_settings(tmp_path, chroma_server)
