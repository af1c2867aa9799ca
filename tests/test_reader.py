"""The reader's parts on hand-made inputs: question shapes, names, the fits, composition."""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from test_answer import assert_citations_exact

from assistant.answer import extractive
from assistant.answer.extractive import (
    _counts,
    _covers_the_year,
    _names_the_numbered,
    _planned_year,
    _whose_figure,
    choose_anchor,
    defines,
    read_against,
)
from assistant.answer.parts import MAX_PARTS, PartReading, read_parts
from assistant.answer.reader import Candidate
from assistant.chunk import chunk_document
from assistant.evaluation.fit_reader import _threshold, fit_logistic, fit_softmax
from assistant.pipeline import Assistant
from assistant.question.shape import analyse, names_in, periods_in, question_parts
from assistant.text import STOPWORDS, content_terms, stem, tokens
from assistant.types import DocInfo, Document, Hit


@pytest.mark.parametrize(
    ("before", "sentence"),
    [
        ("Export controls:", "The US’s rules cover Nvidia's H20 GPUs."),
        ("STUDIES OF GLASSES", "It's the classes' process that matters; TSMC’S 5nm yields."),
    ],
)
def test_content_terms_are_a_texts_folded_tokens(before: str, sentence: str) -> None:
    """The reader takes the terms of a sentence with the one before as the union of each
    one's terms."""
    for text in (before, sentence):
        assert content_terms(text) == [stem(t) for t in tokens(text) if t not in STOPWORDS]
    joined = set(content_terms(f"{before} {sentence}"))
    assert joined == set(content_terms(before)) | set(content_terms(sentence))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why does Washington stop Nvidia's best chips from going to China?", "why"),
        ("When did the H20 licence requirement start?", "when"),
        ("How much did DeepSeek spend on its final training run?", "amount"),
        ("Who are the biggest investors in Big Fund III?", "who"),
        ("Is the 'nanoseconds behind' claim widely accepted?", "dispute"),
        ("What did Huang say about China's chipmakers?", "said"),
        ("Does China still need American tools?", "yes_no"),
        ("What is CoWoS?", "what"),
        ("List the chips Nvidia made for China.", "list"),
        ("What is the list price of one Zephyr 40?", "what"),  # a price, not a list
        ("What FP8 throughput does the Zephyr 40 offer?", "amount"),  # a measure: a figure
        ("What memory bandwidth does it have?", "amount"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert analyse(question).kind == kind


def test_attribute_questions_name_their_subject_not_their_source() -> None:
    shape = analyse("What share of the market does Biren hold, per Richard Windsor?")
    assert shape.names == ("biren",) and shape.attribute is not None
    assert shape.attribute.stated_in("Windsor put Cambricon's share at roughly 3%.")
    assert analyse("What was Moore Threads' revenue in 2024?").names == ("moore", "thread")
    # a question about a reason is not an attribute question, though it says "sales"
    assert analyse("Why did Nvidia's China sales collapse?").attribute is None
    reasoning = analyse("What is Washington's reasoning for restricting chip sales to China?")
    assert reasoning.kind == "why" and reasoning.attribute is None
    read_in_2030 = replace(analyse("What will Huawei ship in 2031?"), latest_year=2030)
    assert read_in_2030.future_years == ("2031",)
    assert replace(read_in_2030, latest_year=2031).future_years == ()
    # a name that only qualifies is no subject the answer must name
    assert analyse("Under the Zephyr-era rules, how many firms were spared?").names == ()
    # an attribute named in a clause that sets the scene is not the one asked for
    scene = "On the day Orion lost its top spot by market value, by how much did its index fall?"
    assert analyse(scene).attribute is None


@pytest.mark.parametrize(
    ("question", "states", "does_not_state"),
    [
        (  # a price is asked by what one thing sells for, not only by "price of"
            "What does a Kirin 9000S retail for?",
            "The Kirin 9000S retails for RMB 999 apiece.",
            "Huawei took a $1 billion charge on the Kirin 9000S.",
        ),
        (
            "What price per unit do buyers pay for a Zephyr 40?",
            "Buyers pay $9,000 per unit for the Zephyr 40.",
            "Zephyr 40 sales reached $4 billion.",
        ),
        (  # what something cost someone can be a charge
            "What did the licence rule cost Nvidia?",
            "Nvidia took a $4.5 billion charge.",
            "Nvidia said the rule was a mistake.",
        ),
        (  # a company's valuation is its market value, not its sales
            "What is Biren's stock market valuation?",
            "Biren's market value reached RMB 80 billion.",
            "Biren's sales reached RMB 2 billion.",
        ),
        (  # a measure is stated in its unit
            "What clock speed does the Zephyr 40 run at?",
            "The Zephyr 40 runs at 1.8 GHz.",
            "The Zephyr 40 runs fast, at 400 TFLOPS.",
        ),
        (
            "How many transistors does the Zephyr 40 have?",
            "The Zephyr 40 packs 80 billion transistors.",
            "The Zephyr 40 is made on a 7nm process.",
        ),
        (
            "What is the Zephyr 40's die size?",
            "Its die measures 814 mm² on the Zephyr 40.",
            "The Zephyr 40 has 96 GB of memory.",
        ),
        (
            "How much does Acme spend on R&D?",
            "Acme spent $2 billion on R&D in 2025.",
            "Acme's revenue was $2 billion in 2025.",
        ),
        (
            "Who founded Moore Threads?",
            "Moore Threads was founded by Zhang Jianzhong.",
            "Moore Threads is a GPU start-up.",
        ),
        (
            "Who chairs or manages the fund?",
            "The fund is managed by Hua Xin Investment.",
            "The fund's shareholders include the Ministry of Finance.",
        ),
    ],
)
def test_an_attribute_asked_in_other_words_must_be_stated(
    question: str, states: str, does_not_state: str
) -> None:
    attribute = analyse(question).attribute
    assert attribute is not None
    assert attribute.stated_in(states) and not attribute.stated_in(does_not_state)


def test_a_figure_for_another_year_or_period_is_no_answer() -> None:
    shape = analyse("How much revenue did Cambricon report for January–June 2025?")
    assert shape.kind == "amount" and shape.period == "first half"
    assert _covers_the_year("Its revenue for the first half of 2025 was RMB 2.9 billion.", shape)
    assert _covers_the_year("Its revenue was RMB 2.9 billion, it said on 26 August 2025.", shape)
    # a report's date is not the year a figure covers
    other_year = "Its revenue for 2024 was RMB 1.17 billion, Caixin reported on 25 August 2025."
    assert not _covers_the_year(other_year, shape)
    attribute_asked = analyse("What were Cambricon's sales in the first six months of 2025?")
    assert attribute_asked.kind == "what" and not _covers_the_year(other_year, attribute_asked)
    assert periods_in("the six months from January through June") == ["first half"]


SELL_OFF = (
    "Orion Labs shares fell about 12% on Monday 2 March 2026. Orion Labs' fall on 2 March "
    "2026 was the record one-day loss of market value in its history."
)


def test_a_figure_question_is_answered_by_the_sentence_showing_the_figure() -> None:
    """'How steeply' is answered by the sentence with the figure, not by the next one, which
    reads closer but shows none itself ('a one-day loss' is no figure)."""
    doc = Document("o.md", SELL_OFF, "Orion Labs", "0" * 64, {})
    (chunk,) = chunk_document(doc, lambda texts: [len(t.split()) for t in texts], 1000)
    hit = Hit(chunk, DocInfo("o.md", "Orion Labs", "0" * 64, 1, 1, {}), 1.0)
    figure, closer = (
        Candidate(hit, 0, i, s, np.zeros(3), {}, p)
        for i, (s, p) in enumerate(zip(chunk.sentences, (0.3, 0.6), strict=True))
    )
    shape = analyse("How steeply did Orion Labs shares fall on the day of its record loss?")
    assert choose_anchor([figure, closer], shape) is figure


@pytest.mark.parametrize(
    ("sentence", "owner"),
    [
        ("Orion Labs reported revenue of $40 million for 2025.", "Orion Labs"),
        ("Nvidia's filing warned of $5.5 billion in charges, and AMD's MI308 was hit.", "Nvidia"),
        (
            "The Financial Times reported on 10 August, and an official told Reuters, that "
            "Nvidia would pay 15% of its China revenue.",
            "Nvidia",
        ),
    ],
)
def test_the_notice_names_whose_figure_the_documents_give(sentence: str, owner: str) -> None:
    """A reporter ('The Financial Times reported on …', 'told Reuters') owns no figure."""
    assert _whose_figure(sentence, analyse("How much revenue did AMD report?")) == owner


def test_what_is_yet_to_come_is_not_set_by_an_untrusted_or_future_dated_document() -> None:
    shape = analyse("What will Huawei ship in 2031?")
    (chunk,) = chunk_document(
        Document("r.md", "Huawei plans a chip.", "Roadmap", "0" * 64, {}),
        lambda texts: [len(t.split()) for t in texts],
        1000,
    )

    def hit(as_of: str, uploaded: bool = False) -> Hit:
        info = DocInfo("r.md", "Roadmap", "0" * 64, 1, 1, {"as_of": as_of}, uploaded=uploaded)
        return Hit(chunk, info, 1.0)

    assert read_against(shape, [hit("2026-11-01")]).future_years == ("2031",)
    assert read_against(shape, [hit("2099-01-01", uploaded=True)]).latest_year is None
    assert read_against(shape, [hit("2099-01-01")]).latest_year == datetime.date.today().year


def test_questions_about_what_is_yet_to_happen_are_marked() -> None:
    assert analyse("Will Huawei eventually overtake Nvidia in China?").future
    assert analyse("How much will Cambricon earn next year?").future
    assert not analyse("How much did Cambricon earn in 2024?").future


def test_a_reporting_period_is_one_however_written() -> None:
    assert analyse("What did Cambricon earn in H1 2025?").period == "first half"
    assert analyse("What did it earn in the first six months of 2025?").period == "first half"
    assert analyse("What did it earn from January to June 2025?").period == "first half"
    assert analyse("What did Cambricon earn in 2025?").period is None
    assert analyse("What did it earn over the whole of 2025?").period == "full year"
    assert analyse("What did it earn in the twelve months to December?").period == "full year"
    assert periods_in("its first-half revenue") == ["first half"]


def test_a_premise_taken_for_granted_has_a_contrary() -> None:
    premise = analyse("Why did Nvidia's shares jump on 27 January 2025?").premise
    assert premise is not None and premise[1].search("shares fell 17%")
    assert analyse("What did Nvidia's shares do on 27 January 2025?").premise is None
    assert analyse("Why did the shares rise and then fall?").premise is None  # both: none taken
    shot_up = analyse("Why did the Zephyr maker's value shoot up in May?").premise
    assert shot_up is not None and shot_up[1].search("its release knocked down its value")
    tumbled = analyse("Why did the Zephyr maker's shares tumble?").premise
    assert tumbled is not None and tumbled[1].search("its shares went up")
    shrank = analyse("What caused the Zephyr maker's sales to shrink last year?").premise
    assert shrank is not None and shrank[1].search("sales were RMB 2 billion, up 40% on 2024")
    assert not shrank[1].search("it picked up 40 engineers")


def test_questions_that_ask_several_things_have_parts() -> None:
    assert question_parts("Which chip did DeepSeek use, and was it later restricted?") == (
        "Which chip did DeepSeek use",
        "was it later restricted?",
    )
    assert len(question_parts("Huang says China trails by a hair; what does Ren admit?")) == 2
    assert len(question_parts("The brief says Cambricon grew fast. What were its H1 sales?")) == 2
    assert question_parts("What is CoWoS?") == ()


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (  # a preposition or an adverb before the second question word
            "What did Forbes say the rout cost Nvidia, and at what price did the stock close?",
            ("What did Forbes say the rout cost Nvidia", "at what price did the stock close?"),
        ),
        (
            "Which node is the Zephyr 40 made on, and roughly how fast is each chip?",
            ("Which node is the Zephyr 40 made on", "roughly how fast is each chip?"),
        ),
        (  # a short ask is asked of the ask before it, not folded into it
            "And the model built on it - when did it come out, and under what licence?",
            (
                "And the model built on it when did it come out",
                "And the model built on it when did it come out under what licence?",
            ),
        ),
    ],
)
def test_a_second_ask_after_a_preposition_or_an_adverb_is_a_part(
    question: str, parts: tuple[str, ...]
) -> None:
    assert question_parts(question) == parts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (  # question words that share one clause ask it once each
            "Where and when did Huang say it?",
            ("Where did Huang say it?", "When did Huang say it?"),
        ),
        ("Who made the H20 and why?", ("Who made the H20?", "Why made the H20?")),
        (  # each leans on the statement before it
            "Huang says China trails by a hair - where and when did he say so?",
            (
                "Huang says China trails by a hair Where did he say so?",
                "Huang says China trails by a hair When did he say so?",
            ),
        ),
    ],
)
def test_coordinated_question_words_are_a_part_each(question: str, parts: tuple[str, ...]) -> None:
    assert question_parts(question) == parts


