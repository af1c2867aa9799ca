"""Cited answers on the real corpus with the real model."""

from __future__ import annotations

import pytest
from answerer_contract import AnswererContract
from helpers import CORPUS, assert_quotes_exact

from assistant.answer.answerability import unknown_terms
from assistant.pipeline import Assistant
from assistant.question.rewrite import retrieval_query
from assistant.types import ABSTAIN_TEXT, Answer

SEED = "000_cb4bb78572b81c0a.txt"
SEED_FAQ = [
    ("Can China already beat the US in chip tech?", "still lags in the most advanced"),
    ("How important is DeepSeek?", "symbolic and practical"),
    ("Why does the US block chip exports to China?", "To slow China’s progress"),
    ("Will software/usability be a problem for Chinese chips?", "building the drivers"),
    ("How long until China is independent in chip tech?", "a few years (5–10)"),
]


class TestExtractiveAnswerer(AnswererContract):
    """The default answerer keeps the contract every answerer keeps."""

    name = "extractive"

    @pytest.fixture
    def assistant(self, corpus_assistant: Assistant) -> Assistant:
        return corpus_assistant


def assert_citations_exact(answer: Answer) -> None:
    assert_quotes_exact(answer.citations + answer.related, CORPUS)
    for n in range(1, len(answer.citations) + 1):
        assert f"[{n}]" in answer.text
    retrieved = {hit.chunk.id for hit in answer.passages}
    assert {c.chunk_id for c in answer.citations} <= retrieved


@pytest.mark.parametrize(("question", "expected"), SEED_FAQ)
def test_seed_faq_questions_cite_the_faq(
    corpus_assistant: Assistant, question: str, expected: str
) -> None:
    answer = corpus_assistant.ask(question)
    assert not answer.abstained
    assert expected in answer.text
    assert any(c.source == SEED and c.section == "FAQs" for c in answer.citations)
    assert_citations_exact(answer)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did the head of Nvidia say about how close China is?", "nanoseconds behind"),
        ("What advantages does China have in this race?", "skilled talent pool"),
        ("Which Chinese company said its chip competes with Nvidia's H20?", "Alibaba"),
    ],
)
def test_paraphrased_questions_cite_the_right_sentence(
    corpus_assistant: Assistant, question: str, expected: str
) -> None:
    answer = corpus_assistant.ask(question)
    assert not answer.abstained
    assert any(expected in c.quote for c in answer.citations)
    assert_citations_exact(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Who won the 2022 football World Cup?",
        "How do I make pizza dough at home?",
        "What is the weather like in Paris today?",
    ],
)
def test_off_topic_questions_abstain(corpus_assistant: Assistant, question: str) -> None:
    answer = corpus_assistant.ask(question)
    assert answer.abstained and answer.text == ABSTAIN_TEXT and not answer.citations
    assert answer.related, "an abstention still offers related reading"
    assert_citations_exact(answer)


def test_follow_up_uses_the_earlier_turn(corpus_assistant: Assistant) -> None:
    history = [{"question": "What did Alibaba claim about its new chip?", "answer": "..."}]
    query = retrieval_query("And how much energy does it use?", history)  # type: ignore[arg-type]
    assert "Alibaba" in query
    answer = corpus_assistant.ask("And how much energy does it use?", history)  # type: ignore[arg-type]
    assert not answer.abstained
    assert any("energy" in c.quote and "Alibaba" in c.passage for c in answer.citations)


@pytest.mark.parametrize(
    "follow_up",
    ["What did the company report for the quarter?", "When did the regulator act?"],
)
def test_a_definite_description_leans_on_the_earlier_turn(follow_up: str) -> None:
    history = [{"question": "What happened to Cambricon's shares?", "answer": "They rose."}]
    assert "Cambricon" in retrieval_query(follow_up, history)  # type: ignore[arg-type]
    assert retrieval_query("What did the company report?", None) == "What did the company report?"


def test_json_shape(corpus_assistant: Assistant) -> None:
    data = corpus_assistant.ask("How important is DeepSeek?").to_dict()
    assert {"question", "answer", "abstained", "confidence", "citations", "timings_ms"} <= set(data)
    assert {"n", "source", "title", "quote", "start", "end", "score"} <= set(data["citations"][0])
    assert 0.0 <= data["confidence"] <= 1.0
    assert data["timings_ms"]["total"] > 0


SPELLED_OUT = """# Fab watch list

On 4 March 2026 the Office of Semiconductor Supply Assurance added 37 fabs to its watch list.
The office said the listed fabs would need a review before any new tool purchase.
"""


