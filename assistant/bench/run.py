"""Benchmark: ingest throughput, disk, memory and warm question latency at growing corpus sizes.

Each size ×m is the shipped corpus plus synthetic distractors (about m times as many
documents), ingested fresh into its own temp folder and measured in its own spawned
process, so peak RSS is that of one ChipQA process at that size. Latency is timed over the
gold FAQ questions after one warm-up pass, interleaved question by question with two
baselines on the same data: the floor (one query embedding plus one Chroma nearest-neighbour
search) and the naive LangChain RAG of `assistant.evaluation.baseline`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from assistant.bench.synthetic import gold_phrases, write_distractors
from assistant.errors import ConfigError
from assistant.load import iter_corpus_files
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.evaluation.baseline import NaiveRAG
    from assistant.followup import Turn
    from assistant.pipeline import Assistant

GOLD_FAQ = Path("eval/gold_faq.yaml")
DISTRACTOR_SEED = 7
QUICK_SIZES = "1,10"
QUICK_QUERIES = 5
ROUNDS = 3  # timed passes over the questions; quick runs use one
SYSTEMS = {"chipqa": "ChipQA", "floor": "floor", "naive": "naive LangChain"}
MB = 1024 * 1024


@dataclass(frozen=True)
class Question:
    """A gold FAQ question with the conversation before it."""

    text: str
    history: tuple[tuple[str, str], ...] = ()

    def turns(self) -> list[Turn]:
        """The history in the form `Assistant.ask` takes."""
        return [{"question": q, "answer": a} for q, a in self.history]


@dataclass(frozen=True)
class SizeJob:
    """Everything the process measuring one corpus size needs."""

    multiple: int
    documents: int
    corpus_dir: Path
    work_dir: Path
    settings: Settings
    questions: tuple[Question, ...]
    rounds: int

    @property
    def data_dir(self) -> Path:
        """ChipQA's store for this size."""
        return self.work_dir / "data"

    @property
    def naive_dir(self) -> Path:
        """The naive baseline's store for this size."""
        return self.work_dir / "naive"


def run_bench(
    settings: Settings,
    *,
    sizes: str,
    queries: int,
    out: Path,
    quick: bool,
    gold: Path = GOLD_FAQ,
) -> None:
    """Measure every size, then write bench.json, bench.md and bench.png into `out`.

    Args:
        settings: Base settings; the corpus folder is the ×1 corpus.
        sizes: Comma-separated corpus multipliers, e.g. "1,10,100".
        queries: Gold questions timed per size (0 = all).
        out: Report folder (created).
        quick: Sizes 1,10, a few questions and one timed pass (a smoke test).
        gold: Gold FAQ file whose questions are timed.
    """
    multiples = parse_sizes(QUICK_SIZES if quick else sizes)
    wanted = queries or (QUICK_QUERIES if quick else 0)
    questions = tuple(pick_questions(load_questions(gold), wanted))
    base_docs = sum(1 for _ in iter_corpus_files(settings.corpus_dir.resolve()))
    if base_docs == 0:
        raise ConfigError(f"no documents in {settings.corpus_dir}: set CHIPQA_CORPUS_DIR")
    avoid = gold_phrases(gold)
    load_before = os.getloadavg()
    rounds = 1 if quick else ROUNDS
    jobs, results = [], []
    with tempfile.TemporaryDirectory(prefix="chipqa-bench-") as tmp:
        for multiple in multiples:
            work = Path(tmp) / f"x{multiple}"
            corpus = prepare_corpus(settings.corpus_dir, work, base_docs, multiple, avoid)
            jobs.append(
                SizeJob(multiple, base_docs * multiple, corpus, work, settings, questions, rounds)
            )
            results.append(run_size(jobs[-1]))
        cold = cold_start(jobs[0], quick)
    report = make_report(settings, results, cold, len(questions), (load_before, os.getloadavg()))
    write_reports(report, out)


def parse_sizes(sizes: str) -> list[int]:
    """'1,10,100' → [1, 10, 100] (sorted, deduplicated, each ≥ 1)."""
    try:
        multiples = sorted({int(part) for part in sizes.split(",") if part.strip()})
    except ValueError as error:
        raise ConfigError(f"--sizes takes whole numbers like 1,10,100, not '{sizes}'") from error
    if not multiples or multiples[0] < 1:
        raise ConfigError(f"--sizes takes whole numbers ≥ 1 like 1,10,100, not '{sizes}'")
    return multiples


def load_questions(gold: Path) -> list[Question]:
    """Every question of a gold FAQ file, with its history."""
    if not gold.is_file():
        raise ConfigError(f"gold FAQ {gold} not found: run `chipqa bench` in the project folder")
    items = yaml.safe_load(gold.read_text(encoding="utf-8")) or []
    return [
        Question(
            str(item["question"]),
            tuple((str(t["question"]), str(t["answer"])) for t in item.get("history") or []),
        )
        for item in items
    ]