def test_a_comparison_has_a_part_for_each_side_asking_the_same() -> None:
    assert question_parts(
        "How does Huawei's CloudMatrix stack up against Nvidia's NVL72 on power?"
    ) == (
        "How does Huawei's CloudMatrix (power)",
        "Nvidia's NVL72 on power",
    )
    assert question_parts("How does China compare with the US?") == ()  # no specific names


def test_a_comparison_opened_with_compare_and_a_part_that_refers_back() -> None:
    sides = question_parts("Compare Cambricon's 2024 revenue with Moore Threads' loss.")
    assert len(sides) == 2 and sides[0].startswith("Cambricon's 2024 revenue")
    assert sides[1].startswith("Moore Threads' loss")
    merged = question_parts("Alibaba's PPU versus Nvidia's H20 on memory - how do the two compare?")
    assert len(merged) == 2 and all("memory" in side for side in merged)  # a side each
    assert analyse("How steeply did Nvidia's shares fall?").kind == "amount"


def test_two_named_things_asked_about_at_once_are_two_parts() -> None:
    assert question_parts("What did the Dutch and the Japanese each restrict?") == (
        "What did the Dutch each restrict?",
        "What did the Japanese each restrict?",
    )
    assert question_parts("Did Alibaba and Baidu order 910B chips?") == (
        "Did Alibaba order 910B chips?",
        "Did Baidu order 910B chips?",
    )
    assert question_parts("Why do the US and China compete?") == ()


