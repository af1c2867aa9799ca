"""The benchmark's report: machine, per-size figures with ratios, cold start, the speed
targets of `eval/bench_targets.yaml` and the store simulation, as bench.json, bench.md and
charts."""

from __future__ import annotations

import os
import platform
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.bench.measure import MB
from assistant.bench.scale_report import plot_scale, scale_section
from assistant.errors import ConfigError
from assistant.evaluation.output import save_chart, write_report
from assistant.settings import Settings

if TYPE_CHECKING:
    from matplotlib.axes import Axes

SYSTEMS = {"chipqa": "ChipQA", "floor": "floor", "naive": "naive LangChain"}
RATIOS = tuple(f"{p}_vs_{base}" for base in ("floor", "naive") for p in ("p50", "p95"))
SIZE_FIGURES = (
    "p50_ms",
    "p95_ms",
    "p99_ms",
    *RATIOS,
    "ingest_chunks_per_s",
    "ingest_embeddings_per_s",
    "peak_rss_mb",
    "server_app_rss_mb",
    "server_app_rss_growth_mb",
)
COLD_FIGURES = ("help_s", "ask_s", "ask_vs_previous")
LOCAL_FIGURES = ("first_token_on_vs_off", "answer_on_vs_off")


class Limits(BaseModel):
    """Floors (minimums) and ceilings (maximums) by figure name."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    floors: dict[str, float] = {}
    ceilings: dict[str, float] = {}


class Targets(BaseModel):
    """Limits per corpus multiple (`every`: each size measured), for cold starts and for
    the local model's prompt cache."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sizes: dict[int | Literal["every"], Limits] = {}
    cold_start: Limits = Limits()
    local_model: Limits = Limits()


ENCODERS = {"onnx": "ONNX export", "numpy": "NumPy"}


def load_targets(path: Path) -> Targets:
    """Read and validate a targets file; one `ConfigError` line on any problem."""
    try:
        targets = Targets.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as error:
        raise ConfigError(f"cannot read bench targets {path}: {error.strerror}") from error
    except (yaml.YAMLError, ValidationError) as error:
        first = str(error).strip().splitlines()
        raise ConfigError(f"bench targets {path} are malformed: {' '.join(first[:2])}") from error
    scopes = [(limits, SIZE_FIGURES) for limits in targets.sizes.values()]
    scopes += [(targets.cold_start, COLD_FIGURES), (targets.local_model, LOCAL_FIGURES)]
    for limits, known in scopes:
        unknown = sorted({*limits.floors, *limits.ceilings} - set(known))
        if unknown:
            raise ConfigError(
                f"bench targets {path}: unknown figure {', '.join(unknown)} "
                f"(known: {', '.join(SIZE_FIGURES + COLD_FIGURES + LOCAL_FIGURES)})"
            )
    return targets


def make_report(
    settings: Settings,
    results: list[dict[str, Any]],
    cold: dict[str, Any] | None,
    queries: int,
    targets: Targets,
    load: tuple[tuple[float, ...], tuple[float, ...]],
    local: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """bench.json's content: machine, per-size figures with ratios, cold start, the local
    model's prompt cache when timed, targets."""
    for size in results:
        size["ratios"] = ratios(size["systems"])
        smallest = results[0]["server_mode"]["app_peak_rss_mb"]
        size["server_mode"]["app_rss_growth_mb"] = size["server_mode"]["app_peak_rss_mb"] - smallest
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
        "local_model": local,
        "targets": assess(results, cold, targets, local),
    }


def ratios(systems: dict[str, dict[str, Any]]) -> dict[str, float]:
    """ChipQA's p50 and p95 divided by each baseline's."""
    chipqa = systems["chipqa"]
    return {
        f"{p}_vs_{base}": chipqa[p] / systems[base][p] if systems[base][p] else 0.0
        for p, base in (name.split("_vs_") for name in RATIOS)
    }


def size_figures(size: dict[str, Any]) -> dict[str, float]:
    """The figures of one size that targets may name."""
    chipqa = size["systems"]["chipqa"]
    return {
        "p50_ms": chipqa["p50"],
        "p95_ms": chipqa["p95"],
        "p99_ms": chipqa["p99"],
        **size["ratios"],
        "ingest_chunks_per_s": size["ingest"]["chunks_per_s"],
        "ingest_embeddings_per_s": size["ingest"]["embeddings_per_s"],
        "peak_rss_mb": size["peak_rss_mb"],
        "server_app_rss_mb": size["server_mode"]["app_peak_rss_mb"],
        "server_app_rss_growth_mb": size["server_mode"]["app_rss_growth_mb"],
    }


