"""The store simulation: synthetic records shaped like the shipped corpus's, written and
searched through ChipQA's own store on a real `chroma run`, reported in bench.md."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import REPO, error_line, run_main

from assistant.bench.run import TARGETS, run_bench
from assistant.bench.simulated import CHUNKS_PER_DOC, DIMENSION, SyntheticCorpus
from assistant.settings import Settings


def test_records_are_exact_and_their_vectors_clustered_like_real_ones() -> None:
    corpus = SyntheticCorpus(seed=3)
    documents = [corpus.document(n) for n in range(12)]
    doc, chunks, vectors = documents[0]
    sentences = [s for c in chunks for s in c.sentences]
    assert vectors.shape == (len(chunks) + len(sentences), DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
    assert all(doc.text[s.start : s.end] == s.text for s in sentences)
    assert corpus.document(0)[0].text == doc.text  # a pure function of (seed, number)
    first_sentences = vectors[len(chunks) : len(chunks) + len(chunks[0].sentences)]
    assert 0.65 < float(np.mean(first_sentences @ vectors[0])) < 0.8  # shipped corpus: 0.72
    rows = [v[:CHUNKS_PER_DOC] for _, _, v in documents]
    same = np.mean([float(np.mean(r @ r.T)) for r in rows])
    other = float(np.mean(rows[0] @ rows[1].T))
    assert 0.45 < same < 0.65 and 0.2 < other < 0.4  # shipped corpus: 0.52 and 0.30
    counts = np.unique(" ".join(c.text for c in chunks).lower().split(), return_counts=True)[1]
    assert counts.max() > 10 * np.median(counts)  # a Zipf-like head of frequent words


@pytest.mark.server
def test_simulation_is_measured_through_the_store_and_reported(tmp_path: Path) -> None:
    sizes = (2 * CHUNKS_PER_DOC, 4 * CHUNKS_PER_DOC)
    out = tmp_path / "out"
    settings = Settings(data_dir=tmp_path / "unused")
    run_bench(
        settings,
        sizes="",
        queries=5,
        out=out,
        quick=False,
        targets=REPO / TARGETS,
        simulate=",".join(map(str, sizes)),
    )
    report = json.loads((out / "bench.json").read_text())
    assert report["sizes"] == [] and report["cold_start"] is None
    simulated = report["simulation"]["sizes"]
    assert [s["chunks"] for s in simulated] == list(sizes)
    for size in simulated:
        assert size["sentences"] >= 3 * size["chunks"] and size["insert"]["chunks_per_s"] > 0
        steps = size["latency_ms"]
        assert set(steps) >= {"dense_search", "lexical_search", "sentence_search", "retrieval"}
        assert all(step["p50"] > 0 for step in steps.values())
        assert size["found"] >= 0.6 and size["server_rss_mb"] > 50 and size["disk_mb"] > 0
    assert report["simulation"]["extrapolation"]["chunks"] == 10_000_000
    markdown = (out / "bench.md").read_text()
    assert "## Scale by simulation" in markdown and f"| {sizes[1]} |" in markdown
    assert "Extrapolated to 10,000,000 chunks" in markdown
    assert (out / "bench-scale.png").read_bytes().startswith(b"\x89PNG")
    assert not (out / "bench.png").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--sizes", "", "--simulate", ""), "nothing to measure: give --sizes, --simulate"),
        (("--simulate", "10k"), "--simulate takes whole numbers"),
    ],
)
def test_bench_mistake_is_one_line(
    args: tuple[str, ...],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(REPO)
    line = error_line(run_main(("bench", *args), monkeypatch, capsys))
    assert expected in line, line
