"""App memory in server mode: one corpus size's store served by `chroma run`, and a fresh
ChipQA process answering the gold questions against it, as a UI worker would.

The app process holds no copy of the corpus (searches run in Chroma and in its SQLite FTS5
file), so its memory should not grow with the corpus: the report gives its peak and its
growth over the smallest size. The lexical file is rebuilt from the server first, as on a
new app host; that rebuild is timed.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from assistant.bench.measure import SizeJob, peak_rss
from assistant.bench.scale import MB, chroma_run, resident_bytes


def measure_server_app(job: SizeJob) -> dict[str, float]:
    """Serve `job`'s store with `chroma run`; answer its questions from a fresh process."""
    with chroma_run(job.data_dir / "chroma") as server:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            app = pool.submit(answer_from_server, job, server.port).result()
        return app | {"server_rss_mb": resident_bytes(server.pid) / MB}


def answer_from_server(job: SizeJob, port: int) -> dict[str, Any]:
    """(In a child process.) ChipQA against the server on `port`: its memory after
    rebuilding its lexical file and answering every question twice."""
    from assistant.pipeline import build_assistant

    settings = job.settings.replace(
        corpus_dir=job.corpus_dir,
        data_dir=job.work_dir / "app",
        chroma_host="127.0.0.1",
        chroma_port=port,
        source=None,
        answerer="extractive",
    )
    assistant = build_assistant(settings)
    began = time.perf_counter()
    assistant.store.knows_term("chip")  # the first lexical use rebuilds the file
    rebuild_s = time.perf_counter() - began
    for _ in range(2):
        for item in job.questions:
            assistant.ask(item.question, item.turns())
    return {
        "app_peak_rss_mb": peak_rss() / MB,
        "app_rss_mb": resident_bytes() / MB,
        "lexical_rebuild_s": rebuild_s,
    }
