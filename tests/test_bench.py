"""The benchmark (a quick smoke run on a small copy of the corpus) and its distractors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import CORPUS, REPO

from assistant.bench.report import load_targets
from assistant.bench.run import TARGETS, parse_sizes, pick_questions, run_bench
from assistant.bench.synthetic import Guard, gold_phrases, write_distractors
from assistant.errors import ConfigError
from assistant.evaluation.gold import GoldItem, load_gold
from assistant.load import load_document
from assistant.settings import Settings
from assistant.text import normalise

GOLD = REPO / "eval" / "gold_faq.yaml"
SMALL_CORPUS = (
    "000_cb4bb78572b81c0a.txt",
    "000_cb4bb78572b81c0a.meta.yaml",
    "briefs/16-glossary.md",
)


def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    for name in SMALL_CORPUS:
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / name, corpus / name)
    return corpus


@pytest.mark.slow
def test_quick_bench_reports_every_size_and_system(tmp_path: Path) -> None:
    settings = Settings(corpus_dir=small_corpus(tmp_path), data_dir=tmp_path / "unused")
    out = tmp_path / "out"
    run_bench(
        settings,
        sizes="1,10,100",
        queries=3,
        out=out,
        quick=True,
        gold=GOLD,
        targets=REPO / TARGETS,
    )
    report = json.loads((out / "bench.json").read_text())
    assert [s["multiple"] for s in report["sizes"]] == [1, 10]
    assert [s["documents"] for s in report["sizes"]] == [2, 20]
    for size in report["sizes"]:
        assert size["chunks"] > 0 and size["disk_bytes"] > 0 and size["peak_rss_mb"] > 0
        assert size["ingest"]["chunks_per_s"] > 0 and size["ingest"]["embeddings_per_s"] > 0
        assert size["ingest"]["previous"]["chunks"] == size["chunks"]
        assert size["ingest"]["vs_previous"] > 0
        for system in ("chipqa", "floor", "naive"):
            figures = size["systems"][system]
            assert all(figures[p] > 0 for p in ("p50", "p95", "p99")), system
        assert all(v > 0 for v in size["ratios"].values())
        server = size["server_mode"]
        assert server["app_peak_rss_mb"] > 0 and server["server_rss_mb"] > 0
    assert report["cold_start"]["help_s"] > 0 and report["cold_start"]["ask_s"] > 0
    assert report["cold_start"]["ask_previous_s"] > report["cold_start"]["ask_s"]
    names = [row["name"] for row in report["targets"]]
    assert names == [
        "×1 p50_vs_floor",
        "×1 server_app_rss_growth_mb",
        "×1 p50_ms",
        "×1 p95_ms",
        "×10 p50_vs_floor",
        "×10 server_app_rss_growth_mb",
        "cold help_s",
        "cold ask_s",
    ]
    assert all(isinstance(row["met"], bool) for row in report["targets"])
    assert "| ×10 | 20 |" in (out / "bench.md").read_text()
    assert "Ingest against the previous way (float32" in (out / "bench.md").read_text()
    assert report["sizes"][0]["server_mode"]["app_rss_growth_mb"] == 0
    encoders = report["sizes"][0]["question_embedding"]
    assert set(encoders) == {"numpy", "onnx"} and all(e["p50"] > 0 for e in encoders.values())
    assert (
        "One question embedded, p50 / p95 ms, each encoder in turn: NumPy"
        in (out / "bench.md").read_text()
    )
    assert (out / "bench.png").read_bytes().startswith(b"\x89PNG")


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    first = write_distractors(tmp_path / "a", 6, seed=3)
    second = write_distractors(tmp_path / "b", 6, seed=3)
    other = write_distractors(tmp_path / "c", 6, seed=4)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]
    assert [p.read_bytes() for p in write_distractors(tmp_path / "d", 3, seed=3)] == [
        p.read_bytes() for p in first[:3]
    ]


def test_distractors_never_hold_gold_answers(tmp_path: Path) -> None:
    avoid = gold_phrases(load_gold(GOLD))
    guard = Guard.build(avoid)
    quotes = [normalise(p) for p in avoid]
    for path in write_distractors(tmp_path, 60, seed=7, avoid=avoid):
        doc = load_document(path, path.name)
        assert "(synthetic)" in doc.title and doc.meta["kind"] == "synthetic distractor"
        assert all(guard.allows(line) for line in doc.text.splitlines())
        text = normalise(doc.text)
        assert not [q for q in quotes if len(q) > 20 and q in text]


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("New export controls arrived.", False),
        ("Estimates run to 5-10 years.", False),  # dash folding: gold has "5–10"
        ("An export-control regime.", True),  # whole words only
        ("Spending grew 15 percent.", True),  # 15 is not 5
        ("Spending grew 10 percent.", False),
    ],
)
def test_guard(text: str, allowed: bool) -> None:
    assert Guard.build(["export controls", "5–10"]).allows(text) is allowed


def test_sizes_are_validated() -> None:
    assert parse_sizes("10, 1,10", "--sizes") == [1, 10]
    for bad in ("", "x", "0,1"):
        with pytest.raises(ConfigError, match="--simulate takes whole numbers"):
            parse_sizes(bad, "--simulate")


def test_questions_are_spread_over_the_file() -> None:
    items = [GoldItem(id=str(n), question=f"q{n}", answer="") for n in range(10)]
    assert [q.id for q in pick_questions(items, 3)] == ["0", "3", "6"]
    assert pick_questions(items, 0) == items


def test_shipped_targets_load() -> None:
    targets = load_targets(REPO / TARGETS)
    assert targets.sizes[1].ceilings == {"p50_ms": 50, "p95_ms": 150}
    assert targets.cold_start.ceilings["help_s"] == 0.5
    assert targets.local_model.ceilings == {"first_token_on_vs_off": 0.6}
    assert "ingest_chunks_per_s" not in targets.sizes["every"].floors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sizes: {1: {ceilings: {p50: 50}}}", "unknown figure p50"),
        ("cold_start: {ceilings: {ask_ms: 6}}", "unknown figure ask_ms"),
        ("local_model: {ceilings: {first_token_s: 6}}", "unknown figure first_token_s"),
        ("sizes: {1: {limits: {p50_ms: 50}}}", "malformed"),
    ],
)
def test_bad_targets_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "targets.yaml").write_text(text)
    with pytest.raises(ConfigError, match=message) as error:
        load_targets(tmp_path / "targets.yaml")
    assert "\n" not in str(error.value)
