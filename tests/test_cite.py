"""Splitting an answer into cited claims."""

from __future__ import annotations

import pytest

from assistant.cite import split_claims


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("A one [1][2]. B two [3].", [("A one", [1, 2]), ("B two", [3])]),
        ("First sentence. [1] Second one. [2]", [("First sentence.", [1]), ("Second one.", [2])]),
        ("Uncited text only.", []),
        ("Cited [1]. Uncited tail.", [("Cited", [1])]),
    ],
)
def test_split_claims(text: str, claims: list[tuple[str, list[int]]]) -> None:
    assert split_claims(text) == claims
