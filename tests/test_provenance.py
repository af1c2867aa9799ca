"""Claim provenance: the tagger on hand-written sentences, event dates, the labelled set and
the accuracy gate on its test half."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.evaluation.claims import (
    evaluate_claims,
    load_claims,
    missing_sentences,
    render_markdown,
)
from assistant.provenance import CLAIM_TYPES, event_date, previous_context, tag_sentence
from assistant.types import Provenance

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
CLAIMS = ROOT / "eval" / "claims.yaml"
META = {"as_of": "2026-11-01"}

# Floors for the test half, per type: (precision, recall). The target is 0.85 everywhere;
# where the honest result is lower the floor is what the tagger reaches (see the report).
TEST_FLOORS = {
    "official": (0.85, 0.85),
    "company": (0.85, 0.85),
    "reported": (0.85, 0.85),
    "estimate": (0.85, 0.85),
    "forecast": (0.85, 0.85),
    "fact": (0.85, 0.85),
}


# Hand-written sentences (none from the labelled set), tagged against as_of 2026-11-01.
EXAMPLES: dict[str, list[tuple[str, str | None]]] = {
    "official": [  # government bodies, office holders, governments acting, rules as subjects
        ("BIS published new guidance on computing chips in March 2024.", "BIS"),
        ("China's Ministry of Commerce announced export curbs on graphite.", "MOFCOM"),
        ("Beijing banned the use of Micron chips in critical infrastructure.", "China"),
        ("Washington added 140 Chinese firms to the Entity List.", "US"),
        ("The new rules require a licence for any chip above the threshold.", None),
        ("Commerce Secretary Jane Doe warned chipmakers against redesigns.", "Doe"),
    ],
    "company": [  # a company, its filings, its executives, "the company"
        ("AMD said its MI300 accelerator outperforms rival chips on inference.", "AMD"),
        ("Intel chief executive Pat Gelsinger told investors it was on track.", "Gelsinger"),
        ("In a filing on 2 May 2024, Micron disclosed a charge of $1 billion.", "Micron"),
        ("Huawei founder Ren Zhengfei said the gap was narrowing.", "Ren"),
        ("Nvidia's annual report put data-centre revenue at $47 billion.", "Nvidia"),
    ],
    "reported": [  # outlets, anonymous sources, "reportedly"
        ("Bloomberg reported on 12 June 2024 that Huawei was testing a chip.", "Bloomberg"),
        ("According to people familiar with the matter, shipments slipped.", None),
        ("Chinese firms reportedly placed large orders for the H20.", None),
        ("A Reuters report said SMIC had begun making 5nm chips.", "Reuters"),
        ("An article by Semi Daily Wire said yields had improved.", "Semi Daily Wire"),
    ],
    "estimate": [  # analysts, research firms, think tanks, "experts"
        ("Analysts at Bernstein estimated that Huawei shipped 400,000 chips.", "Bernstein"),
        ("TrendForce estimated that HBM prices rose 20% in 2024.", "TrendForce"),
        ("Counterpoint Research puts Huawei's share of the market at 10%.", "Counterpoint"),
        ("Some experts say the benchmarks are not comparable.", None),
    ],
    "forecast": [  # ahead of the document's as_of date
        ("Huawei plans to launch the Ascend 990 in 2028.", "Huawei"),
        ("Nvidia will release a new China chip next spring.", None),
        ("SemiAnalysis expects Huawei to double output by 2027.", "SemiAnalysis"),
        ("The market is expected to grow strongly over the next five years.", None),
        ("Huawei said the chip is due in the fourth quarter of 2026.", "Huawei"),
    ],
    "fact": [  # no attribution, including a company's actions and definitions
        ("The H100 has 80 GB of memory.", None),
        ("Nvidia shipped the first Blackwell systems in late 2024.", None),
        ("HBM is a type of stacked memory that BIS controls.", None),
        ("Shares of Cambricon rose 8% on 3 June 2025.", None),
        ("The sell-off came a day after the company said sales had slowed.", None),
    ],
}


@pytest.mark.parametrize(
    ("claim_type", "sentence", "claimant"),
    [(kind, sentence, who) for kind, examples in EXAMPLES.items() for sentence, who in examples],
)
def test_tagger_on_hand_written_sentences(
    claim_type: str, sentence: str, claimant: str | None
) -> None:
    tagged = tag_sentence(sentence, "", META)
    assert (tagged.claim_type, tagged.claimant) == (claim_type, claimant)


def test_plans_whose_time_has_passed_are_not_forecasts() -> None:
    past = "Nvidia said in 2023 that it planned to ship the H20 in early 2024."
    assert tag_sentence(past, "", META) == Provenance("company", "Nvidia", "2023")
    due = "Huawei said the chip is due in the fourth quarter of 2026."
    assert tag_sentence(due, "", {"as_of": "2027-01-15"}).claim_type == "company"
    undated = "Experts believe China could close the gap within a decade."
    assert tag_sentence(undated).claim_type == "forecast"


def test_context_names_the_claimant_and_list_items_follow_their_lead_in() -> None:
    pronoun = tag_sentence("It also said margins would stay flat.", "AMD said sales rose.")
    assert pronoun.claimant == "AMD"
    lead_in = "At its developer event, Intel announced three chips:"
    item = tag_sentence("the Gaudi 4, aimed at training", lead_in, META)
    assert (item.claim_type, item.claimant) == ("company", "Intel")
    frame = "Under the guidance reported on 3 May 2025, projects had to drop foreign chips."
    tagged = tag_sentence(frame, "Reuters reported on 3 May 2025 that guidance was issued.", META)
    assert (tagged.claim_type, tagged.claimant) == ("reported", "Reuters")


def test_front_matter_publisher_is_the_fallback_claimant() -> None:
    meta = {"as_of": "2025-06-01", "publisher": "Nvidia"}
    assert tag_sentence("The company said demand stayed strong.", "", meta).claimant == "Nvidia"
    assert tag_sentence("Demand stayed strong.", "", meta).claimant is None


@pytest.mark.parametrize(
    ("sentence", "as_of", "expected"),
    [
        ("Shares fell on 27 January 2025.", None, "2025-01-27"),
        ("Shares fell on Monday, January 27, 2025.", None, "2025-01-27"),
        ("The rule took effect on Sept. 30, 2024.", None, "2024-09-30"),
        ("The chip launched in April 2025.", None, "2025-04"),
        ("The checks began in mid-September 2025.", None, "2025-09"),
        ("The company was founded in 2019.", None, "2019"),
        ("Shipments start in the second quarter of 2024.", None, "2024"),
        ("Output doubles in Q3 2025.", None, "2025"),
        ("The fab opens in late 2026.", None, "2026"),
        ("Nvidia said on 14–15 July 2025 that it would refile.", None, "2025-07-14"),
        ("The December 2024 rules took effect on 31 December 2024.", None, "2024-12-31"),
        ("According to the 19 August 2025 report, samples ship in May 2026.", None, "2026-05"),
        ("Its 2024 revenue was RMB 1 billion.", None, "2024"),
        ("The statement came on 5 November.", "2026-11-01", "2025-11-05"),
        ("The statement came on 5 October.", "2026-11-01", "2026-10-05"),
        ("The statement came on 5 October.", None, None),
        ("The RTX 4090 costs $2,000 under 87 FR 62186 and ECCN 3A090.", None, None),
        ("Revenue rose 4,230% from a year earlier.", None, None),
        ("There is no date here.", None, None),
    ],
)
def test_event_dates(sentence: str, as_of: str | None, expected: str | None) -> None:
    assert event_date(sentence, as_of) == expected


def test_previous_context_is_the_sentence_before_or_the_list_lead_in() -> None:
    markdown = "# Title\n\nFirst one. Second one.\n\nThe plan has steps:\n\n- step 1\n- step 2\n"
    assert previous_context(markdown, markdown.index("Second")) == "First one."
    assert previous_context(markdown, markdown.index("step 2")) == "The plan has steps:"
    assert previous_context(markdown, markdown.index("First")) == ""
    plain = "What made it stand out:\n-\nIt was cheap.\n-\nIt was open.\nAfter the list.\n"
    assert previous_context(plain, plain.index("It was open")) == "What made it stand out:"
    assert previous_context(plain, plain.index("After")) == "It was open."


def test_labelled_set_is_valid_balanced_and_verbatim() -> None:
    labels = load_claims(CLAIMS)
    assert len(labels) >= 160
    assert len({(lab.source, lab.sentence) for lab in labels}) == len(labels)
    for split in ("dev", "test"):
        types = {lab.claim_type for lab in labels if lab.split == split}
        assert types == set(CLAIM_TYPES), split
    documents = {"000_cb4bb78572b81c0a.txt"} | {
        f"briefs/{path.name}" for path in (CORPUS / "briefs").glob("*.md")
    }
    assert {lab.source for lab in labels} == documents
    assert missing_sentences(labels, CORPUS) == []


def test_bad_labelled_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "claims.yaml"
    bad.write_text(
        "- source: x.md\n  sentence: A.\n  claim_type: rumour\n  claimant: null\n"
        "  event_date: null\n  split: dev\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"item 1: claim_type"):
        load_claims(bad)
    bad.write_text("- source: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_claims(bad)


@pytest.fixture(scope="module")
def report() -> dict:
    return evaluate_claims(load_claims(CLAIMS), CORPUS)


@pytest.mark.parametrize("claim_type", CLAIM_TYPES)
def test_gate_on_the_test_half(report: dict, claim_type: str) -> None:
    scores = report["test"]["types"][claim_type]
    precision_floor, recall_floor = TEST_FLOORS[claim_type]
    assert scores["precision"] >= precision_floor, scores
    assert scores["recall"] >= recall_floor, scores


def test_report_renders_as_markdown(report: dict) -> None:
    markdown = render_markdown(report)
    assert "| labelled \\ predicted |" in markdown
    assert "## dev" in markdown and "## test" in markdown
    assert report["missing_sentences"] == []