def test_the_subject_leaves_out_dates_quantities_and_short_words() -> None:
    shape = analyse("According to the state TV table, what did Alibaba's PPU cost on Monday, 3rd?")
    assert shape.subject == ("alibaba", "ppu")


@pytest.mark.parametrize(
    ("sentence", "counts"),
    [
        ("The lab installed 48 scanners and a dozen etchers.", True),
        ("Estimates of the wait run to a few years (5–10).", True),
        ("The lab spent $3.2 billion, or RMB 23 billion, on tools on 4 May 2025.", False),
        ("Its line etches 3nm parts with 80 GB of memory at 700 W and 1.5 TB/s.", False),
        ("Exports to country group B:4 need a licence, as does the Zephyr 40.", False),
    ],
)
def test_how_many_is_answered_by_a_number_of_things(sentence: str, counts: bool) -> None:
    shape = analyse("How many engineers built the Zephyr 40?")
    assert shape.counted and _counts(sentence, shape) is counts
    assert not analyse("How many TFLOPS does the Zephyr 40 reach?").counted  # a measure


def test_a_capital_stands_for_its_country() -> None:
    assert names_in(("tokyo",), "Japan put 23 types of equipment under licensing.")
    assert not names_in(("osaka",), "Japan put 23 types of equipment under licensing.")


