"""Evaluate the claim-provenance tagger on the hand-labelled set (`eval/claims.yaml`).

Per split: precision, recall and F1 per claim type, a confusion table (labelled x predicted),
claimant accuracy (exact after case-folding, on sentences with a labelled claimant) and
event-date accuracy. Every labelled sentence must occur verbatim in its source document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from assistant.errors import ConfigError, LoadError
from assistant.load import load_document
from assistant.provenance import CLAIM_TYPES, previous_context, tag_sentence
from assistant.types import Document, Provenance

ClaimType = Literal["official", "company", "reported", "estimate", "forecast", "fact"]
SPLITS = ("dev", "test")
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"


class ClaimLabel(BaseModel):
    """One hand-labelled sentence."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str = Field(min_length=1)  # path under the corpus folder
    sentence: str = Field(min_length=1)
    claim_type: ClaimType
    claimant: str | None
    event_date: str | None = Field(pattern=DATE_PATTERN)
    split: Literal["dev", "test"]

    @field_validator("event_date", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        """Unquoted YAML dates and years arrive as `date`/`int`; keep them as text."""
        return value if value is None or isinstance(value, str) else str(value)


_LABELS = TypeAdapter(Annotated[list[ClaimLabel], Field(min_length=1)])


def load_claims(path: Path) -> list[ClaimLabel]:
    """Read and validate a labelled-claims file; raises `ConfigError` with one line."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return _LABELS.validate_python(data)
    except OSError as error:
        raise ConfigError(f"cannot read claims file {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"claims file {path} is not valid YAML: {error}") from error
    except ValidationError as error:
        first = error.errors()[0]
        item, *field = first["loc"] or ("",)
        where = f"item {item + 1}: {'.'.join(map(str, field))}" if isinstance(item, int) else "list"
        raise ConfigError(f"claims file {path}, {where}: {first['msg']}") from error


def missing_sentences(labels: Iterable[ClaimLabel], corpus_dir: Path) -> list[str]:
    """Labelled sentences that do not occur verbatim in their source (as 'source: sentence')."""
    documents = _Documents(corpus_dir)
    return [
        f"{label.source}: {label.sentence}"
        for label in labels
        if label.sentence not in documents.get(label.source).text
    ]


def tag_labelled(label: ClaimLabel, document: Document) -> Provenance:
    """Tag a labelled sentence the way ingest would: with its context and front matter."""
    start = document.text.find(label.sentence)
    previous = previous_context(document.text, start) if start >= 0 else ""
    return tag_sentence(label.sentence, previous, document.meta)


def evaluate_claims(
    labels: Sequence[ClaimLabel], corpus_dir: Path, splits: Sequence[str] = SPLITS
) -> dict[str, Any]:
    """A JSON-ready report: per split, per-type scores, confusion, claimant and date accuracy."""
    documents = _Documents(corpus_dir)
    predictions = [tag_labelled(label, documents.get(label.source)) for label in labels]
    report: dict[str, Any] = {
        "labelled": len(labels),
        "missing_sentences": missing_sentences(labels, corpus_dir),
    }
    for split in splits:
        pairs = [
            (lab, pred) for lab, pred in zip(labels, predictions, strict=True) if lab.split == split
        ]
        report[split] = _split_report(pairs)
    return report


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: a per-type table, a confusion table and accuracies per split."""
    lines = [f"Labelled sentences: {report['labelled']}", ""]
    for split in SPLITS:
        if split in report:
            lines += _split_markdown(split, report[split])
    return "\n".join(lines).rstrip() + "\n"


# --- Scoring --------------------------------------------------------------------------------


def _split_report(pairs: list[tuple[ClaimLabel, Provenance]]) -> dict[str, Any]:
    confusion: Counter[tuple[str, str]] = Counter(
        (lab.claim_type, pred.claim_type) for lab, pred in pairs
    )
    named = [(lab, pred) for lab, pred in pairs if lab.claimant]
    claimant_right = sum(_same_name(lab.claimant, pred.claimant) for lab, pred in named)
    dated = [(lab, pred) for lab, pred in pairs if lab.event_date]
    return {
        "sentences": len(pairs),
        "types": {t: _type_scores(t, confusion) for t in CLAIM_TYPES},
        "accuracy": _ratio(sum(confusion[(t, t)] for t in CLAIM_TYPES), len(pairs)),
        "confusion": {
            label: {pred: confusion[(label, pred)] for pred in CLAIM_TYPES} for label in CLAIM_TYPES
        },
        "claimant": {
            "labelled": len(named),
            "correct": claimant_right,
            "accuracy": _ratio(claimant_right, len(named)),
        },
        "event_date": {
            "all": _ratio(
                sum(lab.event_date == pred.event_date for lab, pred in pairs), len(pairs)
            ),
            "dated": len(dated),
            "dated_accuracy": _ratio(
                sum(lab.event_date == pred.event_date for lab, pred in dated), len(dated)
            ),
        },
        "mistakes": [_mistake(lab, pred) for lab, pred in pairs if _differs(lab, pred)],
    }


def _type_scores(claim_type: str, confusion: Counter[tuple[str, str]]) -> dict[str, Any]:
    true_positive = confusion[(claim_type, claim_type)]
    support = sum(n for (label, _), n in confusion.items() if label == claim_type)
    predicted = sum(n for (_, pred), n in confusion.items() if pred == claim_type)
    precision = _ratio(true_positive, predicted)
    recall = _ratio(true_positive, support)
    f1 = None
    if precision is not None and recall is not None:
        f1 = round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0
    return {
        "support": support,
        "predicted": predicted,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def _mistake(label: ClaimLabel, pred: Provenance) -> dict[str, Any]:
    return {
        "source": label.source,
        "sentence": label.sentence,
        "labelled": [label.claim_type, label.claimant, label.event_date],
        "predicted": [pred.claim_type, pred.claimant, pred.event_date],
    }


def _differs(label: ClaimLabel, pred: Provenance) -> bool:
    claimant_wrong = bool(label.claimant) and not _same_name(label.claimant, pred.claimant)
    return (
        label.claim_type != pred.claim_type or claimant_wrong or label.event_date != pred.event_date
    )


def _same_name(labelled: str | None, predicted: str | None) -> bool:
    return (labelled or "").casefold() == (predicted or "").casefold()


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


# --- Markdown -------------------------------------------------------------------------------


def _split_markdown(split: str, scores: dict[str, Any]) -> list[str]:
    lines = [
        f"## {split} ({scores['sentences']} sentences, accuracy {_fmt(scores['accuracy'])})",
        "",
        "| type | support | predicted | precision | recall | F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for claim_type, s in scores["types"].items():
        lines.append(
            f"| {claim_type} | {s['support']} | {s['predicted']} | {_fmt(s['precision'])} "
            f"| {_fmt(s['recall'])} | {_fmt(s['f1'])} |"
        )
    lines += ["", "| labelled \\ predicted | " + " | ".join(CLAIM_TYPES) + " |"]
    lines.append("| --- |" + " ---: |" * len(CLAIM_TYPES))
    for label, row in scores["confusion"].items():
        lines.append(f"| {label} | " + " | ".join(str(row[p]) for p in CLAIM_TYPES) + " |")
    claimant, dates = scores["claimant"], scores["event_date"]
    lines += [
        "",
        f"Claimant accuracy: {_fmt(claimant['accuracy'])} "
        f"({claimant['correct']}/{claimant['labelled']} sentences with a labelled claimant)",
        f"Event-date accuracy: {_fmt(dates['all'])} on all sentences, "
        f"{_fmt(dates['dated_accuracy'])} on the {dates['dated']} with a labelled date",
        "",
    ]
    return lines


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


class _Documents:
    """Corpus documents loaded once each, keyed by their path under the corpus folder."""

    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = corpus_dir
        self.loaded: dict[str, Document] = {}

    def get(self, source: str) -> Document:
        if source not in self.loaded:
            try:
                self.loaded[source] = load_document(self.corpus_dir / source, source)
            except LoadError as error:
                raise ConfigError(
                    f"claims file names a source that cannot be loaded: {error}"
                ) from error
        return self.loaded[source]
