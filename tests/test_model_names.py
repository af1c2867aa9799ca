"""Near-identical model numbers: a question about one ('Who makes the GEN041?') is answered
from a passage that names it exactly, never from a neighbour's whose name embeds alike."""

from __future__ import annotations

import pytest
from helpers import make_settings

from assistant.embed import SentenceEmbedder
from assistant.pipeline import Assistant, build_assistant
from assistant.question.shape import analyse

FIRMS = ("Arvel", "Brisk", "Calder", "Dunmore", "Esker", "Fallow", "Garrick")
CITIES = ("Oslo", "Lyon", "Graz", "Turku")


def maker(i: int) -> str:
    return f"{FIRMS[i * 3 % len(FIRMS)]} Semiconductor"


def sheet(i: int) -> str:
    """A chip sheet; two in three say who makes the chip in a roundabout way."""
    name = f"GEN{i:03d}"
    if i % 3 == 0:
        made = f"The {name} is made by {maker(i)}."
    else:
        made = (
            f"For the {name}, {maker(i)} handles design, and a partner foundry in "
            f"{CITIES[i % len(CITIES)]} fabricates it."
        )
    return f"# {name}\n\n{made} It has {16 * (1 + i % 4)} GB of memory.\n"


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceEmbedder) -> Assistant:
    root = tmp_path_factory.mktemp("models")
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(60):
        (corpus / f"gen{i:03d}.md").write_text(sheet(i), encoding="utf-8")
    assistant = build_assistant(make_settings(root), embedder=embedder)
    assistant.ingest()
    return assistant


def test_each_model_is_answered_from_its_own_sheet(sheets: Assistant) -> None:
    wrong = []
    for i in range(10, 51):
        answer = sheets.ask(f"Who makes the GEN{i:03d}?")
        sources = {c.source for c in answer.citations}
        if answer.abstained or sources != {f"gen{i:03d}.md"} or maker(i) not in answer.text:
            wrong.append((i, sorted(sources), answer.text[:80]))
    assert wrong == []


@pytest.mark.parametrize(
    ("question", "models"),
    [
        ("Who makes the GEN041?", ("gen041",)),
        ("Is the H200 much stronger than the H20?", ("h200", "h20")),
        ("What's inside a 910C?", ("910c",)),
        ("How steep was Nvidia's fall a week after R1 came out?", ()),  # R1 is context
        ("What did Nvidia's stock shed on January 27th?", ()),
        ("What were Cambricon's results in H1 2025 and in Q3?", ()),
        ("Which chips are made on 7nm?", ()),
    ],
)
def test_model_numbers_in_questions(question: str, models: tuple[str, ...]) -> None:
    assert analyse(question).models == models
