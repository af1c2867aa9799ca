"""The embedding stage: the bundled model by name or any model folder, loaded on first use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import make_settings, stored_chunks

from assistant.embed import BUNDLED, SentenceEmbedder, model_path
from assistant.errors import ConfigError
from assistant.pipeline import Assistant, build_assistant

TEXTS = ["Huawei's Ascend 910C targets training.", "SMIC ships 7 nm chips."]


def test_a_model_folder_gives_the_vectors_of_the_model_in_it(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    folder = tmp_path / "my-model"
    folder.symlink_to(model_path(BUNDLED), target_is_directory=True)
    own = SentenceEmbedder(str(folder))
    assert own.dimension == embedder.dimension == 384 and not own.loaded
    assert np.allclose(own.embed(TEXTS), embedder.embed(TEXTS), atol=1e-5)
    assert own.max_tokens == embedder.max_tokens == 256


def test_a_model_folder_gets_a_collection_of_its_own(tmp_path: Path) -> None:
    bundled = make_settings(tmp_path)
    other = bundled.replace(embedding_model=str(tmp_path / "my-model"))
    assert bundled.collection_name() != other.collection_name()


@pytest.mark.parametrize("name", ["all-MiniLM-L12-v2", "/no/such/model"])
def test_an_unknown_model_is_one_line_naming_the_setting(name: str) -> None:
    with pytest.raises(ConfigError, match="CHIPQA_EMBEDDING_MODEL") as error:
        SentenceEmbedder(name)
    assert "\n" not in str(error.value) and BUNDLED in str(error.value)


def test_stats_read_the_store_without_loading_the_model(corpus_assistant: Assistant) -> None:
    fresh = build_assistant(corpus_assistant.settings)
    stats = fresh.stats()
    assert isinstance(fresh.embedder, SentenceEmbedder) and not fresh.embedder.loaded
    assert [d.source for d in stats.documents] == [d.source for d in corpus_assistant.documents()]
    assert stats.chunks == len(stored_chunks(corpus_assistant)) and stats.sentences > stats.chunks
    assert stats.to_dict()["incomplete"] == []
