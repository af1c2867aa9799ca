"""Measuring one corpus size, in a process of its own: ingest, memory and warm latency.

ChipQA is timed over the gold questions after one warm-up pass, interleaved question by
question with two baselines on the same data: the floor (one query embedding plus one
Chroma nearest-neighbour search) and the naive LangChain RAG of
`assistant.evaluation.baseline`.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.bench.previous_ingest import PREVIOUS_MAX, time_previous_ingest
from assistant.evaluation.gold import GoldItem
from assistant.evaluation.metrics import mean, percentile
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.embed import SentenceEmbedder
    from assistant.evaluation.baseline import NaiveRAG
    from assistant.ingest import IngestProgress, IngestReport
    from assistant.pipeline import Assistant

BASELINES = ("floor", "naive")
MB = 2**20


@dataclass(frozen=True)
class SizeJob:
    """Everything the process measuring one corpus size needs."""

    multiple: int
    documents: int
    corpus_dir: Path
    work_dir: Path
    settings: Settings
    questions: tuple[GoldItem, ...]
    rounds: int

    @property
    def data_dir(self) -> Path:
        """ChipQA's store for this size."""
        return self.work_dir / "data"

    @property
    def naive_dir(self) -> Path:
        """The naive baseline's store for this size."""
        return self.work_dir / "naive"

    @property
    def size_settings(self) -> Settings:
        """ChipQA's settings at this size: its corpus, an embedded store, the extractive
        answerer, every source."""
        return self.settings.replace(
            corpus_dir=self.corpus_dir,
            data_dir=self.data_dir,
            chroma_host=None,
            chroma_port=None,
            source=None,
            answerer="extractive",
        )


def measure_size(job: SizeJob) -> dict[str, Any]:
    """Ingest, warm up and time all three systems at one size (runs in a child process)."""
    import torch

    from assistant.embed import SentenceEmbedder
    from assistant.evaluation.baseline import NaiveRAG
    from assistant.pipeline import build_assistant

    say(job, "loading the embedding model")
    began = time.perf_counter()
    embedder = SentenceEmbedder(
        job.settings.embedding_model, job.settings.batch_size, job.settings.embedding_precision
    )
    embedder.load()
    model_s = time.perf_counter() - began
    settings = job.size_settings
    assistant = build_assistant(settings, embedder=embedder)
    report = assistant.ingest(progress=ProgressLines(job))
    previous = None
    if job.multiple <= PREVIOUS_MAX:
        say(job, "ingesting again the previous way (each chunk's text embedded too)")
        previous = time_previous_ingest(settings.replace(data_dir=job.work_dir / "previous"))
    documents = len(assistant.documents())
    say(job, f"warming up on {len(job.questions)} questions")
    for item in job.questions:
        assistant.ask(item.question, item.turns())
    peak_rss_mb = peak_rss() / MB
    say(job, "building the naive LangChain baseline")
    began = time.perf_counter()
    naive = NaiveRAG.build(job.corpus_dir, job.naive_dir, embedder)
    naive_build_s = time.perf_counter() - began
    say(job, f"timing {job.rounds} × {len(job.questions)} questions")
    samples = time_systems(assistant, naive, job.questions, job.rounds)
    say(job, "timing the question encoders")
    encoders = time_question_encoders(embedder, job.questions, job.rounds)
    return {
        "multiple": job.multiple,
        "documents": documents,
        "chunks": report.total_chunks,
        "sentences": assistant.store.sentence_count(),
        "skipped": report.skipped,
        "ingest": _ingest_figures(report, previous),
        "torch_threads": torch.get_num_threads(),
        "embedding_precision": "bfloat16" if embedder.bfloat16 else "float32",
        "batch_size": embedder.batch_size,
        "model_load_s": model_s,
        "peak_rss_mb": peak_rss_mb,
        "question_embedding": {name: summarise(ms) for name, ms in encoders.items()},
        "systems": {
            "chipqa": {
                **summarise(samples["total"]),
                "stages": {s: summarise(samples[s]) for s in samples if s not in BASELINES},
            },
            "floor": summarise(samples["floor"]),
            "naive": {
                **summarise(samples["naive"]),
                "build_s": naive_build_s,
                "chunks": naive.chunks,
            },
        },
    }


