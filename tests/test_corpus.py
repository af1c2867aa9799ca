"""The shipped corpus: the seed article verbatim, and briefs with complete front matter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS

from assistant.load import load_document

BRIEFS = sorted((CORPUS / "briefs").glob("*.md"))
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
    shared = CORPUS.parent.parent / "shared" / "seeds" / seed.name
    if shared.exists():  # the shared folder sits beside checkouts of this repository
        assert seed.read_bytes() == shared.read_bytes()
    meta = load_document(seed, seed.name).meta
    assert meta["kind"] == "news explainer" and meta["date"] == "undated"
