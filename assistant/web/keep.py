"""The chat's tools for keeping an answer: download its evidence file (JSON or Markdown),
mark it 👍 or 👎, or mark one of its sources as not saying what the answer says (each mark
becomes a test in the data folder's feedback file)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

import assistant.web.render as render
from assistant.keep.evidence import keep, markdown
from assistant.keep.feedback import Verdict, record
from assistant.keep.files import write_atomic
from assistant.web.handlers import Conversation, Handlers, _explain

NO_ANSWER = "Ask a question first."
PICK_SOURCE = "Pick the source that does not say it."


@dataclass(frozen=True)
class KeepTools:
    """The components under the chat that act on one answer."""

    row: gr.Column
    answer: gr.Dropdown
    download: gr.DownloadButton
    markdown: gr.DownloadButton
    good: gr.Button
    bad: gr.Button
    wrong: gr.Dropdown
    mark: gr.Button
    status: gr.HTML

    @property
    def filled(self) -> list[Any]:
        """What `choose` fills when an answer is picked or given."""
        return [self.row, self.answer, self.download, self.markdown, self.wrong]


def keep_tools() -> KeepTools:
    """Lay out the tools (hidden until there is an answer)."""
    with gr.Column(visible=False, elem_id="keep") as row:
        with gr.Row(equal_height=True):
            answer = gr.Dropdown([], label="Answer", scale=3, elem_id="keep-answer")
            download = gr.DownloadButton("Download evidence", scale=1, elem_id="download")
            as_markdown = gr.DownloadButton("Markdown", scale=1, elem_id="download-md")
            good = gr.Button("👍 Good", scale=0, min_width=96, elem_id="good")
            bad = gr.Button("👎 Bad", scale=0, min_width=96, elem_id="bad")
        with gr.Row(equal_height=True):
            wrong = gr.Dropdown([], label="This source does not say that", scale=3, elem_id="wrong")
            mark = gr.Button("Mark it", scale=1, elem_id="wrong-mark")
        status = gr.HTML(js_on_load=None, elem_id="keep-status")
    return KeepTools(row, answer, download, as_markdown, good, bad, wrong, mark, status)


def wire_keep(ui: Handlers, tools: KeepTools, chat: gr.State, answered: list[Any]) -> None:
    """Fill the tools after each answer (`answered`: the events that give one), and act."""
    folder = Path(tempfile.mkdtemp(prefix="chipqa-evidence-"))

    def choose(conversation: Conversation, number: int | None = None) -> list[Any]:
        if not conversation.answers:
            return [gr.update(visible=False), gr.update(choices=[]), None, None, gr.update()]
        count = len(conversation.answers)
        n = number if number and 1 <= number <= count else count
        answer = conversation.answers[n - 1]
        evidence = keep(ui.assistant, answer, conversation.turns[: n - 1])
        stem = folder / f"{evidence.checksum[:16]}" / f"chipqa-answer-{n}"
        write_atomic(stem.with_suffix(".json"), evidence.to_json())
        write_atomic(stem.with_suffix(".md"), markdown(evidence))
        questions = [(f"{i}. {a.question}", i) for i, a in enumerate(conversation.answers, 1)]
        sources = [(f"[{c.n}] {c.title}: “{c.quote[:80]}”", c.n) for c in answer.citations]
        return [
            gr.update(visible=True),
            gr.update(choices=questions, value=n),
            str(stem.with_suffix(".json")),
            str(stem.with_suffix(".md")),
            gr.update(choices=sources, value=None),
        ]

    def marked(
        conversation: Conversation, number: int | None, verdict: Verdict, wrong: int | None
    ) -> str:
        if not conversation.answers or not number:
            return render.status_list([(False, NO_ANSWER)])
        try:
            history = conversation.turns[: number - 1]
            item = record(
                ui.assistant.settings, conversation.answers[number - 1], history, verdict, wrong
            )
        except Exception as error:
            return render.status_list([(False, _explain(error))])
        what = f"source [{wrong}] marked as not saying it" if wrong else f"marked {verdict}"
        return render.status_list([(True, f"Answer {number}: {what}; kept as test {item.id}.")])

    def marked_source(conversation: Conversation, number: int | None, wrong: int | None) -> str:
        if wrong is None:
            return render.status_list([(False, PICK_SOURCE)])
        return marked(conversation, number, "bad", wrong)

    quiet: dict[str, Any] = {"show_progress": "hidden", "api_visibility": "private"}
    for event in answered:
        event.then(choose, chat, tools.filled, **quiet)
    tools.answer.input(choose, [chat, tools.answer], tools.filled, **quiet)
    for button, verdict in ((tools.good, "good"), (tools.bad, "bad")):
        button.click(
            lambda c, n, v=verdict: marked(c, n, v, None),
            [chat, tools.answer],
            tools.status,
            api_visibility="private",
        )
    tools.mark.click(
        marked_source, [chat, tools.answer, tools.wrong], tools.status, api_visibility="private"
    )