SPEC_SHEET = """# Kestrel X9 brief

The Kestrel X9 accelerator carries 64 GB of memory, draws 350 W and is made on a 5nm process.
Orion Labs sold $1.2 billion of Kestrel X9 cards in 2025, its maker said on 2 February 2026.
"""
SUMMIT = """# Lumen Summit

At the Lumen Summit in Varnholm on 3 March 2026, Orion Labs said it would double its output.
Orion Labs also said its next accelerator would ship in the fourth quarter.
"""


@pytest.mark.parametrize(
    ("document", "unstated", "reason", "stated", "quote"),
    [
        (  # sums and measures are no number of things
            SPEC_SHEET,
            "How many cores does the Kestrel X9 accelerator have?",
            "not_stated",
            "How much memory does the Kestrel X9 accelerator carry?",
            "64 GB",
        ),
        (  # a place named only as where something happened is no topic
            SUMMIT,
            "What's the weather like in Varnholm in March?",
            "off_topic",
            "What did Orion Labs say at its summit in Varnholm?",
            "double its output",
        ),
    ],
)
def test_a_document_that_mentions_a_thing_without_stating_what_is_asked(
    seed: Assistant, document: str, unstated: str, reason: str, stated: str, quote: str
) -> None:
    (seed.settings.corpus_dir / "brief.md").write_text(document, encoding="utf-8")
    seed.ingest()
    answer = seed.ask(unstated)
    assert answer.abstained and answer.abstain_reason == reason, answer.text
    answered = seed.ask(stated)
    assert not answered.abstained and quote in answered.text


PLAN = """---
title: Orion Labs roadmap
as_of: {as_of}
---
# Orion Labs roadmap

Orion Labs said it planned to ship the Kestrel X9 accelerator to customers in 2025.
"""


@pytest.mark.parametrize(("as_of", "ahead"), [("2024-06-01", True), ("2026-06-01", False)])
def test_a_plan_looks_ahead_only_from_before_its_year(
    seed: Assistant, as_of: str, ahead: bool
) -> None:
    """What is yet to come is judged by the documents' own date, not by a fixed year: a plan
    for 2025 answers 'will' in a document of 2024 and is history in one of 2026."""
    (seed.settings.corpus_dir / "roadmap.md").write_text(PLAN.format(as_of=as_of), "utf-8")
    seed.ingest()
    answer = seed.ask("When will Orion Labs ship the Kestrel X9 accelerator?")
    assert answer.abstained != ahead, answer.text
    assert ahead == ("2025" in answer.text)


KESTREL = "# Kestrel Systems\n\nKestrel Systems makes inference accelerators in Varnholm.\n"
ORION = (
    "# Orion Labs\n\nOrion Labs reported revenue of $40 million for 2025, up from $25 million.\n"
)


def test_another_companys_figure_is_no_answer_and_the_notice_says_whose_it_is(
    seed: Assistant,
) -> None:
    for name, text in (("kestrel.md", KESTREL), ("orion.md", ORION)):
        (seed.settings.corpus_dir / name).write_text(text, encoding="utf-8")
    seed.ingest()
    answer = seed.ask("What revenue did Kestrel Systems report for 2025?")
    assert answer.abstained and answer.abstain_reason == "not_stated"
    assert answer.notice is not None and "“Kestrel”, “Systems”" in answer.notice
    assert "they give it for Orion Labs" in answer.notice
    assert "$40 million" in answer.related[0].quote
    stated = seed.ask("What revenue did Orion Labs report for 2025?")
    assert not stated.abstained and "$40 million" in stated.text


def test_an_acronym_the_documents_spell_out_is_known(seed: Assistant) -> None:
    (seed.settings.corpus_dir / "watch-list.md").write_text(SPELLED_OUT, encoding="utf-8")
    seed.ingest()
    answer = seed.ask("How many fabs did the OSSA add to its watch list?")
    assert not answer.abstained, answer.notice
    assert "37 fabs" in answer.text and answer.citations[0].source == "watch-list.md"
    unknown = seed.ask("How many fabs did the OSTA add to its watch list?")
    assert unknown.abstained and unknown.abstain_reason == "unknown_terms"


def test_a_name_that_only_qualifies_is_no_unknown_subject() -> None:
    known = {"orion", "lab", "curb", "rule"}.__contains__
    asked = "Under the Zephyr-era rules, what did Western curbs cost Orion Labs?"
    assert unknown_terms(asked, known) == []
    assert unknown_terms("What did Zephyr say about Orion Labs?", known) == ["Zephyr"]


def test_a_short_model_name_is_carried_into_a_follow_up() -> None:
    history = [
        {"question": "What did Acme say it cost to train Z3?", "answer": "About $5 million."}
    ]
    query = retrieval_query("And how many GPUs did they use for it?", history)  # type: ignore[arg-type]
    assert "Z3" in query and " to " not in query.partition("(")[2]
