"""Settings: one frozen object, changed only by validated copies."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from assistant.answer.table import ANSWERERS
from assistant.errors import ConfigError
from assistant.pipeline import Assistant
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


def test_answerers_receive_only_their_section() -> None:
    settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m", local_passages=3)
    options = settings.answerer_options
    assert options.llm is not None and options.llm.model == "m"
    assert options.llm.support_threshold == settings.support_threshold
    assert options.local.passages == 3 and options.local.data_dir == settings.data_dir
    assert Settings().answerer_options.llm is None


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("llm", "answerer 'llm' is not available: set CHIPQA_LLM_BASE_URL and CHIPQA_LLM_MODEL"),
        ("local", "answerer 'local' is not available: install the bundled model: run `make run"),
        ("gpt", "there is no answerer 'gpt': use extractive, llm or local"),
    ],
)
def test_an_answerer_that_is_not_offered_names_the_fix(
    corpus_assistant: Assistant, name: str, fix: str
) -> None:
    assert name not in corpus_assistant.answerers
    with pytest.raises(ConfigError) as caught:
        corpus_assistant.ask("How important is DeepSeek?", answerer=name)
    assert str(caught.value).startswith(fix)


def test_the_allowed_answerers_are_the_table_s() -> None:
    assert list(ANSWERERS) == ["extractive", "llm", "local"]
    with pytest.raises(ValidationError, match="use 'extractive', 'llm' or 'local'"):
        Settings(answerer="gpt")


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    [
        ("CHIPQA_SUPPORT_THRESHOLD", "nan", "finite number"),
        ("CHIPQA_SUPPORT_THRESHOLD", "1.5", "less than or equal to 1"),
        ("CHIPQA_LLM_TIMEOUT", "inf", "finite number"),
        ("CHIPQA_CHROMA_TIMEOUT", "-inf", "finite number"),
        ("CHIPQA_CHROMA_PORT", "99999", "less than or equal to 65535"),
        ("CHIPQA_CHROMA_PORT", "0", "greater than or equal to 1"),
    ],
)
def test_non_finite_and_out_of_range_values_are_refused(
    variable: str, value: str, rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=rule):
        Settings()


def test_an_unknown_variable_is_warned_about_once_naming_the_closest(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CHIPQA_SUPORT_THRESHOLD", "0.4")
    monkeypatch.setenv("CHIPQA_DEBUG", "1")  # read by the command line: no warning
    with caplog.at_level(logging.WARNING, logger="assistant.settings"):
        assert Settings().support_threshold == 0.55
        Settings()
    assert [r.getMessage() for r in caplog.records] == [
        "CHIPQA_SUPORT_THRESHOLD is not a ChipQA setting and is ignored: did you mean "
        "CHIPQA_SUPPORT_THRESHOLD?"
    ]