def pick_questions(questions: list[Question], n: int) -> list[Question]:
    """`n` questions spread evenly over the file (all of them when n is 0 or too large)."""
    if n <= 0 or n >= len(questions):
        return questions
    return [questions[i * len(questions) // n] for i in range(n)]


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
    """Measure one size in a fresh process; add the on-disk sizes once it has exited."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        result: dict[str, Any] = pool.submit(measure_size, job).result()
    result["disk_bytes"] = dir_bytes(job.data_dir)
    result["systems"]["naive"]["disk_bytes"] = dir_bytes(job.naive_dir)
    return result


def measure_size(job: SizeJob) -> dict[str, Any]:
    """Ingest, warm up and time all three systems at one size (runs in a child process)."""
    import torch

    from assistant.embed import SentenceEmbedder
    from assistant.evaluation.baseline import NaiveRAG
    from assistant.pipeline import build_assistant

    print(f"×{job.multiple}: loading the embedding model", flush=True)
    began = time.perf_counter()
    embedder = SentenceEmbedder(job.settings.embedding_model, job.settings.batch_size)
    embedder.load()
    model_s = time.perf_counter() - began
    settings = job.settings.replace(
        corpus_dir=job.corpus_dir,
        data_dir=job.data_dir,
        chroma_host=None,
        chroma_port=None,
        source=None,
        answerer="extractive",
    )
    assistant = build_assistant(settings, embedder=embedder)
    report = assistant.ingest(progress=IngestProgress(job.multiple, job.documents))
    began = time.perf_counter()
    documents = len(assistant.documents())  # builds the in-memory index
    index_s = time.perf_counter() - began
    print(f"×{job.multiple}: warming up on {len(job.questions)} questions", flush=True)
    for question in job.questions:
        assistant.ask(question.text, question.turns())
    peak_rss_mb = peak_rss() / MB
    print(f"×{job.multiple}: building the naive LangChain baseline", flush=True)
    began = time.perf_counter()
    naive = NaiveRAG.build(job.corpus_dir, job.naive_dir, embedder)
    naive_build_s = time.perf_counter() - began
    print(f"×{job.multiple}: timing {job.rounds} × {len(job.questions)} questions", flush=True)
    samples = time_systems(assistant, naive, job.questions, job.rounds)
    seconds = max(report.seconds, 1e-9)
    return {
        "multiple": job.multiple,
        "documents": documents,
        "chunks": report.total_chunks,
        "sentences": assistant.store.sentence_count(),
        "skipped": report.skipped,
        "ingest": {
            "seconds": report.seconds,
            "chunks": report.chunks,
            "embeddings": report.embeddings,
            "chunks_per_s": report.chunks / seconds,
            "embeddings_per_s": report.embeddings / seconds,
        },
        "torch_threads": torch.get_num_threads(),
        "model_load_s": model_s,
        "index_load_s": index_s,
        "peak_rss_mb": peak_rss_mb,
        "systems": {
            "chipqa": {
                **summarise(samples["total"]),
                "stages": {s: summarise(samples[s]) for s in samples if s not in SYSTEMS},
            },
            "floor": summarise(samples["floor"]),
            "naive": {
                **summarise(samples["naive"]),
                "build_s": naive_build_s,
                "chunks": naive.chunks,
            },
        },
    }


class IngestProgress:
    """Prints ingest progress about every tenth of the documents."""

    def __init__(self, multiple: int, documents: int) -> None:
        self.multiple = multiple
        self.documents = documents
        self.step = max(1, documents // 10)
        self.files = 0
        self.embedded = 0

    def __call__(self, event: str, detail: object) -> None:
        """An ingest progress event: ("file", source) or ("embedded", n)."""
        if event == "embedded" and isinstance(detail, int):
            self.embedded += detail
            return
        self.files += 1
        if self.files == 1 or self.files % self.step == 0:
            print(
                f"×{self.multiple}: ingesting document {self.files}/{self.documents} "
                f"({self.embedded} embeddings so far)",
                flush=True,
            )


def time_systems(
    assistant: Assistant, naive: NaiveRAG, questions: tuple[Question, ...], rounds: int
) -> dict[str, list[float]]:
    """Per-question milliseconds of the floor, the naive RAG and each stage ChipQA reports in
    `Answer.timings_ms` (embed_query, dense_search, bm25, fusion, answer, total, ...)."""
    for question in questions:  # the baselines' warm-up pass
        floor_ms(assistant, question.text)
        naive.ask(question.text)
    samples: dict[str, list[float]] = {"floor": [], "naive": []}
    for _ in range(rounds):
        for question in questions:
            timings = assistant.ask(question.text, question.turns()).timings_ms
            for stage, ms in timings.items():
                samples.setdefault(stage, []).append(ms)
            samples["floor"].append(floor_ms(assistant, question.text))
            samples["naive"].append(naive.ask(question.text).timings_ms["total"])
    return samples


def floor_ms(assistant: Assistant, question: str) -> float:
    """One query embedding plus one nearest-neighbour search: no dense RAG can do less."""
    began = time.perf_counter()
    vector = assistant.embedder.embed([question])[0]
    assistant.store.nearest(vector, assistant.settings.candidates)
    return (time.perf_counter() - began) * 1000


def summarise(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of millisecond samples."""
    p50, p95, p99 = np.percentile(values, [50, 95, 99]) if values else (0.0, 0.0, 0.0)
    return {
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "mean": float(np.mean(values)) if values else 0.0,
    }


def peak_rss() -> int:
    """Peak resident memory of this process, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def dir_bytes(folder: Path) -> int:
    """Total size of the files under `folder`."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def cold_start(job: SizeJob, quick: bool) -> dict[str, Any]:
    """Median wall time of `chipqa --help` and of `chipqa ask` (on `job`'s store) as fresh
    processes."""
    command = chipqa_command()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPQA_")}
    env |= {
        "CHIPQA_CORPUS_DIR": str(job.corpus_dir),
        "CHIPQA_DATA_DIR": str(job.data_dir),
        "CHIPQA_COLLECTION": job.settings.collection,
        "CHIPQA_EMBEDDING_MODEL": job.settings.embedding_model,
        "CHIPQA_MAX_CHUNK_TOKENS": str(job.settings.max_chunk_tokens),
    }
    question = job.questions[0].text
    print(f"cold start: timing `chipqa --help` and `chipqa ask` on ×{job.multiple}", flush=True)
    runs = 1 if quick else 3
    return {
        "help_s": statistics.median(wall([*command, "--help"], env) for _ in range(runs + 2)),
        "ask_s": statistics.median(wall([*command, "ask", question], env) for _ in range(runs)),
        "multiple": job.multiple,
        "question": question,
        "runs": runs,
    }


def chipqa_command() -> list[str]:
    """The installed `chipqa` script next to this interpreter, else the module entry point."""
    script = Path(sys.executable).with_name("chipqa")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from assistant.cli import main; main()"]


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds `command` takes to run to completion; it must succeed."""
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["no output"]
        raise RuntimeError(f"{' '.join(command[-2:])} failed: {lines[-1]}")
    return seconds


def make_report(
    settings: Settings,
    results: list[dict[str, Any]],
    cold: dict[str, Any],
    queries: int,
    load: tuple[tuple[float, ...], tuple[float, ...]],
) -> dict[str, Any]:
    """bench.json's content: machine, per-size figures with ratios, cold start, targets."""
    for size in results:
        size["ratios"] = ratios(size["systems"])
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before": list(load[0]),
            "load_average_after": list(load[1]),
        },
        "settings": {
            "k": settings.k,
            "candidates": settings.candidates,
            "batch_size": settings.batch_size,
            "max_chunk_tokens": settings.max_chunk_tokens,
            "rrf_k": settings.rrf_k,
        },
        "queries": queries,
        "sizes": results,
        "cold_start": cold,
        "targets": targets(results, cold),
    }


