"""Benchmark: ingest throughput, disk, memory and warm question latency at growing corpus sizes.

Each size ×m is the shipped corpus plus synthetic distractors (about m times as many
documents), ingested fresh into its own temp folder and measured in its own spawned
process (`measure`), so peak RSS is that of one ChipQA process at that size. Then the cold
start (`cold`) and the report with its targets (`report`).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from assistant.bench.cold import cold_start
from assistant.bench.local_prompt import compare_prompt_cache
from assistant.bench.measure import SizeJob, dir_bytes, measure_size
from assistant.bench.report import load_targets, make_report, write_reports
from assistant.bench.scale import QUERIES, run_simulation
from assistant.bench.server_app import measure_server_app
from assistant.bench.synthetic import gold_phrases, write_distractors
from assistant.errors import ConfigError
from assistant.evaluation.gold import GoldItem, load_gold
from assistant.load import iter_corpus_files
from assistant.settings import Settings

GOLD_FAQ = Path("eval/gold_faq.yaml")
TARGETS = Path("eval/bench_targets.yaml")
DISTRACTOR_SEED = 7
QUICK_SIZES = "1,10"
QUICK_QUERIES = 5
ROUNDS = 3  # timed passes over the questions; quick runs use one


def run_bench(
    settings: Settings,
    *,
    sizes: str,
    queries: int,
    out: Path,
    quick: bool,
    gold: Path = GOLD_FAQ,
    targets: Path = TARGETS,
    simulate: str = "",
    local: int = 0,
) -> None:
    """Measure every size, then write bench.json, bench.md and bench.png into `out`.

    Args:
        settings: Base settings; the corpus folder is the ×1 corpus.
        sizes: Comma-separated corpus multipliers, e.g. "1,10,100"; "" for none.
        queries: Gold questions timed per corpus size (0 = all), and questions per simulated
            size (0 = `scale.QUERIES`).
        out: Report folder (created).
        quick: Sizes 1,10, a few questions and one timed pass (a smoke test).
        gold: Gold FAQ file whose questions are timed.
        targets: Speed targets the report checks.
        simulate: Comma-separated store sizes in chunks for the scale simulation; "" for none.
        local: Dev questions on which to time the local model's prompt cache (0: none); they
            are asked of `settings`' own store.
    """
    goals = load_targets(targets)
    multiples = parse_sizes(QUICK_SIZES if quick else sizes, "--sizes") if quick or sizes else []
    chunks = parse_sizes(simulate, "--simulate") if simulate else []
    if not multiples and not chunks and not local:
        raise ConfigError("nothing to measure: give --sizes, --simulate or --local")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="chipqa-bench-") as tmp:
        corpus = measure_corpus(settings, multiples, queries, quick, gold, Path(tmp))
        simulation = None
        if chunks:
            simulation = run_simulation(chunks, Path(tmp) / "simulation", queries or QUERIES)
    cache = compare_prompt_cache(settings, gold, local) if local else None
    load = (load_before, os.getloadavg())
    report = make_report(settings, *corpus, goals, load, cache)
    write_reports(report | ({"simulation": simulation} if simulation else {}), out)


def measure_corpus(
    settings: Settings, multiples: list[int], queries: int, quick: bool, gold: Path, tmp: Path
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, int]:
    """Each corpus size's figures, the cold start (None without sizes) and questions timed."""
    if not multiples:
        return [], None, 0
    items = load_gold(gold)
    questions = tuple(pick_questions(items, queries or (QUICK_QUERIES if quick else 0)))
    base_docs = sum(1 for _ in iter_corpus_files(settings.corpus_dir.resolve()))
    if base_docs == 0:
        raise ConfigError(f"no documents in {settings.corpus_dir}: set CHIPQA_CORPUS_DIR")
    avoid = gold_phrases(items)
    rounds = 1 if quick else ROUNDS
    jobs, results = [], []
    for multiple in multiples:
        work = tmp / f"x{multiple}"
        corpus = prepare_corpus(settings.corpus_dir, work, base_docs, multiple, avoid)
        jobs.append(
            SizeJob(multiple, base_docs * multiple, corpus, work, settings, questions, rounds)
        )
        results.append(run_size(jobs[-1]))
    return results, cold_start(jobs[0], quick), len(questions)


def parse_sizes(sizes: str, option: str) -> list[int]:
    """'1,10,100' → [1, 10, 100] (sorted, deduplicated, each ≥ 1); `option` names the
    command-line option in the error."""
    try:
        multiples = sorted({int(part) for part in sizes.split(",") if part.strip()})
    except ValueError as error:
        raise ConfigError(f"{option} takes whole numbers like 1,10,100, not '{sizes}'") from error
    if not multiples or multiples[0] < 1:
        raise ConfigError(f"{option} takes whole numbers ≥ 1 like 1,10,100, not '{sizes}'")
    return multiples


def pick_questions(items: list[GoldItem], n: int) -> list[GoldItem]:
    """`n` questions spread evenly over the file (all of them when n is 0 or too large)."""
    if n <= 0 or n >= len(items):
        return items
    return [items[i * len(items) // n] for i in range(n)]


def prepare_corpus(
    corpus_dir: Path, work: Path, base_docs: int, multiple: int, avoid: list[str]
) -> Path:
    """The ×1 corpus itself, or a copy of it plus (multiple − 1) × its size in distractors."""
    work.mkdir(parents=True)
    if multiple == 1:
        return corpus_dir.resolve()
    corpus = work / "corpus"
    shutil.copytree(corpus_dir, corpus)
    count = base_docs * (multiple - 1)
    print(f"×{multiple}: writing {count} synthetic distractor documents", flush=True)
    write_distractors(corpus / "synthetic", count, DISTRACTOR_SEED, avoid=avoid)
    return corpus


def run_size(job: SizeJob) -> dict[str, Any]:
    """Measure one size in a fresh process; add the on-disk sizes once it has exited, then
    the app's memory in server mode over the same store."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        result: dict[str, Any] = pool.submit(measure_size, job).result()
    result["disk_bytes"] = dir_bytes(job.data_dir)
    result["systems"]["naive"]["disk_bytes"] = dir_bytes(job.naive_dir)
    print(f"×{job.multiple}: app memory in server mode", flush=True)
    result["server_mode"] = measure_server_app(job)
    return result
