"""The store contract, kept by the embedded store and by a `chroma run` server."""

from __future__ import annotations

import pytest
from helpers import make_settings, server_settings
from store_contract import StoreContract

from assistant.settings import Settings


class TestEmbeddedStore(StoreContract):
    """Chroma in the data folder."""

    @pytest.fixture(scope="class")
    @classmethod
    def settings(cls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
        return make_settings(tmp_path_factory.mktemp("embedded-store"))


class TestServerStore(StoreContract):
    """Chroma on a server, in a collection of the class's own."""

    @pytest.fixture(scope="class")
    @classmethod
    def settings(
        cls, tmp_path_factory: pytest.TempPathFactory, chroma_server: tuple[str, int]
    ) -> Settings:
        return server_settings(tmp_path_factory.mktemp("server-store"), chroma_server)