def assess(
    results: list[dict[str, Any]],
    cold: dict[str, Any] | None,
    targets: Targets,
    local: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Each target with the measured figure and whether it was met."""
    rows = []
    for size in results:
        figures = size_figures(size)
        for key in ("every", size["multiple"]):
            rows += _rows(f"×{size['multiple']} ", figures, targets.sizes.get(key, Limits()))
    rows += _rows("cold ", cold, targets.cold_start) if cold else []
    return rows + (_rows("local ", local, targets.local_model) if local else [])


def _rows(prefix: str, figures: dict[str, Any], limits: Limits) -> list[dict[str, Any]]:
    rows = []
    for op, bounds in (("≥", limits.floors), ("≤", limits.ceilings)):
        for name, limit in bounds.items():
            value = float(figures[name])
            rows.append(
                {
                    "name": prefix + name,
                    "measured": value,
                    "target": f"{op} {limit:g}",
                    "met": value >= limit if op == "≥" else value <= limit,
                }
            )
    return rows


def write_reports(report: dict[str, Any], out: Path) -> None:
    """bench.json, bench.md and the charts into `out`; the Markdown is also printed."""
    markdown = render_markdown(report)
    paths = write_report(out, "bench", report, markdown)
    if report["sizes"]:
        paths.append(save_chart(out / "bench.png", lambda axes: plot_latency(report, axes)))
    if report.get("simulation"):
        draw = partial(plot_scale, report["simulation"])
        paths.append(save_chart(out / "bench-scale.png", draw))
    print(markdown)
    print(f"wrote {', '.join(str(p) for p in paths)}")


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: the corpus sizes and the simulation, each when measured."""
    lines = ["# ChipQA benchmark", ""]
    if report["sizes"]:
        lines += corpus_section(report)
    if report.get("local_model"):
        lines += local_section(report["local_model"])
    if report.get("simulation"):
        lines += scale_section(report["simulation"])
    if report["targets"]:
        lines += [*target_table(report["targets"]), ""]
    return "\n".join(lines) + "\n"


def corpus_section(report: dict[str, Any]) -> list[str]:
    """Sizes, ChipQA stages, cold start and targets."""
    machine, cold = report["machine"], report["cold_start"]
    return [
        f"{machine['cpus']} CPUs ({report['sizes'][0]['torch_threads']} torch threads), "
        f"Python {machine['python']}, load average {_load(machine['load_average_before'])} "
        f"before and {_load(machine['load_average_after'])} after; "
        f"{report['queries']} gold questions per size, warm, latencies in ms. Peak RSS: the "
        "measuring process after ChipQA's ingest and warm-up (model included, baselines not).",
        "",
        *size_table(report["sizes"]),
        "",
        *previous_ingest_line(report["sizes"]),
        "Server mode: each size's store served by `chroma run`, and a fresh ChipQA process "
        "(model included) that rebuilds its lexical file from the server, then answers the "
        "questions twice. It holds no copy of the corpus, so its memory should stay flat:",
        "",
        *server_table(report["sizes"]),
        "",
        "ChipQA stages, p50 ms:",
        "",
        *stage_table(report["sizes"]),
        "",
        *encoder_line(report["sizes"][0]),
        f"Cold start (median of fresh processes): `chipqa --help` {cold['help_s']:.2f} s, "
        f"`chipqa ask` {cold['ask_s']:.2f} s; the previous way (question embedded by "
        f"sentence-transformers) {cold['ask_previous_s']:.2f} s, ratio "
        f"{cold['ask_vs_previous']:.2f}.",
        "",
    ]


def previous_ingest_line(sizes: list[dict[str, Any]]) -> list[str]:
    """Ingest throughput against the previous way (each chunk's text embedded too), where
    both were timed."""
    timed = [s for s in sizes if s["ingest"].get("previous")]
    if not timed:
        return []
    figures = "; ".join(
        f"×{s['multiple']} {s['ingest']['previous']['chunks_per_s']:.1f} → "
        f"{s['ingest']['chunks_per_s']:.1f} chunks/s ({s['ingest']['vs_previous']:.2f}×)"
        for s in timed
    )
    now = f"{timed[0]['embedding_precision']} batches of {timed[0]['batch_size']}"
    return [
        "Ingest against the previous way (float32 batches of 16, one document at a time), "
        f"same run, in a fresh process; now {now} across documents: {figures}.",
        "",
    ]


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


def local_section(local: dict[str, Any]) -> list[str]:
    """The local model's first token and whole answer with its prompt cache off and on."""
    off, on = local["off"], local["on"]
    return [
        f"Local model ({local['model']}), {local['questions']} dev questions, p50 s, prompt "
        f"cache off → on: first token {off['first_token_s_p50']:.2f} → "
        f"{on['first_token_s_p50']:.2f} ({local['first_token_on_vs_off']:.2f}×), whole answer "
        f"{off['total_s_p50']:.2f} → {on['total_s_p50']:.2f} ({local['answer_on_vs_off']:.2f}×); "
        f"prompt {off['prompt_tokens']:.0f} tokens; answers the same: {local['answers_same']} "
        f"of {local['questions']}.",
        "",
    ]


def encoder_line(size: dict[str, Any]) -> list[str]:
    """One question's embedding time by each encoder, in the same run."""
    timed = size.get("question_embedding")
    if not timed:
        return []
    numpy = timed["numpy"]["p50"]
    figures = ", ".join(
        f"{ENCODERS[name]} {t['p50']:.1f} / {t['p95']:.1f}"
        + (f" ({t['p50'] / numpy:.2f}× NumPy's p50)" if name != "numpy" else "")
        for name, t in timed.items()
    )
    return [f"One question embedded, p50 / p95 ms, each encoder in turn: {figures}.", ""]


def server_table(sizes: list[dict[str, Any]]) -> list[str]:
    """One row per corpus size: the app's and the server's memory in server mode."""
    lines = [
        "| size | chunks | app peak RSS MB | growth over ×"
        f"{sizes[0]['multiple']} MB | app RSS after MB | server RSS MB | lexical rebuild s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        mode = size["server_mode"]
        lines.append(
            f"| ×{size['multiple']} | {size['chunks']} | {mode['app_peak_rss_mb']:.0f} "
            f"| {mode['app_rss_growth_mb']:+.0f} | {mode['app_rss_mb']:.0f} "
            f"| {mode['server_rss_mb']:.0f} | {mode['lexical_rebuild_s']:.2f} |"
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


def plot_latency(report: dict[str, Any], axes: Axes) -> None:
    """p50 latency against corpus size (documents, log axis), one line per system."""
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
