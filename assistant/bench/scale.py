"""Scale by simulation: synthetic chunks and sentences (`simulated`) written through ChipQA's
own store to a `chroma run` server on loopback, measured as the store grows.

At each size: the insert rate of the records added since the last size, query latency p50
and p95 of each retriever the store offers, the resident memory of the server and of this
process (the app side: client, lexical index), and the disk the store takes. Embedding is
left out: it is measured by the corpus sizes of `chipqa bench`.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.bench.measure import MB, dir_bytes
from assistant.bench.scale_report import extrapolate
from assistant.bench.simulated import CHUNKS_PER_DOC, DIMENSION, SyntheticCorpus
from assistant.errors import ConfigError, StoreError
from assistant.evaluation.metrics import percentile
from assistant.retrieve import retrieve
from assistant.settings import Settings
from assistant.store import ChromaStore

SEED = 11
QUERIES = 200
WARMUP = 20
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class Server:
    """A running `chroma run`: its loopback port and process id."""

    port: int
    pid: int


def run_simulation(sizes: list[int], work: Path, queries: int = QUERIES) -> dict[str, Any]:
    """The simulation's part of bench.json: load, every size's figures, the extrapolation."""
    load_before = os.getloadavg()[0]
    results = list(simulate(sizes, work, queries))
    return {
        "queries": queries,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "sizes": results,
        "extrapolation": extrapolate(results, physical_memory() / 2**30)
        if len(results) > 1
        else None,
    }


def simulate(sizes: list[int], work: Path, queries: int = QUERIES) -> Iterator[dict[str, Any]]:
    """Grow one store on a fresh `chroma run` through `sizes` (chunks), yielding the figures
    of each size as it is measured."""
    corpus = SyntheticCorpus(SEED)
    documents = 0
    with chroma_run(work / "chroma") as server:
        settings = Settings(
            data_dir=work / "app",
            collection="simulated",
            chroma_host="127.0.0.1",
            chroma_port=server.port,
        )
        store = ChromaStore(settings, "simulated", DIMENSION)
        for size in sizes:
            wanted = math.ceil(size / CHUNKS_PER_DOC)
            insert = write_documents(store, corpus, documents, wanted)
            documents = wanted
            retrieval = time_retrieval(store, corpus, documents, queries)
            say(f"{store.chunk_count()} chunks measured")
            yield size_result(store, server, work, insert) | retrieval


def write_documents(
    store: ChromaStore, corpus: SyntheticCorpus, first: int, end: int
) -> dict[str, float]:
    """Write documents first..end-1 through `store.write`; the time spent in writes only."""
    seconds, chunks, records = 0.0, 0, 0
    step = max(1, (end - first) // 10)
    for number in range(first, end):
        doc, doc_chunks, vectors = corpus.document(number)
        began = time.perf_counter()
        store.write([(doc, doc_chunks, vectors)])
        seconds += time.perf_counter() - began
        chunks, records = chunks + len(doc_chunks), records + len(vectors)
        if (number - first) % step == 0:
            say(f"writing document {number + 1}/{end}: {chunks / max(seconds, 1e-9):.0f} chunks/s")
    return {
        "seconds": seconds,
        "chunks_per_s": chunks / max(seconds, 1e-9),
        "records_per_s": records / max(seconds, 1e-9),
    }


def time_retrieval(
    store: ChromaStore, corpus: SyntheticCorpus, documents: int, queries: int
) -> dict[str, Any]:
    """p50 and p95 ms of each step of the retrieval stage (dense chunk search, lexical search,
    sentence search, reading the fused passages) and of the whole, over `queries` questions
    after `WARMUP` untimed ones; and the share of questions whose chunk was retrieved."""
    samples: dict[str, list[float]] = {}
    found = 0
    for number in range(WARMUP + queries):
        query = corpus.query(number, documents)
        timings: dict[str, float] = {}
        began = time.perf_counter()
        hits = retrieve(
            query.text,
            query.vector,
            store,
            k=store.settings.k,
            candidates=store.settings.candidates,
            rrf_k=store.settings.rrf_k,
            timings=timings,
        )
        timings["retrieval"] = (time.perf_counter() - began) * 1000
        if number >= WARMUP:
            found += any(hit.chunk.id == query.chunk_id for hit in hits)
            for step, ms in timings.items():
                samples.setdefault(step, []).append(ms)
    return {
        "latency_ms": {
            step: {"p50": percentile(ms, 50), "p95": percentile(ms, 95)}
            for step, ms in samples.items()
        },
        "found": found / queries,
    }


def size_result(
    store: ChromaStore,
    server: Server,
    work: Path,
    insert: dict[str, float],
) -> dict[str, Any]:
    """One size's store figures."""
    return {
        "chunks": store.chunk_count(),
        "sentences": store.sentence_count(),
        "insert": insert,
        "server_rss_mb": resident_bytes(server.pid) / MB,
        "app_rss_mb": resident_bytes() / MB,
        "disk_mb": dir_bytes(work) / MB,
    }


@contextmanager
def chroma_run(folder: Path) -> Iterator[Server]:
    """A `chroma run` serving `folder` on a free loopback port, stopped on exit."""
    port = free_port()
    command = [chroma_command(), "run", "--path", str(folder), "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process)
        yield Server(port, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)


def chroma_command() -> str:
    """The `chroma` command beside this Python, or on the PATH."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if found is None:
        raise ConfigError("the simulation needs Chroma's `chroma` command: pip install chromadb")
    return found


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    """Block until `process` accepts connections on `port`; one line if it never does."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise StoreError(f"`chroma run` did not start on 127.0.0.1:{port} for the simulation")


def resident_bytes(pid: int | str = "self") -> int:
    """A process's resident memory now (Linux /proc), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise StoreError(f"no resident memory reported for process {pid}")


def physical_memory() -> int:
    """This machine's RAM, in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def say(message: str) -> None:
    """One progress line."""
    print(f"simulation: {message}", flush=True)
