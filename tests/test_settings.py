"""Settings: one frozen object, changed only by validated copies."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.settings import Settings


def test_replace_is_a_validated_copy() -> None:
    settings = Settings()
    changed = settings.replace(k=8)
    assert (changed.k, settings.k) == (8, 4)
    with pytest.raises(ValidationError, match="k"):
        settings.replace(k=0)
    with pytest.raises(ValidationError, match="CHIPQA_LLM_BASE_URL"):
        settings.replace(answerer="llm")


def test_replace_does_not_read_the_environment_again(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    monkeypatch.setenv("CHIPQA_K", "9")
    assert settings.replace(rrf_k=5).k == 4 and Settings().k == 9
