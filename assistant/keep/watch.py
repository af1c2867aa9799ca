"""Watched questions: asked again after every ingest that changes the index, each run kept
as an evidence file, each run compared with the one before.

The data folder's `watched/` holds `watched.json` (the questions) and a folder per
question with one evidence file per run, named by when it ran. A run is written whole or
not at all, so an interrupted one leaves the previous run as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import QuestionError
from assistant.keep.evidence import Evidence, KeptCitation, keep, load
from assistant.keep.files import locked, write_atomic
from assistant.provenance.values import values_in
from assistant.settings import Settings
from assistant.text import normalise

if TYPE_CHECKING:
    from assistant.pipeline import Assistant

WATCHED = "watched"


@dataclass(frozen=True)
class Watch:
    """A watched question: its id and text, and when it was added."""

    id: str
    question: str
    added_at: str


@dataclass(frozen=True)
class Change:
    """What one run of a watched question changed since the run before (`first`: none)."""

    first: bool = False
    added: tuple[KeptCitation, ...] = ()
    removed: tuple[KeptCitation, ...] = ()
    values: tuple[str, ...] = ()  # "%: 25 % → 15 %"
    answered: tuple[bool, bool] | None = None  # (before, after) when it moved
    as_of: tuple[str | None, str | None] | None = None  # (before, after) when it moved

    @property
    def changed(self) -> bool:
        """Anything moved since the run before."""
        return bool(self.added or self.removed or self.values or self.answered or self.as_of)

    def lines(self) -> list[str]:
        """The change, one line each, for people."""
        lines = [f"+ cites {c.source}: “{' '.join(c.quote.split())}”" for c in self.added]
        lines += [
            f"- no longer cites {c.source}: “{' '.join(c.quote.split())}”" for c in self.removed
        ]
        lines += [f"~ {value}" for value in self.values]
        if self.answered:
            lines.append("~ " + " → ".join(_state(answered) for answered in self.answered))
        if self.as_of:
            lines.append("~ as of " + " → ".join(day or "undated" for day in self.as_of))
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "first": self.first,
            "changed": self.changed,
            "added": [_cited(c) for c in self.added],
            "removed": [_cited(c) for c in self.removed],
            "values": list(self.values),
            "answered": None if self.answered is None else list(self.answered),
            "as_of": None if self.as_of is None else list(self.as_of),
        }


@dataclass(frozen=True)
class Run:
    """A watched question's latest run, the one before it (if any), and what changed."""

    watch: Watch
    latest: Evidence
    previous: Evidence | None = None
    change: Change = field(default_factory=Change)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`chipqa watch run --json`)."""
        return {
            "id": self.watch.id,
            "question": self.watch.question,
            "answer": self.latest.answer,
            "abstained": self.latest.abstained,
            "asked_at": self.latest.asked_at,
            **self.change.to_dict(),
        }


def _state(answered: bool) -> str:
    return "answered" if answered else "abstained"


def _cited(c: KeptCitation) -> dict[str, Any]:
    return {"source": c.source, "quote": c.quote, "start": c.start, "end": c.end}


def watch_dir(settings: Settings) -> Path:
    """Where watched questions and their runs are kept."""
    return settings.data_dir / WATCHED


def watches(settings: Settings) -> list[Watch]:
    """The watched questions, oldest first."""
    path = watch_dir(settings) / "watched.json"
    if not path.exists():
        return []
    return [Watch(**item) for item in json.loads(path.read_text(encoding="utf-8"))]


def add_watch(settings: Settings, question: str) -> Watch:
    """Watch `question` (an already watched one is returned as it is)."""
    text = " ".join(question.split())
    if not text:
        raise QuestionError("the question is empty: type a question to watch")
    with locked(watch_dir(settings) / "watched.json"):
        known = watches(settings)
        same = [w for w in known if normalise(w.question) == normalise(text)]
        if same:
            return same[0]
        number = max((int(w.id) for w in known), default=0) + 1
        added = Watch(str(number), text, datetime.now(UTC).isoformat(timespec="seconds"))
        _write_watches(settings, [*known, added])
    return added


def remove_watch(settings: Settings, watch_id: str) -> Watch:
    """Stop watching a question (its runs are kept on disk)."""
    with locked(watch_dir(settings) / "watched.json"):
        known = watches(settings)
        gone = [w for w in known if w.id == watch_id]
        if not gone:
            raise QuestionError(f"no watched question {watch_id}: `chipqa watch list` shows them")
        _write_watches(settings, [w for w in known if w.id != watch_id])
    return gone[0]


def _write_watches(settings: Settings, known: list[Watch]) -> None:
    items = [{"id": w.id, "question": w.question, "added_at": w.added_at} for w in known]
    write_atomic(watch_dir(settings) / "watched.json", json.dumps(items, indent=2) + "\n")


def run_files(settings: Settings, watch: Watch) -> list[Path]:
    """The question's runs, oldest first."""
    return sorted((watch_dir(settings) / watch.id).glob("*.json"))


def last_run(settings: Settings, watch: Watch) -> Run | None:
    """The question's latest run compared with the one before (None: never run)."""
    files = run_files(settings, watch)
    if not files:
        return None
    latest = load(files[-1])
    previous = load(files[-2]) if len(files) > 1 else None
    return Run(watch, latest, previous, compare(previous, latest))


def run_watched(assistant: Assistant) -> list[Run]:
    """Ask every watched question again, keep each run and compare it with the one before."""
    runs = []
    for watch in watches(assistant.settings):
        evidence = keep(assistant, assistant.ask(watch.question))
        files = run_files(assistant.settings, watch)
        previous = load(files[-1]) if files else None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        write_atomic(watch_dir(assistant.settings) / watch.id / f"{stamp}.json", evidence.to_json())
        runs.append(Run(watch, evidence, previous, compare(previous, evidence)))
    return runs


def compare(before: Evidence | None, after: Evidence) -> Change:
    """What changed from `before` to `after`: citations added and removed, values that
    differ, answered ↔ abstained, the as-of date."""
    if before is None:
        return Change(first=True)
    old, new = _by_quote(before), _by_quote(after)
    return Change(
        added=tuple(c for key, c in new.items() if key not in old),
        removed=tuple(c for key, c in old.items() if key not in new),
        values=_values_changed(before, after),
        answered=(not before.abstained, not after.abstained)
        if before.abstained != after.abstained
        else None,
        as_of=(before.as_of, after.as_of) if before.as_of != after.as_of else None,
    )


def _by_quote(evidence: Evidence) -> dict[tuple[str, str], KeptCitation]:
    return {(c.source, normalise(c.quote)): c for c in evidence.citations}


def _values_changed(before: Evidence, after: Evidence) -> tuple[str, ...]:
    """For each unit both runs' quotes state values of, the values when they differ."""
    old, new = _values(before), _values(after)
    return tuple(
        f"{unit}: {', '.join(old[unit])} → {', '.join(new[unit])}"
        for unit in old
        if unit in new and old[unit] != new[unit]
    )


def _values(evidence: Evidence) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for c in evidence.citations:
        for value in values_in(c.quote):
            texts = found.setdefault(value.unit, [])
            if value.text not in texts:
                texts.append(value.text)
    return found