def ratios(systems: dict[str, dict[str, Any]]) -> dict[str, float]:
    """ChipQA's p50 and p95 divided by each baseline's."""
    chipqa = systems["chipqa"]
    return {
        f"{p}_vs_{base}": chipqa[p] / systems[base][p] if systems[base][p] else 0.0
        for base in ("floor", "naive")
        for p in ("p50", "p95")
    }


def targets(results: list[dict[str, Any]], cold: dict[str, Any]) -> list[dict[str, Any]]:
    """Each speed target with the measured figure and whether it was met."""
    by_multiple = {size["multiple"]: size for size in results}
    rows: list[tuple[str, float, str, float, str]] = []
    if 1 in by_multiple:
        chipqa = by_multiple[1]["systems"]["chipqa"]
        rows.append(("×1 ChipQA p50", chipqa["p50"], "≤", 50, "ms"))
        rows.append(("×1 ChipQA p95", chipqa["p95"], "≤", 150, "ms"))
    if 100 in by_multiple:
        rows.append(
            ("×100 ChipQA p50", by_multiple[100]["systems"]["chipqa"]["p50"], "≤", 100, "ms")
        )
    for size in results:
        m = size["multiple"]
        rows.append((f"×{m} ChipQA p50 ÷ floor p50", size["ratios"]["p50_vs_floor"], "≤", 2, "×"))
        rows.append((f"×{m} ingest", size["ingest"]["chunks_per_s"], "≥", 300, "chunks/s"))
    rows.append(("chipqa --help", cold["help_s"], "≤", 0.5, "s"))
    rows.append(("cold chipqa ask", cold["ask_s"], "≤", 6, "s"))
    return [
        {
            "name": name,
            "measured": value,
            "target": f"{op} {limit:g} {unit}",
            "met": value <= limit if op == "≤" else value >= limit,
        }
        for name, value, op, limit, unit in rows
    ]


