"""The README's settings table and package layout are generated; they must be current."""

from __future__ import annotations

from readme import BLOCK, GENERATED, README, refreshed


def test_readme_has_every_generated_block() -> None:
    text = README.read_text(encoding="utf-8")
    assert sorted(m["name"] for m in BLOCK.finditer(text)) == sorted(GENERATED)


def test_generated_blocks_are_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert text == refreshed(text), "README is stale: run `.venv/bin/python tests/readme.py`"
