"""The web UI: chat with cited answers, a sources panel, and the corpus with uploads.

A thin shell over `Assistant`: answers come from `Assistant.ask`, index changes from
`Assistant.ingest`. Text from documents or a model is HTML-escaped before it is shown and
the chatbot renders no Markdown, so a document cannot put markup, scripts, remote images or
links into the page.
"""

import html
import json
import logging
import queue
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import gradio as gr

from assistant.errors import ChipQAError, ConfigError, QuestionError
from assistant.followup import Turn
from assistant.ingest import IngestReport, source_key
from assistant.pipeline import Assistant
from assistant.types import Answer
from assistant.ui_render import (
    CSS,
    INTRO_PANEL,
    SEARCHING_PANEL,
    bubble,
    sources_html,
    status_html,
)

log = logging.getLogger(__name__)

EXAMPLES = (
    "Can China already beat the US in chip tech?",
    "How important is DeepSeek?",
    "Why does the US block chip exports to China?",
    "Will software/usability be a problem for Chinese chips?",
    "How long until China is independent in chip tech?",
)
ALL_DOCUMENTS = "All documents"
UPLOAD_TYPES = (".txt", ".md", ".html", ".pdf")
UPLOAD_FOLDER = "uploads"
CONCURRENCY = 4  # extractive answers take ~50 ms of CPU; LLM answers mostly wait on the network
QUEUE_SIZE = 64
MAX_K = 50  # the largest `k` the settings accept
STREAM_WORDS = 4  # words added per streamed update
STREAM_PAUSE_S = 0.03
FAILED = "Something went wrong; the details are in the server log."
LLM_INFO = "extractive quotes the documents; llm writes a fluent answer, still cited"
NO_LLM_INFO = "Set CHIPQA_LLM_BASE_URL and CHIPQA_LLM_MODEL to offer LLM answers too."

HEADER = (
    "## ChipQA\n"
    "Cited answers about the US–China AI-chip race. Every sentence of an answer cites the "
    "passage it rests on, shown under **Sources**; when the documents do not answer, ChipQA "
    "says so."
)
PLACEHOLDER = (
    "**Ask about chip parity, export controls, Nvidia's China chips, Huawei or DeepSeek**"
    "<br>or pick an example question below."
)