def test_names_match_words_and_initials() -> None:
    assert names_in(("wsj", "huawei"), "The Wall Street Journal reported that Huawei …")
    assert not names_in(("biren",), "Cambricon's share was roughly 3%.")
    assert names_in((), "anything")


def test_a_name_is_named_by_its_generations_but_a_model_not_by_the_next() -> None:
    assert names_in(("hbm", "zephyr"), "The Zephyr carries 96 GB of HBM3 memory.")
    assert names_in(("hbm",), "It pairs 96 GB of HBM2e with the die.")
    assert not names_in(("h20",), "The H200 carries 141 GB.")  # another chip
    assert not names_in(("hbm",), "It uses HBMX packaging.")


def test_logistic_fit_recovers_a_clear_signal() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(400, 2))
    y = (x[:, 0] > 0.5).astype(float)  # only the first feature matters
    beta = fit_logistic(x, y, np.ones(len(y)), 0.01)
    assert beta[1] > 5 and abs(beta[2]) < 1


def test_softmax_fit_learns_which_sentence_answers() -> None:
    rng = np.random.default_rng(1)
    groups = []
    for _ in range(50):
        features = rng.uniform(0, 1, size=(8, 2))
        labels = np.zeros(8)
        labels[int(np.argmax(features[:, 1]))] = 1.0  # the answer has the largest 2nd feature
        groups.append((features, labels))
    weights = fit_softmax(groups)
    assert weights[1] > weights[0] + 1


