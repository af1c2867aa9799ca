"""Cold start: wall time of `chipqa --help` and `chipqa ask` as fresh processes, and of
`chipqa ask` as it was before questions were embedded in NumPy (by sentence-transformers,
which imports torch), in the same run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from assistant.bench.measure import SizeJob

# `chipqa` with the NumPy encoder turned off: the previous way, for the ratio.
PREVIOUS = """
import sys
from assistant.embed import exported, light
exported.available = light.supports = lambda path: False
from assistant.cli import main
sys.argv[0] = "chipqa"
main()
"""


def cold_start(job: SizeJob, quick: bool) -> dict[str, Any]:
    """Median wall time of `chipqa --help` and of `chipqa ask` on `job`'s store, now and the
    previous way (interleaved)."""
    command = chipqa_command()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIPQA_")}
    env |= {
        "CHIPQA_CORPUS_DIR": str(job.corpus_dir),
        "CHIPQA_DATA_DIR": str(job.data_dir),
        "CHIPQA_COLLECTION": job.settings.collection,
        "CHIPQA_EMBEDDING_MODEL": job.settings.embedding_model,
        "CHIPQA_MAX_CHUNK_TOKENS": str(job.settings.max_chunk_tokens),
    }
    question = job.questions[0].question
    print(f"cold start: timing `chipqa --help` and `chipqa ask` on ×{job.multiple}", flush=True)
    runs = 1 if quick else 3
    asks: dict[str, list[float]] = {"now": [], "previous": []}
    for _ in range(runs):
        asks["now"].append(wall([*command, "ask", question], env))
        asks["previous"].append(wall([sys.executable, "-c", PREVIOUS, "ask", question], env))
    ask_s, previous_s = (statistics.median(asks[way]) for way in ("now", "previous"))
    return {
        "help_s": statistics.median(wall([*command, "--help"], env) for _ in range(runs + 2)),
        "ask_s": ask_s,
        "ask_previous_s": previous_s,
        "ask_vs_previous": ask_s / previous_s,
        "multiple": job.multiple,
        "question": question,
        "runs": runs,
    }


def chipqa_command() -> list[str]:
    """The installed `chipqa` script next to this interpreter, else `python -m assistant`."""
    script = Path(sys.executable).with_name("chipqa")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "assistant"]


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds `command` takes to run to completion; it must succeed."""
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["no output"]
        raise RuntimeError(f"{' '.join(command[-2:])} failed: {lines[-1]}")
    return seconds