class Handlers:
    """The app's event handlers, bound to one assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def respond(
        self,
        message: str,
        chat: list[dict[str, Any]],
        turns: list[Turn],
        answerer: str,
        k: float,
        source: str,
    ) -> Iterator[tuple[Any, list[dict[str, Any]], list[Turn], str]]:
        """Stream the answer to `message` into the chat and show its sources beside it.

        The question box is emptied once, so the user can type the next question meanwhile.
        """
        question = message.strip()
        if not question:
            raise gr.Error("Type a question about the documents first.")
        user = _message("user", html.escape(question, quote=False))
        chat = [*chat, user, _message("assistant", "…")]
        yield "", chat, turns, SEARCHING_PANEL
        only = None if source == ALL_DOCUMENTS else source
        try:
            for text, answer in self._stream(question, turns, answerer, int(k), only):
                chat[-1] = _message("assistant", bubble(text, answer))
                if answer is None:
                    yield gr.skip(), chat, turns, SEARCHING_PANEL
                else:
                    turn = Turn(question=answer.question, answer=answer.text)
                    yield gr.skip(), chat, [*turns, turn], sources_html(answer)
        except Exception as error:
            chat[-1] = _message("assistant", html.escape(f"Error: {_explain(error)}", quote=False))
            yield gr.skip(), chat, turns, INTRO_PANEL

    def _stream(
        self, question: str, turns: list[Turn], answerer: str, k: int, source: str | None
    ) -> Iterator[tuple[str, Answer | None]]:
        """Yield the growing answer text, then the whole text with its `Answer`."""
        events: queue.SimpleQueue[str | Answer | Exception] = queue.SimpleQueue()
        tokens = events.put if answerer == "llm" else None

        def work() -> None:
            try:
                events.put(
                    self.assistant.ask(
                        question, turns, k=k, answerer=answerer, source=source, on_token=tokens
                    )
                )
            except Exception as error:
                events.put(error)

        threading.Thread(target=work, daemon=True).start()
        text = ""
        while not isinstance(event := events.get(), Answer):
            if isinstance(event, Exception):
                raise event
            text += event
            yield text, None
        if not text:
            for prefix in _word_prefixes(event.text):
                yield prefix, None
                time.sleep(STREAM_PAUSE_S)
        yield event.text, event

    def ask(self, question: str, history: str = "[]", k: int = 0) -> dict[str, Any]:
        """Answer `question` as `chipqa ask --json` does.

        Args:
            question: The question.
            history: Earlier turns as a JSON list of {"question", "answer"} objects.
            k: Passages to use (0: the configured default).
        """
        try:
            if not 0 <= k <= MAX_K:
                raise QuestionError(f"k must be between 1 and {MAX_K} (0: the default)")
            turns = _parse_history(history)
            return self.assistant.ask(question, turns, k=k or None).to_dict()
        except Exception as error:
            raise gr.Error(_explain(error)) from error

    def corpus(self) -> tuple[list[list[Any]], Any, str]:
        """The documents table, the source filter's choices and a one-line summary."""
        docs = self.assistant.documents()
        rows = [[d.title, str(d.meta.get("date", "undated")), d.chunks, d.source] for d in docs]
        choices = [(ALL_DOCUMENTS, ALL_DOCUMENTS)] + [(d.title, d.source) for d in docs]
        summary = f"**{len(docs)} documents**, {sum(d.chunks for d in docs)} passages indexed."
        return rows, gr.Dropdown(choices=choices), summary

    def upload(
        self,
        files: list[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a bar)
    ) -> tuple[str, list[list[Any]], Any, str, None]:
        """Copy uploaded files into the corpus, index them, and say what happened."""
        if self.assistant.ingest_lock.locked():
            raise gr.Error("Another upload is being indexed; try again when it has finished.")
        settings = self.assistant.settings
        lines: list[str] = []
        placed: list[_Placed] = []
        try:
            for upload in map(Path, files or []):
                reason = _rejection(upload, settings.max_upload_mb)
                if reason:
                    lines.append(f"{upload.name}: {reason}")
                else:
                    placed.append(_Placed.copy(upload, settings.corpus_dir / UPLOAD_FOLDER))
            if placed:
                targets = [p.target for p in placed]
                report = self.assistant.ingest(targets, progress=_IngestProgress(progress))
                lines += _outcomes(placed, report, settings.corpus_dir)
        except Exception as error:
            for p in placed:
                p.undo()
            raise gr.Error(html.escape(_explain(error))) from error
        return (status_html(lines), *self.corpus(), None)


@dataclass(frozen=True)
class _Placed:
    """An upload copied into the corpus, with what it replaced (to undo a failure)."""

    target: Path
    previous: bytes | None

    @classmethod
    def copy(cls, upload: Path, folder: Path) -> Self:
        """Copy `upload` into `folder` under a safe file name."""
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", upload.stem).strip("_") or "upload"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{stem}{upload.suffix.lower()}"
        previous = target.read_bytes() if target.exists() else None
        shutil.copyfile(upload, target)
        return cls(target, previous)

    def undo(self) -> None:
        """Remove the copy, or put back the file it replaced."""
        if self.previous is None:
            self.target.unlink(missing_ok=True)
        else:
            self.target.write_bytes(self.previous)


class _IngestProgress:
    """Forwards ingest events to a Gradio progress bar."""

    def __init__(self, bar: gr.Progress) -> None:
        self.bar = bar
        self.file = ""
        self.embedded = 0

    def __call__(self, event: str, detail: object) -> None:
        if event == "file":
            self.file = Path(str(detail)).name
        elif isinstance(detail, int):
            self.embedded += detail
        self.bar((self.embedded, None), desc=f"Indexing {self.file}", unit="texts embedded")


