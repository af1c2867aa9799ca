"""The embedding stage: the bundled model by name or any model folder, loaded on first use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, make_settings, stored_chunks

from assistant.chunk import chunk_document, embedding_text
from assistant.embed import (
    BUNDLED,
    SINGLE_THREAD_MAX,
    SentenceEmbedder,
    export_setup,
    exported,
    light,
    model_path,
    native_bfloat16,
)
from assistant.errors import ConfigError
from assistant.load import iter_corpus_files, load_document
from assistant.pipeline import Assistant, build_assistant

TEXTS = ["Huawei's Ascend 910C targets training.", "SMIC ships 7 nm chips."]
HEAVY = ("torch", "sentence_transformers", "transformers")
# Runs the `chipqa` entry point, then names the model modules it imported, on stderr.
PROBE = """
import sys
from assistant.cli import main
sys.argv = ["chipqa", *sys.argv[1:]]
try:
    main()
finally:
    names = ("torch", "sentence_transformers", "transformers", "tokenizers")
    print("imported:", *[name for name in names if name in sys.modules], file=sys.stderr)
"""


def corpus_sentences(embedder: SentenceEmbedder) -> list[str]:
    """Every sentence of the shipped corpus, as ingest chunks it."""
    sentences = []
    for path in iter_corpus_files(CORPUS):
        chunks = chunk_document(load_document(path, path.name), embedder.count_tokens, 128)
        sentences += [s.text for chunk in chunks for s in chunk.sentences]
    return sentences


@pytest.mark.slow  # embeds every corpus sentence four ways (about 30 s)
def test_questions_get_the_ingest_encoders_vectors_from_onnx_and_numpy(
    embedder: SentenceEmbedder,
) -> None:
    sentences = corpus_sentences(embedder)
    assert len(sentences) > 300 and len(sentences) > SINGLE_THREAD_MAX
    ingested = embedder.embed(sentences)
    assert embedder.loaded and light.supports(embedder.path)
    assert isinstance(embedder.question_encoder(), exported.ExportedEncoder)  # made at install
    one_by_one = np.vstack([embedder.embed([s]) for s in sentences])
    assert np.allclose(one_by_one, embedder.question_encoder().embed(sentences), atol=1e-5)
    in_numpy = light.LightEncoder(embedder.path).embed(sentences)
    for vectors in (one_by_one, in_numpy):
        assert float((vectors * ingested).sum(axis=1).min()) >= 0.999


@pytest.mark.slow  # exports the model twice (about 20 s)
def test_an_export_is_kept_only_when_it_gives_the_models_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceEmbedder
) -> None:
    monkeypatch.setattr(exported, "EXPORTS", tmp_path / "exports")
    assert isinstance(SentenceEmbedder().question_encoder(), light.LightEncoder)
    made = exported.export(embedder.path, embedder.load())
    assert made.is_file() and exported.available(embedder.path)
    assert isinstance(SentenceEmbedder().question_encoder(), exported.ExportedEncoder)
    cls_pooled = cls_pooled_folder(tmp_path)
    with pytest.raises(ValueError, match="differ from the model's"):
        exported.export(cls_pooled, SentenceEmbedder(str(cls_pooled)).load())
    assert not exported.available(cls_pooled)
    assert not list((tmp_path / "exports").glob("*.partial"))


@pytest.mark.slow  # exports the model twice (about 25 s)
@pytest.mark.parametrize("damage", ["zeroed weights", "truncated"])
def test_a_damaged_export_leaves_questions_to_numpy_until_it_is_made_again(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    embedder: SentenceEmbedder,
    damage: str,
) -> None:
    monkeypatch.setattr(exported, "EXPORTS", tmp_path / "exports")
    made = exported.export(embedder.path, embedder.load())
    size = made.stat().st_size
    with made.open("r+b") as file:
        if damage == "truncated":
            file.truncate(size // 3)
        else:
            file.seek(size // 2)
            file.write(bytes(size // 8))
    fallen_back = SentenceEmbedder()
    assert isinstance(fallen_back.question_encoder(), light.LightEncoder)
    assert "questions are embedded in NumPy: the ONNX export is unusable" in caplog.text
    expected = embedder.load().encode(TEXTS, normalize_embeddings=True)
    assert float((fallen_back.embed(TEXTS) * expected).sum(axis=1).min()) >= 0.999
    export_setup.main([])
    assert isinstance(SentenceEmbedder().question_encoder(), exported.ExportedEncoder)


def test_bfloat16_batches_give_the_float32_vectors() -> None:
    exact = SentenceEmbedder(precision="float32")
    fast = SentenceEmbedder(precision="bfloat16")
    chunks = []
    for path in sorted(iter_corpus_files(CORPUS))[:6]:
        chunks += chunk_document(load_document(path, path.name), exact.count_tokens, 128)
    texts = [embedding_text(chunk) for chunk in chunks]
    assert len(texts) > SINGLE_THREAD_MAX and fast.bfloat16 and not exact.bfloat16
    cosines = (exact.embed(texts) * fast.embed(texts)).sum(axis=1)
    assert float(cosines.min()) >= 0.999


@pytest.mark.parametrize(
    ("flags", "native"),
    [("fpu avx512f avx512_bf16 amx_tile", True), ("fpu amx_bf16", True), ("fpu avx512f", False)],
)
def test_bfloat16_is_chosen_only_where_the_cpu_has_it(
    tmp_path: Path, flags: str, native: bool
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    assert native_bfloat16(cpuinfo) is native
    assert native_bfloat16(tmp_path / "missing") is False


def cls_pooled_folder(tmp_path: Path) -> Path:
    """The bundled model with CLS pooling: a folder neither fast encoder reproduces."""
    folder = tmp_path / "cls-pooled"
    for item in model_path(BUNDLED).iterdir():
        if item.name != "1_Pooling":
            (folder / item.name).parent.mkdir(parents=True, exist_ok=True)
            (folder / item.name).symlink_to(item)
    pooling = folder / "1_Pooling"
    pooling.mkdir()
    config = (model_path(BUNDLED) / "1_Pooling" / "config.json").read_text()
    (pooling / "config.json").write_text(
        config.replace('"pooling_mode_cls_token": false', '"pooling_mode_cls_token": true')
    )
    return folder


def test_a_folder_the_numpy_encoder_cannot_reproduce_is_left_to_sentence_transformers(
    tmp_path: Path,
) -> None:
    folder = cls_pooled_folder(tmp_path)
    assert light.supports(model_path(BUNDLED)) and not light.supports(folder)


def probe(args: list[str], data_dir: Path) -> tuple[int, set[str]]:
    """Exit code of `chipqa ARGS` in a fresh process, and the model modules it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPQA_")}
    env |= {"CHIPQA_CORPUS_DIR": str(CORPUS), "CHIPQA_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True
    )
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("imported:"), done.stderr
    return done.returncode, set(last.split()[1:])


@pytest.mark.parametrize("args", [["stats"], ["--help"], ["--version"], ["ask", "-h"]])
def test_commands_that_need_no_model_load_none(
    args: list[str], corpus_assistant: Assistant
) -> None:
    assert probe(args, corpus_assistant.settings.data_dir) == (0, set())


def test_a_question_is_answered_without_torch(corpus_assistant: Assistant) -> None:
    code, imported = probe(
        ["ask", "How important is DeepSeek?"], corpus_assistant.settings.data_dir
    )
    assert code == 0 and "tokenizers" in imported and not imported & set(HEAVY)


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
