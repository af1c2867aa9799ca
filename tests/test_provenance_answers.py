"""Provenance in answers: tags stored at ingest and read back, cited with every quote; the
sources' disagreements stated value by value; the newest evidence for questions about now;
the as-of date. Real Chroma, the bundled model and the shipped corpus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import stored_chunks

from assistant.chunk import chunk_document
from assistant.embed import SentenceEmbedder
from assistant.load import load_document
from assistant.pipeline import Assistant, build_assistant
from assistant.provenance import CLAIM_TYPES, previous_context, tag_sentence
from assistant.provenance.dates import human_date, period
from assistant.provenance.disagreement import conflicts
from assistant.provenance.evidence import tag_chunks
from assistant.provenance.mentions import introductions
from assistant.provenance.timeline import choices, events, matching
from assistant.provenance.values import values_in
from assistant.settings import Settings
from assistant.types import DocInfo, Document, Hit, Provenance
from assistant.web.timeline import timeline_view

META = {"as_of": "2026-11-01"}
LOSS = "How much market value did Nvidia lose on 27 January 2025?"


def test_every_stored_sentence_has_the_tag_ingest_gave_it(corpus_assistant: Assistant) -> None:
    texts = {
        d.source: (d.meta, _text(corpus_assistant, d.source)) for d in corpus_assistant.documents()
    }
    for chunk in stored_chunks(corpus_assistant):
        meta, text = texts[chunk.source]
        known = introductions(text)
        for sentence in chunk.sentences:
            expected = tag_sentence(sentence.text, previous_context(text, sentence.start), meta)
            claimant = known.get(expected.claimant or "", expected.claimant)
            assert sentence.provenance == replace(expected, claimant=claimant), sentence.text
            assert expected.claim_type in CLAIM_TYPES


def test_citations_carry_claim_type_claimant_dates_and_the_json_adds_fields(
    corpus_assistant: Assistant,
) -> None:
    answer = corpus_assistant.ask(LOSS)
    data = answer.to_dict()
    assert data["as_of"] == "2026-11-01" and isinstance(data["disagreements"], list)
    for citation in data["citations"]:
        assert {"claim_type", "claimant", "event_date", "as_of"} <= set(citation)
        assert citation["claim_type"] in CLAIM_TYPES and citation["as_of"] == "2026-11-01"
    assert "Sources as of 1 November 2026." in answer.text


def test_outlets_disagreeing_on_nvidias_loss_are_stated_and_each_value_cited(
    corpus_assistant: Assistant,
) -> None:
    answer = corpus_assistant.ask(LOSS)
    loss = answer.disagreements[0]
    assert loss.about == "Nvidia's loss on 27 January 2025"
    stated = {v.claimant: v.value for v in loss.values}
    assert stated == {
        "Forbes": "$589 billion",
        "Reuters": "about $593 billion",
        "CNBC": "close to $600 billion",
    }
    quotes = {c.n: c.quote for c in answer.citations}
    for value in loss.values:
        assert value.value.split()[-2] in quotes[value.citation]
        assert f"{value.value} per {value.claimant} [{value.citation}]" in answer.text
    assert answer.to_dict()["disagreements"][0] == {
        "about": loss.about,
        "values": [
            {"value": v.value, "claimant": v.claimant, "citation": v.citation} for v in loss.values
        ],
    }
    assert "The sources disagree on Nvidia's loss on 27 January 2025:" in answer.text


def test_an_answer_whose_passages_agree_states_no_disagreement(
    corpus_assistant: Assistant,
) -> None:
    answer = corpus_assistant.ask("How large is China's Big Fund III?")
    assert not answer.abstained and answer.disagreements == ()
    assert "disagree" not in answer.text


def test_a_question_about_now_adds_the_newest_dated_evidence(
    corpus_assistant: Assistant,
) -> None:
    now = corpus_assistant.ask("Does exporting Nvidia's H20 to China still need a licence?")
    assert "Most recent (" in now.text and "It is newer than the" in now.text
    newest = max((c for c in now.citations if c.event_date), key=lambda c: str(c.event_date))
    assert str(newest.event_date) >= "2025-07"
    then = corpus_assistant.ask("Did exporting Nvidia's H20 to China need a licence?")
    assert "Most recent" not in then.text


def test_a_newer_document_supersedes_an_older_one(
    tmp_path: Path, embedder: SentenceEmbedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "old.md").write_text(
        "---\ntitle: Old rules\nas_of: 2025-06-01\n---\n"
        "On 2 May 2025 the ministry capped imports of Widget chips at 100 units a month.\n"
    )
    (corpus / "new.md").write_text(
        "---\ntitle: New rules\nas_of: 2026-03-01\n---\n"
        "On 9 February 2026 the ministry lifted the cap on imports of Widget chips.\n"
    )
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    assistant = build_assistant(settings, embedder=embedder)
    assistant.ingest()
    answer = assistant.ask("Is there still a cap on imports of Widget chips?", k=2)
    supersedes = (
        "“New rules” (as of 1 March 2026) [1] supersedes “Old rules” (as of 1 June 2025) [2]."
    )
    assert supersedes in answer.text
    assert "lifted the cap" in answer.citations[0].quote and "capped" in answer.citations[1].quote
    assert answer.as_of == "2026-03-01"


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Reuters reported a loss of about $593 billion.", [("$ billion", "about $593 billion")]),
        ("It reaches roughly half the performance.", [("%", "roughly half")]),
        (
            "They used 512 H800 GPUs for about 80 hours.",
            [("gpus", "512 H800 GPUs"), ("hours", "about 80 hours")],
        ),
        ("It draws about 559–560 kW in March 2025.", [("kw", "about 559–560 kW")]),
        ("CloudMatrix 384 draws about 600 kW.", [("kw", "about 600 kW")]),
    ],
)
def test_values_and_their_units(text: str, values: list[tuple[str, str]]) -> None:
    assert [(v.unit, v.text) for v in values_in(text)] == values


def test_list_items_of_one_lead_in_disagree_only_across_claimants() -> None:
    text = (
        "Reports differ on the size of the Widget order:\n\n"
        "- Reuters reported an order of 1,600 chips.\n"
        "- Bloomberg reported an order of 2,000 chips.\n"
        "- Reuters also reported a price of $3 million.\n"
    )
    found = conflicts([_hit(text)])
    assert [(d.about, [(c.claimant, v.text) for c, v in d.stated]) for d in found] == [
        ("the size of the Widget order", [("Reuters", "1,600 chips"), ("Bloomberg", "2,000 chips")])
    ]
    agreeing = text.replace("2,000 chips", "1,600 chips")
    assert conflicts([_hit(agreeing)]) == []


def test_clauses_joined_by_while_disagree_on_a_date() -> None:
    text = (
        "A report by Widget Daily said the chip would ship in the first quarter of 2026, "
        "while the maker's roadmap put the chip in the third quarter of 2026.\n"
    )
    (found,) = conflicts([_hit(text)])
    assert [(c.claimant, v.text) for c, v in found.stated] == [
        ("Widget Daily", "the first quarter of 2026"),
        ("the maker's roadmap", "the third quarter of 2026"),
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("2026-11-01", "1 November 2026"), ("2025-01", "January 2025"), ("2025", "2025")],
)
def test_human_dates(value: str, shown: str) -> None:
    assert human_date(value) == shown


def _hit(text: str) -> Hit:
    """The passage holding all of `text`, tagged as ingest tags it."""
    doc = Document("w.md", text, "Widgets", "0" * 64, META)
    (chunk,) = tag_chunks(doc, chunk_document(doc, _word_counts, 1000))
    return Hit(chunk, DocInfo("w.md", "Widgets", "0" * 64, 1, 1, META), 1.0)


def _word_counts(texts: Sequence[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def _text(assistant: Assistant, source: str) -> str:
    return load_document(assistant.settings.corpus_dir / source, source).text


def test_timeline_lists_dated_sentences_in_order_and_filters_them(
    corpus_assistant: Assistant,
) -> None:
    pairs = list(corpus_assistant.store.load_chunks())
    found = events([chunk for chunk, _ in pairs], {doc.source: doc for _, doc in pairs})
    assert found and all(e.sentence.provenance and e.when for e in found)
    starts = [period(e.when)[0] for e in found]
    assert starts == sorted(starts)
    entities, topics = choices(found)
    assert entities[0] == "Nvidia" and "export controls" in topics
    huawei = matching(found, "Huawei", "roadmap")
    assert huawei and all("Huawei" in e.entities and "roadmap" in e.topics for e in huawei)
    page, *_ = timeline_view(corpus_assistant, "Huawei", "roadmap")
    assert page.count('class="cq-event"') == len(huawei)
    for k in range(len(huawei)):
        assert f'href="#cq-tq-{k}"' in page and f'<mark id="cq-tq-{k}"' in page


def test_a_person_is_named_as_the_document_introduced_them(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("What did Eric Xu say about Huawei's answer to the chip lag?")
    claimants = {c.claimant for c in answer.citations}
    assert "Huawei executive Eric Xu" in claimants and "Xu" not in claimants
    stored = [s.provenance for c in stored_chunks(corpus_assistant) for s in c.sentences]
    names = {p.claimant for p in stored if p and p.claimant}
    assert {"Huawei founder Ren Zhengfei", "Qiu Yuepeng, president of Tencent Cloud"} <= names
    assert not names & {"Xu", "Ren", "Li", "Lau", "Qiu", "Wu", "Huang", "Published"}


@pytest.mark.parametrize(
    "sentence",
    [
        "Published estimates of how Huawei's Ascend 910C compares with Nvidia's H100 vary widely:",
        "Independent analysts said the chip is slower.",
    ],
)
def test_a_word_describing_an_unnamed_source_is_not_its_name(sentence: str) -> None:
    assert tag_sentence(sentence) == Provenance("estimate", None, None)