def _rejection(upload: Path, max_mb: int) -> str | None:
    """Why an upload is refused (type or size), or None."""
    if upload.suffix.lower() not in UPLOAD_TYPES:
        return f"not accepted: upload {', '.join(UPLOAD_TYPES)} files"
    if upload.stat().st_size > max_mb * 1024 * 1024:
        return f"larger than the {max_mb} MB limit"
    return None


def _outcomes(placed: list[_Placed], report: IngestReport, corpus_dir: Path) -> list[str]:
    """One line per placed file; files the ingest skipped are taken out of the corpus again."""
    indexed = {*report.added, *report.updated}
    lines = []
    for p in placed:
        source = source_key(p.target, corpus_dir)
        if source in indexed:
            lines.append(f"{p.target.name}: indexed — ask about it in the Chat tab.")
        elif source in report.unchanged:
            lines.append(f"{p.target.name}: already indexed, unchanged.")
        else:
            p.undo()
    return lines + report.skipped


def _parse_history(history: str) -> list[Turn]:
    """Earlier turns from JSON; raises `QuestionError` when the shape is wrong."""
    try:
        turns = json.loads(history or "[]")
    except json.JSONDecodeError:
        turns = None
    if not isinstance(turns, list) or not all(
        isinstance(t, dict) and isinstance(t.get("question"), str) for t in turns
    ):
        raise QuestionError('history must be a JSON list of {"question", "answer"} objects')
    return [Turn(question=t["question"], answer=str(t.get("answer", ""))) for t in turns]


def _explain(error: Exception) -> str:
    """One line for the user; unexpected errors go to the log in full."""
    if isinstance(error, ChipQAError):
        return (str(error) or type(error).__name__).splitlines()[0]
    log.error("unexpected error in the UI", exc_info=error)
    return FAILED


def _word_prefixes(text: str) -> Iterator[str]:
    """Growing prefixes of `text`, a few words longer each time (the whole text excluded)."""
    ends = [match.end() for match in re.finditer(r"\S+", text)]
    for i in range(STREAM_WORDS - 1, len(ends) - 1, STREAM_WORDS):
        yield text[: ends[i]]


def _message(role: str, content: str) -> dict[str, Any]:
    return {"role": role, "content": content}


def _cleared() -> tuple[str, list[dict[str, Any]], list[Turn], str]:
    return "", [], [], INTRO_PANEL


def _chat_tab(ui: Handlers) -> gr.Dropdown:
    """The chat, its settings and the sources panel; returns the source filter."""
    settings = ui.assistant.settings
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Conversation",
                height=460,
                render_markdown=False,
                latex_delimiters=[],
                allow_tags=False,
                feedback_options=None,
                buttons=["copy", "copy_all"],
                placeholder=PLACEHOLDER,
                elem_id="chat",
            )
            with gr.Row():
                question = gr.Textbox(
                    show_label=False,
                    placeholder="Ask a question about the documents…",
                    scale=6,
                    container=False,
                    autofocus=True,
                    elem_id="question",
                )
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
                clear = gr.Button("Clear", scale=1, min_width=80, elem_id="clear")
            examples = gr.Examples(
                [[q] for q in EXAMPLES],
                inputs=question,
                label="Example questions",
                api_visibility="private",
            )
            with gr.Accordion("Settings", open=False, elem_id="settings"):
                answerer = gr.Radio(
                    ["extractive", "llm"] if settings.llm_configured else ["extractive"],
                    value=settings.answerer,
                    label="Answerer",
                    info=LLM_INFO if settings.llm_configured else NO_LLM_INFO,
                    elem_id="answerer",
                )
                k = gr.Slider(
                    1, 20, value=min(settings.k, 20), step=1, label="Passages to read (k)"
                )
                source = gr.Dropdown(
                    [ALL_DOCUMENTS], value=ALL_DOCUMENTS, label="Only this document"
                )
        with gr.Column(scale=2):
            sources = gr.HTML(INTRO_PANEL, js_on_load=None, elem_id="sources")
    turns = gr.State([])
    inputs = [question, chatbot, turns, answerer, k, source]
    outputs = [question, chatbot, turns, sources]
    gr.on([question.submit, ask.click], ui.respond, inputs, outputs, api_visibility="private")
    examples.load_input_event.then(ui.respond, inputs, outputs, api_visibility="private")
    gr.on(
        [clear.click, chatbot.clear],
        _cleared,
        outputs=outputs,
        queue=False,
        api_visibility="private",
    )
    return source


