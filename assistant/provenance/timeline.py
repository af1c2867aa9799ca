"""The timeline: every indexed sentence that states an event date, oldest first, with who
says so, the names it mentions (entities) and its document's topics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.provenance.dates import period
from assistant.provenance.mentions import named_in, people
from assistant.types import Chunk, DocInfo, Sentence


@dataclass(frozen=True, slots=True)
class Event:
    """A dated sentence: when, what kind of claim by whom, and where it is quoted from."""

    when: str
    claim_type: str
    claimant: str | None
    sentence: Sentence
    chunk: Chunk
    doc: DocInfo
    entities: tuple[str, ...]
    topics: tuple[str, ...]


def events(chunks: Iterable[Chunk], docs: dict[str, DocInfo]) -> list[Event]:
    """Every sentence with an event date, ordered by date (period start, then end), then by
    document and position."""
    found = [
        Event(
            when=tag.event_date,
            claim_type=tag.claim_type,
            claimant=tag.claimant,
            sentence=sentence,
            chunk=chunk,
            doc=docs[chunk.source],
            entities=entities_of(sentence.text, tag.claimant),
            topics=topics_of(docs[chunk.source]),
        )
        for chunk in chunks
        for sentence in chunk.sentences
        if (tag := sentence.provenance) is not None and tag.event_date
    ]
    return sorted(found, key=lambda e: (*period(e.when), e.doc.source, e.sentence.start))


def entities_of(text: str, claimant: str | None) -> tuple[str, ...]:
    """The listed companies, bodies, outlets, firms, countries and people a sentence names."""
    names = [m.name for m in (*named_in(text), *people(text)) if m.name]
    return tuple(dict.fromkeys([*names, *([claimant] if claimant else [])]))


def topics_of(doc: DocInfo) -> tuple[str, ...]:
    """A document's topics from its front matter."""
    topics = doc.meta.get("topics") or []
    return tuple(str(t) for t in topics) if isinstance(topics, list) else (str(topics),)


def choices(found: Sequence[Event]) -> tuple[list[str], list[str]]:
    """The entities (most mentioned first) and topics (alphabetical) to filter by."""
    counts = Counter(name for e in found for name in e.entities)
    entities = sorted(counts, key=lambda name: (-counts[name], name))
    topics = sorted({t for e in found for t in e.topics}, key=str.casefold)
    return entities, topics


def matching(found: Sequence[Event], entity: str | None, topic: str | None) -> list[Event]:
    """The events naming `entity` (None: any) from documents on `topic` (None: any)."""
    return [
        e
        for e in found
        if (entity is None or entity in e.entities) and (topic is None or topic in e.topics)
    ]
