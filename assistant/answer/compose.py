"""A chosen sentence in its passage: what it needs to be read alone (the sentences it leans
on, its list, its whole FAQ answer, the sentence that carries it on), and how chosen
sentences become answer text with a [n] citation after each one."""

from __future__ import annotations

import re

from assistant.answer.reader import Candidate
from assistant.cite import make_citation
from assistant.types import Citation

MAX_ANTECEDENTS = 3
LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*$")


def with_context(candidate: Candidate, candidates: list[Candidate]) -> list[Candidate]:
    """A sentence with what it needs to be read alone: its antecedent, its list, its FAQ."""
    same = sorted((c for c in candidates if c.hit is candidate.hit), key=lambda c: c.position)
    if candidate.features["faq"] > 0:
        return _faq_answer(candidate, same)
    group = [candidate]
    if candidate.features["dangling"] > 0 or is_list_item(candidate):
        group = _antecedents(candidate, same) + group
    if candidate.sentence.text.endswith(":") or is_list_item(candidate):
        group += [c for c in _list_items_after(group[-1], same) if c not in group]
    return group


def continuation(last: Candidate, candidates: list[Candidate], room: int) -> list[Candidate]:
    """The next sentence when it carries the last one on ('But it …', 'Its …'), if it fits."""
    following = next(
        (c for c in candidates if c.hit is last.hit and c.position == last.position + 1), None
    )
    if following is None or following.features["dangling"] == 0:
        return []
    return [following] if len(following.sentence.text.split()) <= room else []


def _antecedents(candidate: Candidate, same: list[Candidate]) -> list[Candidate]:
    """The sentences before that it leans on: back past every connective or pronoun
    opener ('In response, …' ← 'Also, …'), or, for a list item, back to its lead-in."""
    by_position = {c.position: c for c in same}
    run: list[Candidate] = []
    current = candidate
    while current.features["dangling"] > 0 or is_list_item(current):
        previous = by_position.get(current.position - 1)
        if previous is None or len(run) == MAX_ANTECEDENTS:
            break
        run.insert(0, previous)
        if is_list_item(current) and previous.sentence.text.endswith(":"):
            break
        current = previous
    if is_list_item(candidate) and not (run and run[0].sentence.text.endswith(":")):
        return []
    return run


def _list_items_after(intro: Candidate, same: list[Candidate]) -> list[Candidate]:
    items: list[Candidate] = []
    for candidate in (c for c in same if c.position > intro.position):
        if not is_list_item(candidate) or candidate.position != intro.position + len(items) + 1:
            break
        items.append(candidate)
    return items


def _faq_answer(candidate: Candidate, same: list[Candidate]) -> list[Candidate]:
    """The whole answer to the corpus question `candidate` belongs to: its run of
    consecutive sentences (questions are not candidates, so they end a run)."""
    runs: list[list[Candidate]] = []
    for c in same:
        if runs and c.position == runs[-1][-1].position + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return next(run for run in runs if candidate in run)


def is_list_item(candidate: Candidate) -> bool:
    chunk, sentence = candidate.hit.chunk, candidate.sentence
    before = chunk.text[: sentence.start - chunk.start].rsplit("\n", 2)
    line_start = before[-1]
    previous_line = before[-2] if len(before) > 1 else ""
    if line_start.strip() and LIST_MARKER.match(line_start):
        return True
    return not line_start.strip() and bool(LIST_MARKER.match(previous_line))


def compose_order(chosen: list[Candidate], candidates: list[Candidate]) -> list[Candidate]:
    """Passages of curated documents before uploads, each in the order its best chosen
    sentence ranks; document order within one."""
    best: dict[str, int] = {}
    for rank, candidate in enumerate(chosen):
        best.setdefault(candidate.hit.chunk.id, rank)
    return sorted(chosen, key=lambda c: (c.hit.doc.unverified, best[c.hit.chunk.id], c.position))


def compose(chosen: list[Candidate]) -> tuple[str, list[Citation]]:
    """Answer text with a [n] after each sentence; a list becomes one cited sentence."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    parts = []
    for group in _groups(chosen):
        first, last = group[0], group[-1]
        key = (first.hit.chunk.id, first.sentence.start, last.sentence.end)
        if key not in numbers:
            numbers[key] = len(citations) + 1
            score = max(c.probability for c in group)
            citations.append(make_citation(numbers[key], first.hit, key[1], key[2], score))
        parts.append(f"{_sentence_text(group)} [{numbers[key]}]")
    return " ".join(parts), citations


def _groups(chosen: list[Candidate]) -> list[list[Candidate]]:
    """A list lead-in and its items form one group; every other sentence stands alone."""
    groups: list[list[Candidate]] = []
    for candidate in chosen:
        previous = groups[-1] if groups else None
        if (
            previous
            and is_list_item(candidate)
            and previous[0].hit is candidate.hit
            and previous[0].sentence.text.endswith(":")
            and candidate.position == previous[-1].position + 1
        ):
            previous.append(candidate)
        else:
            groups.append([candidate])
    return groups


def _sentence_text(group: list[Candidate]) -> str:
    if len(group) == 1:
        return group[0].sentence.text
    intro, items = group[0].sentence.text, [c.sentence.text.rstrip(".;") for c in group[1:]]
    return f"{intro} {'; '.join(items)}."