def _corpus_tab(ui: Handlers, source: gr.Dropdown) -> tuple[gr.Dataframe, gr.Markdown]:
    """The indexed documents and the upload control; returns the table and its summary."""
    summary = gr.Markdown(elem_id="corpus-summary")
    upload = gr.File(
        label=f"Add documents: {', '.join(UPLOAD_TYPES)}, up to "
        f"{ui.assistant.settings.max_upload_mb} MB each",
        file_count="multiple",
        file_types=list(UPLOAD_TYPES),
        height=150,
        elem_id="upload",
    )
    status = gr.HTML(js_on_load=None, elem_id="upload-status")
    table = gr.Dataframe(
        headers=["Title", "Date", "Passages", "Source"],
        interactive=False,
        wrap=True,
        latex_delimiters=[],
        label="Indexed documents",
        elem_id="documents",
    )
    upload.upload(
        ui.upload,
        inputs=upload,
        outputs=[status, table, source, summary, upload],
        api_visibility="private",
    )
    return table, summary


def build_app(assistant: Assistant) -> gr.Blocks:
    """The ChipQA web app over an already-built assistant (not yet launched)."""
    ui = Handlers(assistant)
    with gr.Blocks(title="ChipQA", analytics_enabled=False) as app:
        gr.Markdown(HEADER)
        with gr.Tabs():
            with gr.Tab("Chat", elem_id="chat-tab"):
                source = _chat_tab(ui)
            with gr.Tab("Corpus", elem_id="corpus-tab"):
                table, summary = _corpus_tab(ui, source)
        gr.api(ui.ask, api_name="ask")
        app.load(ui.corpus, outputs=[table, source, summary], api_visibility="private")
    return app


def _credentials(auth: str | None) -> tuple[str, str] | None:
    """`user:password` as a pair; raises `ConfigError` for any other shape."""
    if auth is None:
        return None
    user, colon, password = auth.partition(":")
    if not (user and colon and password):
        raise ConfigError("CHIPQA_AUTH must look like user:password")
    return user, password


def _theme() -> gr.themes.Base:
    """Gradio's default look in blue, without a semibold face (the bundled one lacks most
    glyphs, so headings would mix fonts); 600-weight text uses the bold face instead."""
    font = gr.themes.LocalFont("Source Sans Pro", weights=(400, 700))
    return gr.themes.Default(
        primary_hue="blue",
        neutral_hue="slate",
        font=[font, "ui-sans-serif", "system-ui", "sans-serif"],
    )


def serve(assistant: Assistant, *, block: bool = True) -> gr.Blocks:
    """Serve the app on `settings.host:settings.port` (loopback by default).

    With `block=False` the server runs in a background thread and the app is returned at
    once; stop it with `app.close()`.
    """
    settings = assistant.settings
    app = build_app(assistant)
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    app.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=_credentials(settings.auth),
        max_file_size=f"{settings.max_upload_mb}mb",
        prevent_thread_lock=not block,
        footer_links=["api", "settings"],
        theme=_theme(),
        css=CSS,
        quiet=not block,
    )
    return app
