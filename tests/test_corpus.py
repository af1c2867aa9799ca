"""The shipped corpus: the seed article verbatim, and briefs with complete front matter."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from helpers import CORPUS

from assistant.load import load_document

BRIEFS = sorted((CORPUS / "briefs").glob("*.md"))
# SHA-256 of the source article as it was given to the project (4,161 bytes).
SEED_SHA256 = "4b813bb4ca27cc6b7adefe25c53d9880674766f391cf4bb901f15dbc67525a6a"
URL = re.compile(r"https?://|www\.")


def test_there_are_enough_briefs() -> None:
    assert 12 <= len(BRIEFS) <= 20


@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.name)
def test_brief_front_matter(path: Path) -> None:
    doc = load_document(path, path.name)
    assert doc.title and doc.title != path.stem
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(doc.meta["as_of"]))
    assert isinstance(doc.meta["topics"], list) and doc.meta["topics"]
    sources = doc.meta["sources"]
    assert isinstance(sources, list) and len(sources) >= 1
    assert all(isinstance(s, str) and s.strip() and not URL.search(s) for s in sources)


def test_seed_article_is_in_the_corpus_unchanged() -> None:
    seed = CORPUS / "000_cb4bb78572b81c0a.txt"
    assert hashlib.sha256(seed.read_bytes()).hexdigest() == SEED_SHA256
    meta = load_document(seed, seed.name).meta
    assert meta["kind"] == "news explainer" and meta["date"] == "undated"
