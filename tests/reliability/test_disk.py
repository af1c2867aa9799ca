"""A full or read-only disk under the data folder: one line that says so and where, never
the advice to rebuild a healthy index; once there is room again, ingest finishes."""

from __future__ import annotations

import errno
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import Finished, error_line, finish, seeded_corpus, small_corpus, start_chipqa

pytestmark = pytest.mark.slow

DEEPSEEK = "How important is DeepSeek?"
CHUNK = b"\0" * (1 << 20)


@pytest.fixture
def mount() -> Iterator[Callable[..., None]]:
    """`mount(ARGS…, TARGET)`, undone after the test; skips where this user may not mount."""
    targets: list[str] = []

    def mount_(*args: str) -> None:
        done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot mount here ({done.stderr.strip()})")
        targets.append(args[-1])

    yield mount_
    for target in reversed(targets):
        subprocess.run(["umount", "-l", target], check=False)


@pytest.fixture
def data(tmp_path: Path, mount: Callable[..., None]) -> Path:
    """A data folder on a 64 MB file system of its own, the seed document indexed in it."""
    folder = tmp_path / "data"
    folder.mkdir()
    mount("-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder))
    seeded_corpus(tmp_path)
    assert run(tmp_path, "ingest").returncode == 0
    return folder


def run(cwd: Path, *args: str) -> Finished:
    return finish(start_chipqa(args, cwd))


def fill(folder: Path, spare: int) -> Path:
    """A file that takes every free byte of `folder`'s file system but `spare` MB."""
    filler = folder / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(CHUNK)
                out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    with filler.open("r+b") as out:
        out.truncate(max(0, filler.stat().st_size - spare * len(CHUNK)))
    return filler


def test_full_disk_says_so_and_where_and_ingest_finishes_after(tmp_path: Path, data: Path) -> None:
    small_corpus(tmp_path / "corpus", 200)
    filler = fill(data, spare=2)  # room for part of the ingest
    for args in (("ingest",), ("ask", DEEPSEEK), ("stats",)):
        found = run(tmp_path, *args)
        if args[0] == "ingest" or found.returncode != 0:
            line = error_line(found)
            assert f"the disk holding {data} is full" in line and "free some space" in line
            assert "move that folder" not in line and "retry shortly" not in line
    filler.unlink()
    assert run(tmp_path, "ingest").returncode == 0
    stats = json.loads(run(tmp_path, "stats", "--json").stdout)
    assert stats["documents"] == 201 and stats["incomplete"] == []
    assert run(tmp_path, "ask", DEEPSEEK).returncode == 0


def test_read_only_data_folder_says_so(
    tmp_path: Path, data: Path, mount: Callable[..., None]
) -> None:
    mount("--bind", str(data), str(data))
    mount("-o", "remount,bind,ro", str(data))
    small_corpus(tmp_path / "corpus", 1)
    for args in (("ingest",), ("ask", DEEPSEEK)):
        line = error_line(run(tmp_path, *args))
        assert line == (
            f"chipqa: error: {data} is read-only: make it writable, or set CHIPQA_DATA_DIR "
            "to a writable folder"
        )
