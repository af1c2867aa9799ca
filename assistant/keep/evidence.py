"""Evidence files: one answer kept as JSON (sealed by a checksum) with a Markdown twin.

The JSON holds the question, its earlier turns, the answer, every citation with its exact
quote and offsets, the hash of each cited document as indexed, the answer's as-of, ChipQA's
version, the hash of the settings that shape answers and when it was asked. The checksum
covers all of it, so a file edited by hand is told from one ChipQA wrote.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.errors import ChipQAError
from assistant.evaluation.gold import GoldTurn
from assistant.keep.files import write_atomic
from assistant.types import Answer, DocInfo, Turn

if TYPE_CHECKING:
    from assistant.pipeline import Assistant

FORMAT: Literal["chipqa-evidence/1"] = "chipqa-evidence/1"


class EvidenceError(ChipQAError):
    """A file is not an evidence file, or was changed after ChipQA wrote it."""


class KeptCitation(BaseModel):
    """One citation as kept: `quote` was `document_text[start:end]` of the document whose
    hash (as indexed) is `document_sha256`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int
    source: str
    title: str
    quote: str
    start: int
    end: int
    claim_type: str | None
    claimant: str | None
    event_date: str | None
    as_of: str | None
    uploaded: bool
    document_sha256: str


class Evidence(BaseModel):
    """A kept answer, as an evidence file holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal["chipqa-evidence/1"] = FORMAT
    question: str
    history: list[GoldTurn]
    answer: str
    abstained: bool
    as_of: str | None
    citations: list[KeptCitation]
    version: str
    settings_hash: str
    asked_at: str
    checksum: str = ""

    def sealed(self) -> Evidence:
        """This evidence with its checksum filled in."""
        return self.model_copy(update={"checksum": self.expected_checksum()})

    def expected_checksum(self) -> str:
        """SHA-256 of every field but the checksum, as canonical JSON."""
        body = self.model_dump(mode="json", exclude={"checksum"})
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def to_json(self) -> str:
        """The evidence file's text."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def evidence_of(
    answer: Answer,
    history: Sequence[Turn],
    documents: Mapping[str, DocInfo],
    settings_hash: str,
    asked_at: datetime | None = None,
) -> Evidence:
    """The sealed evidence of `answer`; `documents` holds each cited source's `DocInfo`."""
    citations = [
        KeptCitation(
            n=c.n,
            source=c.source,
            title=c.title,
            quote=c.quote,
            start=c.start,
            end=c.end,
            claim_type=c.claim_type,
            claimant=c.claimant,
            event_date=c.event_date,
            as_of=c.as_of,
            uploaded=c.uploaded,
            document_sha256=documents[c.source].sha256,
        )
        for c in answer.citations
    ]
    return Evidence(
        question=answer.question,
        history=[GoldTurn(question=t["question"], answer=t["answer"]) for t in history],
        answer=answer.text,
        abstained=answer.abstained,
        as_of=answer.as_of,
        citations=citations,
        version=version("chipqa"),
        settings_hash=settings_hash,
        asked_at=(asked_at or datetime.now(UTC)).isoformat(timespec="seconds"),
    ).sealed()


def keep(assistant: Assistant, answer: Answer, history: Sequence[Turn] = ()) -> Evidence:
    """The evidence of an answer `assistant` just gave (cited documents as indexed now)."""
    documents = {hit.doc.source: hit.doc for hit in answer.passages}
    if any(c.source not in documents for c in answer.citations):
        documents = {**assistant.store.documents(), **documents}
    return evidence_of(answer, history, documents, assistant.settings.answer_fingerprint())


def save(evidence: Evidence, path: Path) -> Path:
    """Write `evidence` to `path` (JSON) and its Markdown twin beside it; returns the twin."""
    if path.suffix.lower() == ".md":
        raise EvidenceError(
            f"{path}: an evidence file is JSON; name it .json (its Markdown "
            "twin is written beside it)"
        )
    twin = path.with_suffix(".md")
    try:
        write_atomic(path, evidence.to_json())
        write_atomic(twin, markdown(evidence))
    except OSError as error:
        raise EvidenceError(f"cannot write {error.filename or path}: {error.strerror}") from error
    return twin


def load(path: Path) -> Evidence:
    """Read an evidence file; raises `EvidenceError` (one line) for anything else, and for
    one whose contents no longer match its checksum or whose quotes do not fit their spans."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        evidence = Evidence.model_validate(data)
    except OSError as error:
        raise EvidenceError(f"{path}: cannot read it ({error.strerror})") from error
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise EvidenceError(f"{path}: not a ChipQA evidence file (not JSON)") from error
    except ValidationError as error:
        raise EvidenceError(f"{path}: not a ChipQA evidence file ({_problem(error)})") from error
    if evidence.checksum != evidence.expected_checksum():
        raise EvidenceError(
            f"{path}: edited after ChipQA wrote it (its checksum does not match its contents)"
        )
    for c in evidence.citations:
        if len(c.quote) != c.end - c.start:
            raise EvidenceError(f"{path}: citation [{c.n}]'s quote does not fit its offsets")
    return evidence


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the file"
    return f"{where}: {first['msg']}"


def markdown(evidence: Evidence) -> str:
    """The readable twin: the question and answer, each quote as a block quote, the sources
    as a numbered list."""
    lines = [f"# {evidence.question}", ""]
    for turn in evidence.history:
        lines += [f"*Earlier:* {turn.question} — {turn.answer}", ""]
    lines += [evidence.answer, ""]
    for c in evidence.citations:
        lines += [*(f"> {line}" for line in c.quote.splitlines()), f"> — [{c.n}] {_said(c)}", ""]
    if evidence.citations:
        lines += ["## Sources", ""]
        lines += [
            f"{c.n}. {c.title} — `{c.source}`, characters {c.start}–{c.end}, "
            f"document SHA-256 `{c.document_sha256}`"
            for c in evidence.citations
        ]
        lines.append("")
    as_of = f", as of {evidence.as_of}" if evidence.as_of else ""
    lines.append(
        f"*Asked {evidence.asked_at}{as_of}; ChipQA {evidence.version}, settings "
        f"{evidence.settings_hash}. Check it with `chipqa verify` on the JSON file.*"
    )
    return "\n".join(lines) + "\n"


def _said(c: KeptCitation) -> str:
    """Who says the quote and when, as far as the citation knows."""
    parts = [c.title]
    if c.claim_type:
        parts.append(c.claim_type + (f" ({c.claimant})" if c.claimant else ""))
    if c.event_date:
        parts.append(c.event_date)
    if c.uploaded:
        parts.append("uploaded")
    return " · ".join(parts)
