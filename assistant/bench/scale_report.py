"""The simulation's part of the bench report: the measured table, fitted curves extrapolated
to 10 million chunks, where one node stops, and a log-log chart.

Latency and insert rate are fitted as power laws (straight lines on the log-log chart);
memory and disk as a fixed part plus a cost per chunk (straight lines on linear axes), the
shape Chroma's own sizing guidance gives: an HNSW index held whole in RAM.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.bench.simulated import CHUNKS_PER_DOC, DIMENSION

if TYPE_CHECKING:
    from matplotlib.axes import Axes

TARGET = 10_000_000  # chunks the curves are extrapolated to
STEPS = {
    "dense_search": "dense chunks",
    "sentence_search": "sentences",
    "lexical_search": "lexical",
    "read_passages": "read passages",
    "retrieval": "retrieval",
}
RESERVE_GB = 1.0  # Chroma's guidance: keep at least a gigabyte for the rest of the system
LARGEST_GB = 64.0  # the largest instance in Chroma's single-node guide (r7i.2xlarge)
GB = 1024.0  # MB per GB


def fit_power(sizes: list[float], values: list[float], rising: bool) -> tuple[float, float]:
    """(a, b) of value = a · size^b, least squares on logs. A fitted trend against the known
    direction (a search that gets faster, writes that speed up as the store grows) is noise:
    the value is then taken as flat, at the median."""
    slope, intercept = np.polyfit(np.log(sizes), np.log(np.maximum(values, 1e-9)), 1)
    if (slope < 0) if rising else (slope > 0):
        return float(np.median(values)), 0.0
    return float(math.exp(intercept)), float(slope)


def fit_line(sizes: list[float], values: list[float]) -> tuple[float, float]:
    """(a, b) of value = a + b · size, least squares."""
    slope, intercept = np.polyfit(sizes, values, 1)
    return float(intercept), float(slope)


def extrapolate(results: list[dict[str, Any]], ram_gb: float) -> dict[str, Any]:
    """Figures at `TARGET` chunks from the fitted curves, and the node size they call for."""
    chunks = [float(r["chunks"]) for r in results]
    latency = {
        step: {
            p: _rising_at(chunks, [r["latency_ms"][step][p] for r in results], TARGET)
            for p in ("p50", "p95")
        }
        for step in STEPS
        if step in results[-1]["latency_ms"]
    }
    rate = fit_power(chunks, [r["insert"]["chunks_per_s"] for r in results], rising=False)
    memory = fit_line(chunks, [r["server_rss_mb"] for r in results])
    disk = fit_line(chunks, [r["disk_mb"] for r in results])
    return {
        "chunks": TARGET,
        "latency_ms": latency,
        "insert_chunks_per_s": rate[0] * TARGET ** rate[1],
        "insert_hours": _hours_to_write(rate, TARGET),
        "server_rss_gb": (memory[0] + memory[1] * TARGET) / GB,
        "server_kb_per_chunk": memory[1] * 1024,
        "disk_gb": (disk[0] + disk[1] * TARGET) / GB,
        "ram_gb": ram_gb,
        "max_chunks_here": _chunks_in(ram_gb, memory),
        "max_chunks_64gb": _chunks_in(LARGEST_GB, memory),
    }


def _chunks_in(ram_gb: float, memory: tuple[float, float]) -> float:
    """Chunks whose server memory fits in `ram_gb` with `RESERVE_GB` kept for the system
    (infinite when the sizes measured showed no growth)."""
    room = max(0.0, (ram_gb - RESERVE_GB) * GB - memory[0])
    return room / memory[1] if memory[1] > 0 else math.inf


def _rising_at(sizes: list[float], values: list[float], at: float) -> float:
    a, b = fit_power(sizes, values, rising=True)
    return a * at**b


def _hours_to_write(rate: tuple[float, float], chunks: float) -> float:
    """Hours to write `chunks` from empty when the rate is a · n^b: ∫ dn / (a n^b)."""
    a, b = rate
    return chunks ** (1 - b) / (a * (1 - b)) / 3600


def scale_section(simulation: dict[str, Any]) -> list[str]:
    """Markdown lines: how it was run, the table, the extrapolation and where one node stops."""
    results, future = simulation["sizes"], simulation["extrapolation"]
    return [
        "## Scale by simulation",
        "",
        f"Synthetic chunks ({CHUNKS_PER_DOC} per document, about 4 sentences each) with "
        f"clustered {DIMENSION}-dimension unit vectors and Zipf-distributed words, written "
        "through ChipQA's own store (`ChromaStore.write`: sentence vectors, chunk vectors, "
        "the lexical index) to a `chroma run` on loopback, and searched by the retrieval "
        f"stage itself; {simulation['queries']} questions per size after a warm-up, ms. "
        "Insert rate: chunks written per second since the previous size (no embedding). "
        "Chunk found: the share of questions whose chunk is among the passages retrieved "
        "(each question is drawn from one chunk: three of its content words, and a vector at "
        "cosine 0.6 to it). "
        "Server RSS: the `chroma run` process; app RSS: the simulating process (client, "
        f"lexical index, generator). Load average {simulation['load_before']:.1f} before, "
        f"{simulation['load_after']:.1f} after.",
        "",
        *_measured_table(results),
        "",
        *(_future_lines(future, results) if future else ["Two sizes or more are extrapolated."]),
    ]


def _measured_table(results: list[dict[str, Any]]) -> list[str]:
    steps = [s for s in STEPS if s in results[0]["latency_ms"]]
    head = " | ".join(f"{STEPS[s]} p50 / p95" for s in steps)
    lines = [
        f"| chunks | sentences | insert chunks/s | {head} | chunk found | server RSS MB "
        "| app RSS MB | disk MB |",
        "|---:|---:|---:|" + "---:|" * len(steps) + "---:|---:|---:|---:|",
    ]
    for r in results:
        cells = " | ".join(
            f"{r['latency_ms'][s]['p50']:.1f} / {r['latency_ms'][s]['p95']:.1f}" for s in steps
        )
        lines.append(
            f"| {r['chunks']:,} | {r['sentences']:,} | {r['insert']['chunks_per_s']:.0f} "
            f"| {cells} | {r['found']:.0%} | {r['server_rss_mb']:.0f} | {r['app_rss_mb']:.0f} "
            f"| {r['disk_mb']:.0f} |"
        )
    return lines


def _future_lines(future: dict[str, Any], results: list[dict[str, Any]]) -> list[str]:
    latency = future["latency_ms"]
    steps = ", ".join(f"{STEPS[s]} {v['p50']:.1f} / {v['p95']:.1f}" for s, v in latency.items())
    vectors = TARGET * (1 + results[-1]["sentences"] / results[-1]["chunks"])
    apps = [r["app_rss_mb"] for r in results]
    raw_gb = vectors * DIMENSION * 4 / 2**30
    return [
        f"**Extrapolated to {TARGET:,} chunks** (fitted to the sizes above; a guide, not a "
        f"measurement): p50 / p95 ms {steps}; insert {future['insert_chunks_per_s']:.0f} "
        f"chunks/s, {future['insert_hours']:.0f} h to write them all from empty; server RSS "
        f"{future['server_rss_gb']:.0f} GB ({future['server_kb_per_chunk']:.1f} KB per chunk "
        f"with its sentences); disk {future['disk_gb']:.0f} GB. App RSS measured "
        f"{min(apps):.0f}–{max(apps):.0f} MB across the sizes: the app holds no copy of the "
        "corpus.",
        "",
        f"**Where one node stops.** Chroma keeps each collection's HNSW index whole in RAM; "
        "once it outgrows memory the node swaps and becomes unusable (Chroma's single-node "
        "sizing guide: RAM ≈ vectors × dimensions × 4 bytes plus overhead, at least 1 GB "
        "reserved, tested to about 7 million 1,024-dimension vectors; its architecture notes "
        f"put single-node Chroma at under 10 million records). {TARGET:,} chunks are "
        f"{vectors / 1e6:.0f} million vectors ({raw_gb:.0f} GB of raw float32 alone): at the "
        f"measured cost this machine ({future['ram_gb']:.0f} GB RAM) holds about "
        f"{future['max_chunks_here'] / 1e6:.1f} million chunks, and the largest instance in "
        f"Chroma's guide ({LARGEST_GB:.0f} GB) about {future['max_chunks_64gb'] / 1e6:.1f} "
        "million.",
        "",
        "**What a distributed Chroma changes.** Writes are acknowledged once in the log and "
        "indexes are built by compactors, so inserts no longer wait on the HNSW graph; "
        "indexes live in object storage with SSD caches on query nodes, which page "
        "collections in and out, so memory no longer bounds the corpus (a cold collection "
        "pays an object-storage floor of about 10–20 ms first). It spreads collections over "
        "nodes and advises splitting data over collections: sentence vectors would be split "
        "over several (Chroma Cloud's "
        "default quota is 5 million records per collection, so sentences alone pass it at "
        "about 1.25 million chunks; it also caps writes and results at 300 records, below the "
        "5,000-record pages ChipQA reads and writes, so those quotas must be raised). BM25 "
        "and sparse vectors and the Search API (server-side rank fusion) exist there, so "
        "the lexical ranking could move into Chroma instead of a file beside each app.",
    ]


def plot_scale(simulation: dict[str, Any], axes: Axes) -> None:
    """p50 latency of each retrieval step against chunks, log-log, measured points and the
    fitted line out to `TARGET`."""
    results = simulation["sizes"]
    chunks = [float(r["chunks"]) for r in results]
    span = np.geomspace(chunks[0], TARGET, 50)
    for step in [s for s in STEPS if s in results[0]["latency_ms"]]:
        p50 = [r["latency_ms"][step]["p50"] for r in results]
        a, b = fit_power(chunks, p50, rising=True)
        (line,) = axes.plot(chunks, p50, marker="o", label=STEPS[step])
        axes.plot(span, a * span**b, linestyle=":", color=line.get_color())
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("chunks in the store (log scale)")
    axes.set_ylabel("p50 ms (log scale)")
    axes.set_title("Store simulation: measured (points) and extrapolated (dotted)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small")