def write_reports(report: dict[str, Any], out: Path) -> None:
    """bench.json, bench.md and bench.png into `out`; the Markdown is also printed."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    markdown = render_markdown(report)
    (out / "bench.md").write_text(markdown, encoding="utf-8")
    plot_latency(report, out / "bench.png")
    print(markdown)
    print(f"wrote {out / 'bench.json'}, {out / 'bench.md'} and {out / 'bench.png'}")


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: sizes, ChipQA stages, cold start and targets."""
    machine, cold = report["machine"], report["cold_start"]
    lines = [
        "# ChipQA benchmark",
        "",
        f"{machine['cpus']} CPUs ({report['sizes'][0]['torch_threads']} torch threads), "
        f"Python {machine['python']}, load average {_load(machine['load_average_before'])} "
        f"before and {_load(machine['load_average_after'])} after; "
        f"{report['queries']} gold questions per size, warm, latencies in ms. Peak RSS: the "
        "measuring process after ChipQA's ingest and warm-up (model included, baselines not).",
        "",
        *size_table(report["sizes"]),
        "",
        "ChipQA stages, p50 ms:",
        "",
        *stage_table(report["sizes"]),
        "",
        f"Cold start (median of fresh processes): `chipqa --help` {cold['help_s']:.2f} s, "
        f"`chipqa ask` {cold['ask_s']:.2f} s.",
        "",
        *target_table(report["targets"]),
    ]
    return "\n".join(lines) + "\n"


def size_table(sizes: list[dict[str, Any]]) -> list[str]:
    """One row per corpus size: data, throughput, memory, latency and ratios."""
    lines = [
        "| size | docs | chunks | ingest chunks/s | embeddings/s | disk MB | peak RSS MB "
        "| ChipQA p50 | p95 | p99 | floor p50 | naive p50 | ÷floor p50/p95 | ÷naive p50/p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        systems, r = size["systems"], size["ratios"]
        chipqa = systems["chipqa"]
        lines.append(
            f"| ×{size['multiple']} | {size['documents']} | {size['chunks']} "
            f"| {size['ingest']['chunks_per_s']:.0f} | {size['ingest']['embeddings_per_s']:.0f} "
            f"| {size['disk_bytes'] / MB:.1f} | {size['peak_rss_mb']:.0f} "
            f"| {chipqa['p50']:.1f} | {chipqa['p95']:.1f} | {chipqa['p99']:.1f} "
            f"| {systems['floor']['p50']:.1f} | {systems['naive']['p50']:.1f} "
            f"| {r['p50_vs_floor']:.2f} / {r['p95_vs_floor']:.2f} "
            f"| {r['p50_vs_naive']:.2f} / {r['p95_vs_naive']:.2f} |"
        )
    return lines


def stage_table(sizes: list[dict[str, Any]]) -> list[str]:
    """p50 of each stage in `Answer.timings_ms`, one row per size."""
    names = list(dict.fromkeys(s for size in sizes for s in size["systems"]["chipqa"]["stages"]))
    lines = ["| size | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for size in sizes:
        stages = size["systems"]["chipqa"]["stages"]
        cells = [f"{stages[s]['p50']:.1f}" if s in stages else "–" for s in names]
        lines.append(f"| ×{size['multiple']} | " + " | ".join(cells) + " |")
    return lines


def target_table(rows: list[dict[str, Any]]) -> list[str]:
    """Each target, the measured figure and whether it was met."""
    lines = ["| target | measured | goal | |", "|---|---:|---|---|"]
    for row in rows:
        verdict = "met" if row["met"] else "**missed**"
        lines.append(f"| {row['name']} | {row['measured']:.2f} | {row['target']} | {verdict} |")
    return lines


def _load(values: list[float]) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def plot_latency(report: dict[str, Any], path: Path) -> None:
    """p50 latency against corpus size (documents, log axis), one line per system."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    documents = [size["documents"] for size in report["sizes"]]
    for key, label in SYSTEMS.items():
        p50 = [size["systems"][key]["p50"] for size in report["sizes"]]
        axes.plot(documents, p50, marker="o", label=label)
    axes.set_xscale("log")
    axes.set_ylim(bottom=0)
    axes.set_xlabel("corpus size (documents, log scale)")
    axes.set_ylabel("p50 latency per question (ms)")
    axes.set_title("Warm question latency vs corpus size")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.savefig(path)
