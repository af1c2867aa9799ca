"""The answerers ChipQA offers, in one table: each one's name, how the UI shows it, what makes
it available and how it is built. The settings' allowed values, the CLI help, the UI's
choices, the wiring and the "not available" error all read it; a new answerer is a new row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.answer.base import Answerer, AnswererOptions
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.answer.extractive import ExtractiveAnswerer
    from assistant.embed import Embedder

# Builds an answerer from its options, the embedder and the extractive answerer it falls back to.
Builder = Callable[[AnswererOptions, "Embedder", "ExtractiveAnswerer"], Answerer]


@dataclass(frozen=True)
class AnswererKind:
    """One row of the table."""

    name: str
    label: str  # the UI's choice
    fix: str  # what makes it available, said when it is not
    available: Callable[[AnswererOptions], bool]
    build: Builder


def _extractive(
    options: AnswererOptions, embedder: Embedder, fallback: ExtractiveAnswerer
) -> Answerer:
    """The extractive answerer: the one every other answerer falls back to."""
    return fallback


def _llm(options: AnswererOptions, embedder: Embedder, fallback: ExtractiveAnswerer) -> Answerer:
    from assistant.answer.llm import LLMAnswerer

    if options.llm is None:
        raise ConfigError(not_available("llm"))
    return LLMAnswerer(options.llm, embedder, fallback)


def _local(options: AnswererOptions, embedder: Embedder, fallback: ExtractiveAnswerer) -> Answerer:
    from assistant.answer.local import LocalAnswerer

    return LocalAnswerer(options.local, embedder, fallback)


def _local_installed(options: AnswererOptions) -> bool:
    from assistant.answer.local import installed

    return installed(options.local)


ANSWERERS: dict[str, AnswererKind] = {
    kind.name: kind
    for kind in (
        AnswererKind(
            "extractive", "Quote the documents (instant)", "", lambda _: True, _extractive
        ),
        AnswererKind(
            "llm",
            "Write an answer with the language model (slower; still cited)",
            "set CHIPQA_LLM_BASE_URL and CHIPQA_LLM_MODEL",
            lambda options: options.llm is not None,
            _llm,
        ),
        AnswererKind(
            "local",
            "Write an answer with the small model on this computer (slow; still cited)",
            "install the bundled model: run `make run ANSWERER=local`",
            _local_installed,
            _local,
        ),
    )
}


def answerer_names(quote: str = "") -> str:
    """The answerers' names as a phrase, each between `quote`s: "extractive, llm or local"."""
    names = [f"{quote}{name}{quote}" for name in ANSWERERS]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def not_available(name: str) -> str:
    """One line saying that answerer `name` cannot answer here, and what to do."""
    kind = ANSWERERS.get(name)
    if kind is None:
        return f"there is no answerer '{name}': use {answerer_names()}"
    return f"answerer '{name}' is not available: {kind.fix}"


def build_answerers(
    options: AnswererOptions, embedder: Embedder, chosen: str
) -> dict[str, Answerer]:
    """Every available answerer, and the `chosen` one whatever (a missing piece of it then
    stops the wiring with one line naming the fix)."""
    from assistant.answer.extractive import ExtractiveAnswerer

    fallback = ExtractiveAnswerer(abstain_below=options.abstain_threshold)
    return {
        kind.name: kind.build(options, embedder, fallback)
        for kind in ANSWERERS.values()
        if kind.name == chosen or kind.available(options)
    }
