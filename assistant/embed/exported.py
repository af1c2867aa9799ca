"""Question vectors from an ONNX export of the model folder, run by ONNX Runtime.

The same BERT forward pass as `light`, but in ONNX Runtime's fused kernels: one short
question takes about a third of the NumPy encoder's time on one thread. The export is
made once, at install (`python -m assistant.embed.export_setup`, which `make install` runs),
from the folder's own weights through torch, and kept beside the installed packages under
a name tied to the weights file; it is refused unless its vectors match
sentence-transformers' to cosine 0.999. Without it the NumPy encoder serves.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embed.light import load_tokenizer, mean_pooled, tokenized
from assistant.keep.files import write_atomic

EXPORTS = Path(sys.prefix) / "share" / "chipqa" / "onnx"
INPUTS = ("input_ids", "token_type_ids", "attention_mask")
MIN_COSINE = 0.999  # an export whose vectors differ more from the ingest encoder's is refused
PROBES = (
    "What is the H20?",
    "How much of its China revenue does Nvidia pay the US government for export licences?",
    "SMIC makes 7nm chips with DUV tools and multi-patterning.",
)


def export_path(folder: Path) -> Path:
    """Where the export of the model in `folder` lives: named for its weights file's size
    and modification time, so new weights never meet an old export."""
    weights = (folder / "model.safetensors").stat()
    name = "-".join(folder.resolve().parts[-2:])
    return EXPORTS / f"{name}-{weights.st_size}-{weights.st_mtime_ns}.onnx"


def available(folder: Path) -> bool:
    """True when `folder` has an export and ONNX Runtime is installed."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    try:
        target = export_path(folder)
    except OSError:
        return False
    return target.is_file() and reference_path(target).is_file()


def reference_path(target: Path) -> Path:
    """Where the model's own vectors for the `PROBES` are kept beside an export."""
    return target.with_suffix(".json")


class ExportedEncoder:
    """A sentence encoder running the ONNX export of one model folder on one thread."""

    def __init__(self, folder: Path, export: Path | None = None) -> None:
        """Open `export` (by default the export of the model in `folder`, see
        `export_path`)."""
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1  # shared cores
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(export or export_path(folder)), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = load_tokenizer(folder)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), hidden) float32 unit vectors."""
        ids, types, mask = tokenized(self.tokenizer, texts)
        feeds = dict(zip(INPUTS, (ids, types, mask), strict=True))
        states = self.session.run(None, feeds)[0]
        return mean_pooled(states, mask)


def open_checked(folder: Path) -> ExportedEncoder:
    """The export of the model in `folder`, once it gives the vectors it was made to give
    (a damaged or replaced file does not); ValueError when it does not."""
    encoder = ExportedEncoder(folder)
    target = export_path(folder)
    reference = np.asarray(json.loads(reference_path(target).read_text()), dtype=np.float32)
    cosine = _lowest_cosine(encoder.embed(PROBES), reference)
    if cosine < MIN_COSINE:
        raise ValueError(f"{target} no longer gives the model's vectors (cosine {cosine:.5f})")
    return encoder


def export(folder: Path, model: Any) -> Path:
    """Write the export of `model` (the folder's sentence-transformers model) and check it
    against the model's own vectors; returns its path. A failed export or check leaves no
    file behind."""
    import torch

    target = export_path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    inputs = tuple(torch.from_numpy(a) for a in tokenized(load_tokenizer(folder), PROBES))
    axes = {0: "texts", 1: "tokens"}
    try:
        with warnings.catch_warnings():  # the tracer's notes on shapes it fixes: none apply
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _last_hidden_state(model[0].auto_model.eval()),
                inputs,
                str(partial),
                input_names=list(INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=dict.fromkeys((*INPUTS, "last_hidden_state"), axes),
                opset_version=17,
                dynamo=False,
            )
        reference = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
        cosine = _lowest_cosine(ExportedEncoder(folder, partial).embed(PROBES), reference)
        if cosine < MIN_COSINE:
            raise ValueError(f"the export's vectors differ from the model's (cosine {cosine:.5f})")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    write_atomic(reference_path(target), json.dumps(reference.tolist()))
    os.replace(partial, target)
    return target


def _last_hidden_state(transformer: Any) -> Any:
    """`transformer` as a module taking the `INPUTS` in order and giving its last states."""
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, ids: Any, types: Any, mask: Any) -> Any:
            out = self.transformer(input_ids=ids, token_type_ids=types, attention_mask=mask)
            return out.last_hidden_state

    return LastHiddenState()


def _lowest_cosine(ours: np.ndarray, theirs: np.ndarray) -> float:
    """The lowest cosine between paired unit vectors; 0 when their shapes differ (a folder
    that pools otherwise, or more, than by the mean)."""
    if ours.shape != theirs.shape:
        return 0.0
    return float((ours * theirs).sum(axis=1).min())