def _ingest_figures(report: IngestReport, previous: dict[str, Any] | None) -> dict[str, Any]:
    """Ingest time and throughput, and the ratio to the previous way when it was timed."""
    seconds = max(report.seconds, 1e-9)
    return {
        "seconds": report.seconds,
        "chunks": report.chunks,
        "embeddings": report.embeddings,
        "chunks_per_s": report.chunks / seconds,
        "embeddings_per_s": report.embeddings / seconds,
        "previous": previous,
        "vs_previous": previous and report.chunks / seconds / previous["chunks_per_s"],
    }


def say(job: SizeJob, message: str) -> None:
    """One progress line for this size."""
    print(f"×{job.multiple}: {message}", flush=True)


class ProgressLines:
    """Prints ingest progress about every tenth of the texts: throughput and time left."""

    def __init__(self, job: SizeJob) -> None:
        self.job = job
        self.embedded = 0
        self.began = time.perf_counter()

    def __call__(self, progress: IngestProgress) -> None:
        """Say when the texts are counted, then after each tenth of them is embedded."""
        if progress.total is None:
            return
        if not progress.embedded:
            self.began = time.perf_counter()
            say(self.job, f"embedding {progress.total} texts")
            return
        step = max(1, progress.total // 10)
        before, self.embedded = self.embedded, progress.embedded
        if self.embedded // step > before // step:
            rate = self.embedded / max(time.perf_counter() - self.began, 1e-9)
            left = (progress.total - self.embedded) / rate
            say(
                self.job,
                f"embedded {self.embedded}/{progress.total} texts, {rate:.0f}/s, {left:.0f} s left",
            )


def time_systems(
    assistant: Assistant, naive: NaiveRAG, questions: tuple[GoldItem, ...], rounds: int
) -> dict[str, list[float]]:
    """Per-question milliseconds of the floor, the naive RAG and each stage ChipQA reports in
    `Answer.timings_ms` (embed_query, dense_search, bm25, fusion, answer, total, ...)."""
    for item in questions:  # the baselines' warm-up pass
        floor_ms(assistant, item.question)
        naive.ask(item.question)
    samples: dict[str, list[float]] = {"floor": [], "naive": []}
    for _ in range(rounds):
        for item in questions:
            timings = assistant.ask(item.question, item.turns()).timings_ms
            for stage, ms in timings.items():
                samples.setdefault(stage, []).append(ms)
            samples["floor"].append(floor_ms(assistant, item.question))
            samples["naive"].append(naive.ask(item.question).timings_ms["total"])
    return samples


def time_question_encoders(
    embedder: SentenceEmbedder, questions: tuple[GoldItem, ...], rounds: int
) -> dict[str, list[float]]:
    """Milliseconds to embed one question, each encoder in turn on the same question: the
    NumPy encoder and the ONNX export (when made)."""
    from assistant.embed import exported, light

    encoders: dict[str, Callable[[list[str]], object]] = {
        "numpy": light.LightEncoder(embedder.path).embed
    }
    if exported.available(embedder.path):
        encoders["onnx"] = exported.ExportedEncoder(embedder.path).embed
    samples: dict[str, list[float]] = {name: [] for name in encoders}
    for round_ in range(rounds + 1):  # the first round warms up
        for item in questions:
            for name, encode in encoders.items():
                began = time.perf_counter()
                encode([item.question])
                if round_:
                    samples[name].append((time.perf_counter() - began) * 1000)
    return samples


def floor_ms(assistant: Assistant, question: str) -> float:
    """One query embedding plus one nearest-neighbour search: no dense RAG can do less."""
    began = time.perf_counter()
    vector = assistant.embedder.embed([question])[0]
    assistant.store.nearest(vector, assistant.settings.candidates)
    return (time.perf_counter() - began) * 1000


def summarise(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of millisecond samples."""
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "mean": mean(values),
    }


def peak_rss() -> int:
    """Peak resident memory of this process, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def dir_bytes(folder: Path) -> int:
    """Total size of the files under `folder`."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
