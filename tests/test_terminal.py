"""The terminal with an LLM answerer: what is printed is the checked answer, never the
model's raw reply; on a real terminal the draft streams dimmed and Ctrl-C stops it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time

import pytest
from helpers import CORPUS, REPO, run_main
from llm_server import ScriptedLLM

from assistant.answer.llm import STOPPED
from assistant.pipeline import Assistant

QUESTION = "Why does the US block chip exports to China?"
SUPPORTED = (
    "The US blocks the exports to slow China's progress in military or advanced AI applications"
)
DIM = "\x1b[2m"


def llm_environment(assistant: Assistant, llm: ScriptedLLM) -> dict[str, str]:
    """Settings for `chipqa` over the shared corpus index, with the scripted endpoint."""
    return {
        "CHIPQA_CORPUS_DIR": str(CORPUS),
        "CHIPQA_DATA_DIR": str(assistant.settings.data_dir),
        "CHIPQA_LLM_BASE_URL": llm.base_url,
        "CHIPQA_LLM_MODEL": "scripted",
    }


def faq_number(assistant: Assistant) -> int:
    """The passage number the prompt gives the seed's FAQ chunk for QUESTION."""
    hits = assistant.search(QUESTION)
    return next(n for n, h in enumerate(hits, 1) if "To slow China" in h.chunk.text)


def test_ask_prints_the_checked_answer_not_the_model_reply(
    corpus_assistant: Assistant,
    llm: ScriptedLLM,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in llm_environment(corpus_assistant, llm).items():
        monkeypatch.setenv(name, value)
    n = faq_number(corpus_assistant)
    llm.replies.append(f"{SUPPORTED} [{n}]. Huawei also sells pizza ovens across Europe [{n}].")
    run = run_main(["ask", QUESTION, "--answerer", "llm"], monkeypatch, capsys)
    assert run.returncode == 0 and len(llm.requests) == 1
    answer, sources = run.stdout.split("\nSources:\n")
    assert answer.strip() == f"{SUPPORTED} [1]"
    assert "pizza" not in run.stdout
    assert sources.startswith("[1] Can China catch up with the US in chips?")


def _control_terminal() -> None:
    """In the child: make its pseudo-terminal its controlling terminal, so Ctrl-C signals."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """`python -m assistant ARGS` on a pseudo-terminal, as a person at a keyboard runs it."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.fd, child = pty.openpty()
        variables = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100", **env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", *args],
            stdin=child,
            stdout=child,
            stderr=child,
            env=variables,
            start_new_session=True,
            preexec_fn=_control_terminal,
        )
        os.close(child)
        self.output = ""
        self.readable = select.poll()
        self.readable.register(self.fd, select.POLLIN)

    def type(self, text: str) -> None:
        """Type `text` (a control character such as Ctrl-C is sent as the key)."""
        os.write(self.fd, text.encode())

    def wait_for(self, text: str, seconds: float = 120) -> str:
        """All output so far, once it contains `text`."""
        deadline = time.monotonic() + seconds
        while text not in self.output:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} never appeared in {self.output[-2000:]!r}"
            if self.readable.poll(left * 1000):  # poll, unlike select, takes any fd number
                self.output += os.read(self.fd, 65536).decode(errors="replace")
        return self.output

    def close(self) -> int:
        """Wait a little for the program to end (then end it); its exit status."""
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
        finally:
            os.close(self.fd)


@pytest.mark.slow
def test_chat_shows_a_dim_draft_and_ctrl_c_stops_it(
    corpus_assistant: Assistant, llm: ScriptedLLM
) -> None:
    llm.piece_delay_s = 0.1
    llm.replies.append(" ".join(["China keeps building chips [1]."] * 60))  # 30 s unstopped
    terminal = Terminal(["chat", "--answerer", "llm"], llm_environment(corpus_assistant, llm))
    try:
        terminal.wait_for("ChipQA chat.")
        terminal.type(f"{QUESTION}\n")
        drafted = terminal.wait_for("China keeps building")
        assert DIM in drafted.split("Found", 1)[1]
        terminal.type("\x03")  # Ctrl-C
        shown = terminal.wait_for("Sources:")
        after = shown[len(drafted) :]
        assert f"Note: {STOPPED}" in after
        assert "To slow China’s progress in military or advanced AI applications." in after
        (streamed,) = llm.streams
        assert streamed.ended.wait(5) and streamed.hung_up
        assert streamed.written < streamed.total // 2
        terminal.type("/quit\n")
    finally:
        code = terminal.close()
    assert code == 0