def test_abstention_threshold_refuses_more_unanswerable_than_answerable() -> None:
    probabilities = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9] + [0.85] * 93)
    answerable = np.array([False, False, True, False, True, True, True] + [True] * 93)
    # refusing below 0.3 drops two unanswerable and no answerable question
    assert _threshold(probabilities, answerable) == pytest.approx(0.3)
    assert _threshold(np.array([0.5, 0.6]), np.array([True, True])) == 0.0


def test_dangling_sentence_brings_its_antecedent(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("How has Nvidia responded to the US blocking its top chips?")
    text = answer.text
    assert "In response, Nvidia" in text
    assert text.index("The US has blocked access") < text.index("In response, Nvidia")
    assert_citations_exact(answer)


def test_lead_in_ending_in_colon_brings_its_list(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("Who are the shareholders of Big Fund III?")
    assert not answer.abstained
    assert "include:" in answer.text and "Ministry of Finance" in answer.text
    assert_citations_exact(answer)


@pytest.mark.parametrize(
    "question",
    [
        "What was Moore Threads' revenue in 2024?",
        "How much does an Nvidia GB200 NVL72 rack cost?",
        "How many chips will SMIC make in 2031?",
        "What does a Mate 60 Pro sell for?",
        "Who set up Cambricon?",
        "What is SMIC's stock market valuation?",
    ],
)
def test_attribute_the_corpus_does_not_state_is_not_answered(
    corpus_assistant: Assistant, question: str
) -> None:
    answer = corpus_assistant.ask(question)
    assert answer.abstained and answer.abstain_reason in {"not_stated", "unknown_terms"}
    assert answer.notice and "\n" not in answer.notice


def test_confidence_is_a_probability(corpus_assistant: Assistant) -> None:
    for question in ("Why does the US block chip exports to China?", "How do I bake bread?"):
        answer = corpus_assistant.ask(question)
        assert 0.0 <= answer.confidence <= 1.0


@pytest.mark.parametrize(
    "question",
    [
        "Will Huawei eventually overtake Nvidia in China's market?",  # no sentence looks ahead
        "How large a write-down did AMD book on its MI308 chips?",  # the figure is Nvidia's
    ],
)
def test_a_sentence_about_the_subject_that_does_not_answer_is_no_answer(
    corpus_assistant: Assistant, question: str
) -> None:
    answer = corpus_assistant.ask(question)
    assert answer.abstained and answer.abstain_reason == "not_stated"
    assert "5.5 billion" not in answer.text


def test_a_false_premise_is_answered_with_its_correction(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("Why did Nvidia's shares jump 17% on 27 January 2025?")
    assert not answer.abstained and answer.premise_corrected
    assert "fell about 17%" in answer.text and answer.to_dict()["premise_corrected"] is True
    assert answer.notice == "The documents say otherwise than the question assumes."
    assert_citations_exact(answer)
    honest = corpus_assistant.ask("Why did Nvidia's shares fall on 27 January 2025?")
    assert not honest.premise_corrected and "fell about 17%" in honest.text


def test_a_premise_is_corrected_for_the_period_it_names(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask(
        "Why did Cambricon's revenue drop in the first six months of 2025?"
    )
    assert answer.premise_corrected  # corrected with the first half's rise, not nine months'
    assert "up 4,347.82%" in answer.text.split("[1]")[0]


def test_a_figure_for_another_period_is_no_answer(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("What revenue did Cambricon report for January to June 2025?")
    assert "2.881 billion" in answer.text and "4.607 billion" not in answer.text


def test_a_capital_named_for_its_government_is_answered(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("From when did Tokyo's licensing of chipmaking tools apply?")
    assert not answer.abstained and "23 July 2023" in answer.text


@pytest.mark.parametrize(
    ("history", "follow_up", "answering"),
    [
        (
            ("What did Eric Xu announce at Huawei Connect 2025?", "An Ascend roadmap to 2028."),
            "Did he concede anything about chip production?",
            "relatively long time",
        ),
        (
            ("What is CloudMatrix 384?", "Huawei's system of 384 Ascend 910C chips."),
            "What is its drawback?",
            "power bill",
        ),
    ],
)
def test_a_follow_up_is_answered_by_what_it_asks_not_by_the_turn_before(
    corpus_assistant: Assistant, history: tuple[str, str], follow_up: str, answering: str
) -> None:
    earlier = [{"question": history[0], "answer": history[1]}]
    answer = corpus_assistant.ask(follow_up, earlier)
    assert not answer.abstained and answering in answer.text
    assert_citations_exact(answer)


def test_a_follow_up_naming_a_place_the_documents_only_set_things_in_is_on_topic(
    corpus_assistant: Assistant,
) -> None:
    earlier = [{"question": "Who is Jensen Huang?", "answer": "Nvidia's chief executive."}]
    answer = corpus_assistant.ask("What did the FT quote him saying at its London summit?", earlier)
    assert answer.abstain_reason != "off_topic" and not answer.abstained
    alone = corpus_assistant.ask("What is the weather like in London?")  # about the place
    assert alone.abstained


def test_a_plan_for_a_year_that_has_come_does_not_answer_what_will_happen(
    corpus_assistant: Assistant,
) -> None:
    answer = corpus_assistant.ask("How many Ascend 910C chips will Huawei ship next year?")
    assert answer.abstained and "800,000" not in answer.text
    ahead = corpus_assistant.ask("When will the Ascend 970 arrive?")
    assert not ahead.abstained and "2028" in ahead.text
    said = corpus_assistant.ask("What did Huang predict about who will win the AI race?")
    assert not said.abstained and "win the AI race" in said.text


def test_a_part_is_not_refused_for_reading_less_close_than_a_whole_question(
    corpus_assistant: Assistant,
) -> None:
    answer = corpus_assistant.ask(
        "Chipmaking tools are mostly made by America's allies. "
        "What did the Dutch and the Japanese each restrict?"
    )
    assert not answer.abstained and "Japan" in answer.text
    assert not (answer.notice or "").startswith("The documents do not say")


def test_a_founder_named_as_founder_answers_who_founded(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("Who founded Huawei?")
    assert not answer.abstained and "Ren Zhengfei" in answer.text


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("Did the Zephyr 40 ship on time?", True),
        ("How did buyers receive the Zephyr 40?", True),
        ("When is the Zephyr 40 due?", False),
        ("When did Acme announce the Zephyr 40?", False),  # the announcement happened
        ("How many chips was the Zephyr 40 planned to hold?", False),
    ],
)
def test_a_question_about_what_came_of_something(question: str, outcome: bool) -> None:
    assert analyse(question).outcome is outcome


def test_a_thing_planned_after_the_newest_document_is_still_only_planned() -> None:
    read_in_2026 = replace(analyse("Did the Zephyr 40 ship on time?"), latest_year=2026)
    assert _planned_year("Zephyr 40 due in the fourth quarter of 2028", read_in_2026) == 2028
    # a report's own day date is no year of the plan
    said = "On 18 September 2025 Acme said the Zephyr 40 would follow in 2027."
    assert _planned_year(said, read_in_2026) == 2027
    # a sentence that also speaks of what already happened is no plan only
    assert (
        _planned_year("The Zephyr 30 shipped in 2025 and the 40 follows in 2028.", read_in_2026)
        is None
    )
    assert _planned_year("Zephyr 40 due in 2028", replace(read_in_2026, latest_year=2028)) is None


def test_a_numbered_name_is_not_answered_for_its_neighbour() -> None:
    shape = analyse("How much memory does the Zephyr 40 carry?")
    assert _names_the_numbered("The Zephyr 40 carries 64 GB.", shape)
    assert _names_the_numbered("The Zephyr 40X carries 64 GB.", shape)  # a variant of it
    assert not _names_the_numbered("The Zephyr 400 carries 64 GB.", shape)
    assert not _names_the_numbered("The Zephyr 30 carries 48 GB.", shape)
    dated = analyse("How much memory did the Zephyr carry in August 2025?")
    assert _names_the_numbered("The Zephyr carried 48 GB.", dated)  # a month is no name


def test_a_part_naming_another_thing_is_answered_about_that_thing(
    corpus_assistant: Assistant,
) -> None:
    answer = corpus_assistant.ask(
        "What interconnect speed did the CCTV table give Alibaba's PPU, and how does that"
        " compare with the NVLink speed Nvidia left on the A800?"
    )
    assert "400 GB/s" in answer.text  # the A800's, which the PPU's sentences do not give


def test_an_answer_that_goes_on_in_the_next_passage_is_read_there(
    corpus_assistant: Assistant,
) -> None:
    answer = corpus_assistant.ask("How much revenue did Cambricon expect for all of 2025?")
    assert not answer.abstained and "RMB 5 billion to RMB 7 billion" in answer.text
    assert_citations_exact(answer)


def test_another_generations_figure_is_no_answer(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("How much high-bandwidth memory does each Ascend 960 get?")
    assert answer.abstained and "144 GB" not in answer.text and "128 GB" not in answer.text


def test_what_came_of_a_plan_is_not_stated(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask(
        "What did reviewers make of the Atlas 960 SuperPoD once it shipped?"
    )
    assert answer.abstained and answer.abstain_reason == "not_stated"
    assert answer.notice and "only as planned for 2027" in answer.notice
    assert "Atlas 960" in answer.related[0].quote
    due = corpus_assistant.ask("When is the Ascend 970 due?")
    assert not due.abstained and "2028" in due.text


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("What is the H20?", "H20"),
        ("What's CoWoS?", "CoWoS"),
        ("What is the US Entity List?", "Entity List"),
        ("What is SMIC's market value?", None),  # an attribute, not a definition
        ("What is Alibaba claiming about its new chip?", None),
    ],
)
def test_what_is_x_asks_to_define_x(question: str, thing: str | None) -> None:
    assert analyse(question).defines == thing


def test_a_sentence_defines_a_thing_by_saying_what_it_is() -> None:
    assert defines("The Acme Z40 is a Hopper-class chip with 96 GB of memory.", "Z40")
    assert defines("Terms: HBM, or high-bandwidth memory, is stacked DRAM.", "HBM")
    assert defines("In 2024, a startup called Zephyr surprised the tech world.", "Zephyr")
    assert not defines("Reuters said the Z400 offers six times the performance of the Z40.", "Z40")


def test_what_is_x_is_answered_by_what_x_is(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("What is the H20?")
    assert "is a Hopper chip" in answer.text
    assert not answer.text.startswith("Reuters said the H200")


@pytest.fixture
def part_readings(monkeypatch: pytest.MonkeyPatch) -> list[PartReading]:
    """Every part reading the extractive answerer makes, as it makes them."""
    readings: list[PartReading] = []

    def kept(*args: Any) -> list[PartReading]:
        readings.extend(read_parts(*args))
        return readings

    monkeypatch.setattr(extractive, "read_parts", kept)
    return readings


def test_a_part_is_not_answered_by_the_sentence_an_earlier_part_was(
    corpus_assistant: Assistant, part_readings: list[PartReading]
) -> None:
    corpus_assistant.ask(
        "DeepSeek says V3 was cheap to train; what figure did it give, "
        "and what does that figure leave out?"
    )
    anchors = [r.anchor.sentence.text for r in part_readings if r.anchor]
    assert len(anchors) == 3 and len(set(anchors)) == 3
    assert "$5.576 million" in anchors[1]


@pytest.mark.parametrize(
    "question",
    [
        "Did Beijing go for a ban?",
        "Who oversees the Entity List?",
        "Who directs the policy?",
        "How much did Nvidia lose when the rules go into effect?",
    ],
)
def test_words_that_only_sometimes_ask_a_price_or_a_leader_ask_no_attribute(question: str) -> None:
    assert analyse(question).attribute is None


def test_a_question_with_many_parts_reads_only_the_first_on_their_own(
    corpus_assistant: Assistant, part_readings: list[PartReading]
) -> None:
    companies = ["Nvidia", "Huawei", "Alibaba", "Baidu", "Tencent", "SMIC", "Cambricon"]
    question = ", and ".join(f"what did {name} say" for name in companies) + "?"
    assert len(analyse(question).parts) == len(companies)
    answer = corpus_assistant.ask(question)
    assert len(part_readings) == MAX_PARTS and not answer.abstained
    assert len(answer.text.split()) < 200
