"""Question vectors without torch: a BERT model folder's forward pass in NumPy.

Embedding one question with sentence-transformers meant importing torch and its stack
first, most of a cold `chipqa ask`. This encoder reads the same folder (tokenizer.json,
config.json, model.safetensors) and pools and normalises as sentence-transformers does, so
its vectors match the ingest encoder's (cosine ≥ 0.999, tested). It serves folders made of
a BERT transformer with GELU, mean pooling and normalisation, like the bundled model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

TENSOR_TYPES = {"F32": np.float32, "I64": np.int64}
MODULES = ["Transformer", "Pooling", "Normalize"]
OTHER_POOLING = ("cls_token", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens")


def supports(path: Path) -> bool:
    """True when `path` is a folder this encoder reproduces exactly."""
    try:
        modules = _read_json(path / "modules.json")
        pooling = _read_json(path / modules[1]["path"] / "config.json")
        config = _read_json(path / "config.json")
        _read_json(path / "sentence_bert_config.json")["max_seq_length"]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False
    return (
        [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules] == MODULES
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(pooling.get(f"pooling_mode_{mode}") for mode in OTHER_POOLING)
        and config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (path / "tokenizer.json").is_file()
        and (path / "model.safetensors").is_file()
    )


class LightEncoder:
    """A BERT sentence encoder in NumPy over one model folder (see `supports`)."""

    def __init__(self, path: Path) -> None:
        """Map the weights and load the tokenizer of the folder at `path`."""
        from threadpoolctl import ThreadpoolController

        config = _read_json(path / "config.json")
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.weights = read_safetensors(path / "model.safetensors")
        self.tokenizer = load_tokenizer(path)
        self._blas = ThreadpoolController()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), hidden) float32 unit vectors, computed on one BLAS thread (on 2 busy
        cores a question took p50 43 ms on one thread, 600 ms on two)."""
        ids, types, mask = tokenized(self.tokenizer, texts)
        with self._blas.limit(limits=1, user_api="blas"):
            states = self._encode(ids, types, mask.astype(bool))
        return mean_pooled(states, mask)

    def _encode(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last hidden states, (texts, tokens, hidden)."""
        w = self.weights
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: ids.shape[1]]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        for n in range(self.layers):
            layer = f"encoder.layer.{n}"
            attended = self._attention(x, mask, f"{layer}.attention.self")
            x = self._norm(
                self._dense(attended, f"{layer}.attention.output.dense") + x,
                f"{layer}.attention.output.LayerNorm",
            )
            inner = _gelu(self._dense(x, f"{layer}.intermediate.dense"))
            x = self._norm(
                self._dense(inner, f"{layer}.output.dense") + x, f"{layer}.output.LayerNorm"
            )
        return x

    def _attention(self, x: np.ndarray, mask: np.ndarray, name: str) -> np.ndarray:
        """Multi-head self-attention over the unmasked tokens."""
        texts, tokens, hidden = x.shape
        size = hidden // self.heads

        def heads(part: str) -> np.ndarray:
            projected = self._dense(x, f"{name}.{part}")
            return projected.reshape(texts, tokens, self.heads, size).transpose(0, 2, 1, 3)

        scores = heads("query") @ heads("key").transpose(0, 1, 3, 2) / np.float32(np.sqrt(size))
        scores = np.where(mask[:, None, None, :], scores, -np.inf)
        weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
        weights /= weights.sum(axis=-1, keepdims=True)
        return (weights @ heads("value")).transpose(0, 2, 1, 3).reshape(texts, tokens, hidden)

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.weights[f"{name}.weight"].T + self.weights[f"{name}.bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        centred = x - x.mean(axis=-1, keepdims=True)
        scale = np.sqrt((centred**2).mean(axis=-1, keepdims=True) + self.eps)
        return centred / scale * self.weights[f"{name}.weight"] + self.weights[f"{name}.bias"]


def load_tokenizer(path: Path) -> Any:
    """The folder's tokenizer, truncating to the model's window and padding batches."""
    from tokenizers import Tokenizer

    config = _read_json(path / "config.json")
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.enable_truncation(
        int(_read_json(path / "sentence_bert_config.json")["max_seq_length"])
    )
    tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))
    return tokenizer


def tokenized(tokenizer: Any, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token ids, token types and attention mask (int64), (texts, tokens) each."""
    encoded = tokenizer.encode_batch(list(texts))
    return tuple(  # type: ignore[return-value]
        np.array([getattr(e, field) for e in encoded], dtype=np.int64)
        for field in ("ids", "type_ids", "attention_mask")
    )


def mean_pooled(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Unit float32 vectors: the mean of each text's unmasked token states, as
    sentence-transformers pools and normalises them."""
    weights = mask[..., None].astype(states.dtype)
    pooled = (states * weights).sum(axis=1) / weights.sum(axis=1)
    return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x)."""
    return 0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function to within 1.5e-7 (Abramowitz & Stegun 7.1.26); NumPy has none."""
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = (
        (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592
    ) * t
    return np.sign(x) * (1.0 - poly * np.exp(-a * a))


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file, mapped read-only from disk rather than copied."""
    data = np.memmap(path, dtype=np.uint8, mode="r")
    size = int.from_bytes(data[:8].tobytes(), "little")
    header: dict[str, Any] = json.loads(data[8 : 8 + size].tobytes())
    header.pop("__metadata__", None)
    body = 8 + size
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        kind = np.dtype(TENSOR_TYPES[entry["dtype"]])
        flat = np.frombuffer(data, kind, (end - start) // kind.itemsize, body + start)
        tensors[name.removeprefix("bert.")] = flat.reshape(entry["shape"])
    return tensors


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
