"""Answers in the terminal: `chipqa ask`'s text output and the `chipqa chat` conversation.

A chat turn is answered exactly as the web UI answers it: the question with the earlier
turns (each the question as used and the answer's text), then the answer with its sources.
What is printed is always the checked answer; on a terminal, an LLM's draft is shown dimmed
while it is written (Ctrl-C stops it) and then gives way to that answer.
"""

from __future__ import annotations

import signal
import sys
import textwrap
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from assistant.errors import ChipQAError
from assistant.types import Answer, Citation, Turn

if TYPE_CHECKING:
    from assistant.pipeline import Assistant

HELP = (
    "Ask about the documents; /sources shows the last answer's passages, /good or /bad marks "
    "it (/bad N: its source [N] does not say that), /quit leaves."
)
NO_ANSWER_YET = "No answer yet: ask a question first."
QUOTE_OPEN, QUOTE_CLOSE = "»", "«"
INSTRUCTION_OPEN = "[instruction in the document, not a claim; never followed: "
STOP_HINT = "(Ctrl-C stops it)"


def format_answer(answer: Answer) -> str:
    """The answer, then its numbered sources (or related reading when abstaining)."""
    lines = [answer.text]
    if answer.notice:
        lines.append(f"Note: {answer.notice}")
    label = "Related reading" if answer.abstained else "Sources"
    cited = _cited(answer)
    if cited:
        lines.append(f"\n{label}:")
    for c in cited:
        lines.append(f"[{c.n}] {_where(c)}\n    “{' '.join(c.quote.split())}”")
        if c.sources:
            lines.append(f"    sources: {'; '.join(c.sources)}")
    return "\n".join(lines)


def format_sources(answer: Answer) -> str:
    """Each passage the answer cites, whole, with the quoted words between » and «."""
    blocks = []
    for c in _cited(answer):
        heading = f"[{c.n}] {_where(c)}: {c.source}, characters {c.start}–{c.end}"
        body = textwrap.indent(textwrap.fill(_marked(c), width=96), "    ")
        blocks.append(f"{heading}\n{body}")
    return "\n\n".join(blocks) or "The last answer cites no passage."


def chat(
    assistant: Assistant,
    lines: Iterable[str],
    *,
    k: int | None = None,
    answerer: str | None = None,
    source: str | None = None,
) -> None:
    """Answer each line as a follow-up of the ones before; `/sources`, `/good`, `/bad` and
    `/quit` too.

    A mistake (an empty index, an unreachable endpoint) is one line on stderr, and the
    conversation goes on.
    """
    history: list[Turn] = []
    last: Answer | None = None
    for line in lines:
        text = line.strip()
        if text in ("/quit", "/exit"):
            return
        if text == "/sources":
            print(format_sources(last) if last else NO_ANSWER_YET)
        elif text.partition(" ")[0] in ("/good", "/bad") and last:
            try:
                print(_marked_answer(assistant, last, history[:-1], text))
            except ChipQAError as error:
                print(f"chipqa: error: {error}", file=sys.stderr)
        elif text.partition(" ")[0] in ("/good", "/bad"):
            print(NO_ANSWER_YET)
        elif text.startswith("/"):
            print(HELP)
        elif text:
            try:
                last = answer(assistant, text, history, k=k, answerer=answerer, source=source)
            except ChipQAError as error:
                print(f"chipqa: error: {error}", file=sys.stderr)
                continue
            history.append(Turn(question=last.question, answer=last.text))
            print(format_answer(last) + "\n")


def answer(
    assistant: Assistant, question: str, history: list[Turn] | None = None, **options: Any
) -> Answer:
    """`assistant.ask`; on a terminal, an LLM's draft shows dimmed in place while it is
    written, and Ctrl-C stops it (the extractive answer then comes, with a note).

    Args:
        assistant: The assistant to ask.
        question: The question.
        history: Earlier turns, for a follow-up.
        **options: `k`, `answerer` and `source`, as `ask` takes them.
    """
    name = options.get("answerer") or assistant.settings.answerer
    if name == "extractive" or not sys.stdout.isatty():
        return assistant.ask(question, history, **options)
    console = Console()
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    draft = f"Searching the documents… {STOP_HINT}\n"
    try:
        with Live(console=console, transient=True, refresh_per_second=8) as live:
            events = assistant.stream(question, history, stop=stop, **options)
            while not isinstance(event := next(events), Answer):
                if isinstance(event, list):
                    draft = f"Found {len(event)} passages; writing… {STOP_HINT}\n"
                else:
                    draft += event
                tail = draft[-console.width * max(console.height // 2, 1) :]
                live.update(Text(tail, style="dim"))
    finally:
        signal.signal(signal.SIGINT, previous)
    return event


def typed_lines() -> Iterator[str]:
    """Lines from standard input, with a prompt when a person is typing them."""
    prompt = "> " if sys.stdin.isatty() else ""
    if prompt:
        print(f"ChipQA chat. {HELP}")
    while True:
        try:
            yield input(prompt)
        except EOFError:
            return


def _marked_answer(assistant: Assistant, last: Answer, earlier: list[Turn], command: str) -> str:
    """Record `/good`, `/bad` or `/bad N` on the last answer as a test; says what was kept."""
    from assistant.keep.feedback import Verdict, feedback_path, record

    verdict, _, number = command.partition(" ")
    if number.strip() and not number.strip().isdigit():
        return HELP
    wrong = int(number) if number.strip() else None
    kind: Verdict = "good" if verdict == "/good" else "bad"
    item = record(assistant.settings, last, earlier, kind, wrong)
    return f"Recorded as {item.id} in {feedback_path(assistant.settings)}."


def _cited(answer: Answer) -> list[Citation]:
    return answer.related if answer.abstained else answer.citations


def _where(c: Citation) -> str:
    section = f", {c.section}" if c.section else ""
    if c.uploaded:
        said = f"titled “{c.title}” and dated {c.date} by the uploader"
        trusted = " trusted as a source," if c.trusted else ""
        return f"an uploaded document,{trusted} {said}{section}"
    return f"{c.title} ({c.date}){section}"


def _marked(c: Citation) -> str:
    """The citation's passage with its quote marked, and each instruction to the reader in
    it labelled (the quote alone without a passage)."""
    low, high = c.start - c.passage_start, c.end - c.passage_start
    if c.passage[low:high] != c.quote:
        return c.quote
    marks = [(low, high, QUOTE_OPEN, QUOTE_CLOSE)]
    marks += [
        (a - c.passage_start, b - c.passage_start, INSTRUCTION_OPEN, "]") for a, b in c.instructions
    ]
    parts, cursor = [], 0
    for start, end, opening, closing in sorted(marks):
        parts += [c.passage[cursor:start], opening, c.passage[start:end], closing]
        cursor = end
    return "".join([*parts, c.passage[cursor:]])
