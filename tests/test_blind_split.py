"""The blind splits of the gold FAQ: big enough, grounded, and worded unlike the corpus."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import pytest
from helpers import CORPUS, REPO

from assistant.evaluation.gold import GoldItem, load_gold
from assistant.evaluation.metrics import holds_evidence
from assistant.load import iter_corpus_files, load_document
from assistant.text import normalise

GOLD = REPO / "eval" / "gold_faq.yaml"
MORE = REPO / "eval" / "tune_more.yaml"  # more questions open for tuning, written apart too
RUN = 4  # questions may not share this many consecutive words with any corpus text
WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
UNANSWERABLE_KINDS = {"missing_detail", "other_entity", "future", "false_premise", "off_topic"}
BLIND_SPLITS = ("blind", "blind2", "blind3")
WRITTEN_APART = (*BLIND_SPLITS, "tune", "tune_more")  # written from corpus/ and schema alone
PER_SPLIT = pytest.mark.parametrize("split", WRITTEN_APART)


def words(text: str) -> list[str]:
    """Lowercased words, curly quotes folded, possessive 's and inner apostrophes dropped."""
    return [w.removesuffix("'s").replace("'", "") for w in WORD.findall(normalise(text))]


def runs(text: str, size: int = RUN) -> list[tuple[str, ...]]:
    """Every run of `size` consecutive words in `text`."""
    w = words(text)
    return [tuple(w[i : i + size]) for i in range(len(w) - size + 1)]


@cache
def blind_items(split: str) -> tuple[GoldItem, ...]:
    if split == "tune_more":
        return tuple(load_gold(MORE))
    return tuple(i for i in load_gold(GOLD) if i.split == split)


@cache
def documents() -> dict[str, str]:
    """Indexed text of every corpus document, by file name."""
    return {p.name: load_document(p, p.name).text for p in iter_corpus_files(CORPUS)}


@cache
def corpus_runs() -> frozenset[tuple[str, ...]]:
    """Four-word runs of every file under corpus/, raw (front matter and sidecars included)."""
    found: set[tuple[str, ...]] = set()
    for path in CORPUS.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            found.update(runs(path.read_text(encoding="utf-8", errors="replace")))
    for text in documents().values():
        found.update(runs(text))
    return frozenset(found)


def copied_runs(question: str) -> list[str]:
    """The four-word runs of `question` that also occur in the corpus."""
    shared = corpus_runs()
    return [" ".join(r) for r in runs(question) if r in shared]


def sources(quote: str) -> set[str]:
    """Names of the documents that hold `quote`."""
    return {name for name, text in documents().items() if holds_evidence(text, [quote])}


def test_blind_split_has_the_planned_shape() -> None:
    items = blind_items("blind")
    assert all(i.kind is not None for i in items), [i.id for i in items if i.kind is None]
    assert all(re.fullmatch(r"blind-\d+", i.id) for i in items)
    kinds = Counter(i.kind for i in items)
    answerable = [i for i in items if i.answerable]
    assert len(answerable) >= 60, len(answerable)
    assert all(i.kind in {"single", "multi_doc", "follow_up"} for i in answerable)
    unanswerable = [i for i in items if not i.answerable]
    assert len(unanswerable) >= 15, len(unanswerable)
    assert {i.kind for i in unanswerable} == UNANSWERABLE_KINDS, kinds
    follow_ups = [i for i in items if i.kind == "follow_up"]
    assert len(follow_ups) >= 6 and all(i.history for i in follow_ups), kinds
    assert kinds["multi_doc"] >= 8, kinds


@pytest.mark.parametrize("split", ["blind2", "blind3"])
def test_later_blind_splits_lean_to_two_part_and_unanswerable_questions(split: str) -> None:
    items = blind_items(split)
    assert len(items) >= 80 and all(re.fullmatch(rf"{split}-\d+", i.id) for i in items)
    kinds = Counter(i.kind for i in items)
    assert kinds["multi_part"] + kinds["multi_doc"] >= 20, kinds
    assert kinds["follow_up"] >= 8 and all(i.history for i in items if i.kind == "follow_up")
    unanswerable = [i for i in items if not i.answerable]
    assert len(unanswerable) >= 24, kinds
    assert {i.kind for i in unanswerable} == UNANSWERABLE_KINDS, kinds
    assert kinds["generic_word"] >= 5, kinds
    assert all(i.answerable for i in items if i.kind == "generic_word")


@PER_SPLIT
def test_two_part_items_quote_each_part(split: str) -> None:
    for item in (i for i in blind_items(split) if i.kind in {"multi_part", "multi_doc"}):
        assert len(item.quotes) >= 2, item.id


@PER_SPLIT
def test_multi_doc_items_quote_two_different_documents(split: str) -> None:
    for item in (i for i in blind_items(split) if i.kind == "multi_doc"):
        found = [sources(q) for q in item.quotes]
        pairs = [
            (a, b)
            for x, first in enumerate(found)
            for y, second in enumerate(found)
            if x != y
            for a in first
            for b in second
            if a != b
        ]
        assert pairs, f"{item.id}: quotes come from one document only: {found}"


@PER_SPLIT
def test_every_document_is_a_blind_source(split: str) -> None:
    used = {name for item in blind_items(split) for q in item.quotes for name in sources(q)}
    missing = sorted(set(documents()) - used)
    assert not missing, f"no blind evidence quote from {missing}"


@PER_SPLIT
def test_blind_evidence_quotes_are_verbatim_corpus_text(split: str) -> None:
    for item in blind_items(split):
        for quote in item.quotes:
            assert sources(quote), f"{item.id}: quote not in corpus: {quote}"


@PER_SPLIT
def test_blind_key_facts_appear_in_the_evidence(split: str) -> None:
    for item in blind_items(split):
        if item.answerable or item.kind == "false_premise":
            assert item.quotes, f"{item.id} has no evidence"
            assert 1 <= len(item.key_facts) <= 3, f"{item.id}: {item.key_facts}"
        else:
            assert not item.quotes and not item.key_facts, f"{item.id} should have no evidence"
        for fact in item.key_facts:
            assert any(normalise(fact) in normalise(q) for q in item.quotes), (
                f"{item.id}: key fact {fact!r} is in none of its evidence quotes"
            )


@PER_SPLIT
def test_blind_questions_share_no_four_word_run_with_the_corpus(split: str) -> None:
    for item in blind_items(split):
        for question in [item.question, *(turn.question for turn in item.history)]:
            copied = copied_runs(question)
            assert not copied, f"{item.id}: {question!r} copies corpus wording {copied}"


def test_the_four_word_check_flags_copied_wording() -> None:
    first_line = next(iter(documents().values())).splitlines()[0]
    assert copied_runs(first_line + "?"), first_line
    sentence = "Did Nvidia estimate that about $400 million of potential sales could be lost?"
    assert "about 400 million of" in copied_runs(sentence)
    assert copied_runs("Is China only nanoseconds behind the US?") == [
        "only nanoseconds behind the",
        "nanoseconds behind the us",
    ]
    assert copied_runs("What’s China’s plan to rely less on imported processors?") == []
    assert words("Nvidia’s H20 – “GPU-hours”") == ["nvidia", "h20", "gpu", "hours"]
