"""The gold FAQ file: a YAML list of questions with answers, key facts and evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError
from assistant.types import Turn

SPLITS = ("dev", "tune", "test", "blind", "blind2", "blind3")
GoldKind = Literal[
    "single",  # one fact from one document
    "multi_part",  # asks two things, both stated (in one document or two)
    "multi_doc",  # needs two documents
    "generic_word",  # answerable, though it uses an ordinary word no document has
    "follow_up",  # depends on `history`
    "missing_detail",  # unanswerable: an attribute the corpus never states for an entity it names
    "other_entity",  # unanswerable: the corpus has this figure only for another entity
    "future",  # unanswerable: a value the corpus cannot know yet
    "false_premise",  # contradicted by the corpus: abstaining or a cited correction is right
    "off_topic",  # unanswerable: nothing to do with the corpus
]


class Evidence(BaseModel):
    """A verbatim span of corpus text that supports the gold answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    quote: str


class GoldTurn(BaseModel):
    """An earlier exchange in a follow-up conversation."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: str
    answer: str


class GoldItem(BaseModel):
    """One gold question (schema in the project's design notes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    question: str = Field(min_length=1)
    answer: str
    key_facts: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    answerable: bool = True
    history: list[GoldTurn] = Field(default_factory=list)
    split: Literal["dev", "tune", "test", "blind", "blind2", "blind3"] = "test"
    kind: GoldKind | None = None
    verdict: Literal["good", "bad"] | None = None  # feedback: the answer given was marked so
    wrong: list[Evidence] = Field(default_factory=list)  # feedback: quotes that do not say it
    marked_at: str | None = None  # feedback: when it was given (ISO time, UTC)

    @property
    def quotes(self) -> list[str]:
        """The evidence quotes as plain strings."""
        return [e.quote for e in self.evidence]

    def turns(self) -> list[Turn]:
        """The history in the form `Assistant.ask` takes."""
        return [Turn(question=t.question, answer=t.answer) for t in self.history]


def load_gold(path: Path) -> list[GoldItem]:
    """Read and validate a gold file; raises `ConfigError` with one line on any problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read gold file {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"gold file {path} is not valid YAML: {error}") from error
    if not isinstance(data, list) or not data:
        raise ConfigError(f"gold file {path} must be a non-empty YAML list of questions")
    items = []
    for position, raw in enumerate(data, start=1):
        try:
            items.append(GoldItem.model_validate(raw))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(
                f"gold file {path}, item {position}: {where}: {first['msg']}"
            ) from error
    duplicates = sorted({i.id for i in items if sum(j.id == i.id for j in items) > 1})
    if duplicates:
        raise ConfigError(f"gold file {path}: duplicate ids {', '.join(duplicates)}")
    return items
