"""The web UI's event handlers: the chat, the `/ask` API and the corpus tab.

A thin shell over `Assistant` and the ingest stage. User mistakes come back as one line
in the page (and one line in the log); only real faults log a traceback.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gradio as gr

import assistant.web.render as render
from assistant.errors import BusyError, ChipQAError, QuestionError
from assistant.pipeline import Assistant
from assistant.settings import MAX_K
from assistant.trust import Trust, trusted
from assistant.types import Answer, Turn
from assistant.uploads import Upload, add_files, remove_upload, trust_upload, uploads
from assistant.web.progress import CANCELLED, Cancelled, UploadProgress
from assistant.web.sources import found_section, sources_section

log = logging.getLogger(__name__)

ALL_DOCUMENTS = "All documents"
STREAM_WORDS = 4  # words added per streamed update
STREAM_PAUSE_S = 0.03
EMPTY_QUESTION = "Type a question about the documents first."
FAILED = "Something went wrong; the details are in the server log."
BUSY = "Another upload or ingest is running; try again when it has finished."
UPLOADS_OFF = "Uploads are turned off on this server."
TRUSTED = "trusted: its claims are cited as its own, and it may supersede curated documents."
UNTRUSTED = "not trusted: its claims are the uploader’s reports."
SCRIPT_NAMES = {
    "CJK": "Chinese",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
}

Update = Any  # a component value, a `gr.update`/component, or `gr.skip()`


@dataclass(frozen=True)
class Conversation:
    """One browser session's chat: rendered messages, each answer's sources, the turns, and
    the answers themselves (for keeping)."""

    messages: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    turns: tuple[Turn, ...] = ()
    answers: tuple[Answer, ...] = ()

    def __hash__(self) -> int:  # Gradio hashes the chat to see whether it changed
        turns = tuple((t["question"], t["answer"]) for t in self.turns)
        return hash((self.messages, self.sections, turns))


class Handlers:
    """The app's event handlers, bound to one assistant."""

    def __init__(self, assistant: Assistant, *, uploads_open: bool = True) -> None:
        self.assistant = assistant
        self.uploads_open = uploads_open
        self._stops: dict[str, threading.Event] = {}  # browser session → its Stop switch
        self._cancels: dict[str, threading.Event] = {}  # browser session → its upload's Cancel

    def respond(
        self,
        message: str,
        chat: Conversation,
        answerer: str,
        k: float,
        source: str,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Update, Conversation, Update, Update, str, Update]]:
        """Stream the answer to `message` into the chat: the passages found first, then the
        text as it is written, then the checked answer with its sources.

        Yields the question box, the conversation, the chat log, the sources panel, the
        hint under the question box and the Stop button, shown while a model writes. The
        box is emptied at once, so the user can type on.
        """
        question = message.strip()
        if not question:
            hint = render.inline_error(EMPTY_QUESTION)
            yield gr.skip(), chat, gr.skip(), gr.skip(), hint, gr.skip()
            return
        limit = self.assistant.settings.max_question_chars
        asked = [*chat.messages, render.user_message(question[:limit])]
        script = foreign_script(question)
        if script:
            reply = (
                f"This question is in {script}; ChipQA reads English only: please ask in English."
            )
            chat = replace(chat, messages=(*asked, render.info_message(reply)))
            yield "", chat, render.conversation(chat.messages), gr.skip(), "", gr.skip()
            return
        writes = answerer != "extractive"
        session = request.session_hash if request and writes else None
        stop = threading.Event()
        if session:
            self._stops[session] = stop
        pending = render.sources_panel(chat.sections, pending=True)
        log_html = render.conversation([*asked, render.pending_message("")])
        yield "", chat, log_html, pending, "", _stop_button(shown=True) if writes else gr.skip()
        try:
            for shown, log_html, panel, button in self._answer(
                question, asked, chat, answerer, k, source, stop
            ):
                yield gr.skip(), shown, log_html, panel, gr.skip(), button
        except Exception as error:
            failed = render.info_message(f"Error: {_explain(error)}", "error")
            chat = replace(chat, messages=(*asked, failed))
            panel = render.sources_panel(chat.sections)
            yield (
                gr.skip(),
                chat,
                render.conversation(chat.messages),
                panel,
                "",
                _stop_button(shown=False),
            )
        finally:
            if session and self._stops.get(session) is stop:
                del self._stops[session]

    def stop(self, request: gr.Request) -> Update:
        """Stop the answer this browser session's model is writing; the Stop button says so."""
        return _switch(self._stops, request, "Stopping…")

    def _answer(
        self,
        question: str,
        asked: list[str],
        chat: Conversation,
        answerer: str,
        k: float,
        source: str,
        stop: threading.Event,
    ) -> Iterator[tuple[Conversation, str, Update, Update]]:
        """The conversation, chat log, sources panel and Stop button as the answer comes:
        the passages found, an LLM's text as it streams (an extractive answer a few words
        at a time), then the answer with its sources, and the button hidden."""
        only = None if source == ALL_DOCUMENTS else source
        options = {"k": int(k), "answerer": answerer, "source": only}
        text = ""
        for event in self.assistant.stream(question, list(chat.turns), stop=stop, **options):
            if isinstance(event, list):
                found = found_section(question, event, uploads(self.assistant.settings))
                status = f"Found {len(event)} passages; writing the answer…"
                log_html = render.conversation([*asked, render.pending_message("", status)])
                yield chat, log_html, render.sources_panel(chat.sections, True, found), gr.skip()
            elif isinstance(event, str) and answerer != "extractive":
                text += event
                log_html = render.conversation([*asked, render.pending_message(text)])
                yield chat, log_html, gr.skip(), gr.skip()
            elif isinstance(event, Answer):
                for prefix in [] if text else _word_prefixes(event.text):
                    pending = render.pending_message(prefix)
                    yield chat, render.conversation([*asked, pending]), gr.skip(), gr.skip()
                    time.sleep(STREAM_PAUSE_S)
                chat = self._answered(chat, asked, event)
                log_html = render.conversation(chat.messages)
                yield chat, log_html, render.sources_panel(chat.sections), _stop_button(shown=False)

    def _answered(self, chat: Conversation, asked: list[str], answer: Answer) -> Conversation:
        """The conversation with `answer` added: the question as it was used, the answer
        with its markers linked, and its sources."""
        number = len(chat.sections) + 1
        files = uploads(self.assistant.settings)
        messages = (
            *asked[:-1],
            render.user_message(answer.question),
            render.answer_message(answer, number, files),
        )
        sections = (*chat.sections, sources_section(answer, number, files))
        turn = Turn(question=answer.question, answer=answer.text)
        return Conversation(messages, sections, (*chat.turns, turn), (*chat.answers, answer))

    def ask(self, question: str, history: str = "[]", k: int = 0) -> dict[str, Any]:
        """Answer `question` as `chipqa ask --json` does.

        Args:
            question: The question.
            history: Earlier turns as a JSON list of {"question", "answer"} objects.
            k: Passages to use (0: the configured default).
        """
        try:
            if not isinstance(question, str):
                raise QuestionError("the question must be text")
            turns = _parse_history(history)
            return self.assistant.ask(question, turns, k=_passages(k)).to_dict()
        except Exception as error:
            raise gr.Error(_explain(error), print_exception=False) from error

    def corpus(self) -> tuple[str, Update, str, Update]:
        """The documents table (newest uploads first), the chat's document filter, a
        summary, and the uploads that can be deleted."""
        files, trust = uploads(self.assistant.settings), trusted(self.assistant.settings)
        docs = sorted(
            self.assistant.documents(),
            key=lambda d: -files[d.source].uploaded.timestamp() if d.source in files else 0,
        )
        neutral = render.neutral
        table = render.documents_table(
            [
                d.title,
                str(d.meta.get("date", "undated")),
                str(d.chunks),
                _origin(files.get(d.source), trust.get(d.source)),
                d.source,
            ]
            for d in docs
        )
        choices = [(ALL_DOCUMENTS, ALL_DOCUMENTS)] + [(neutral(d.title), d.source) for d in docs]
        deletable = [
            (neutral(f"{d.title} ({files[d.source].name})"), d.source)
            for d in docs
            if d.source in files
        ]
        summary = f"**{len(docs)} documents**, {sum(d.chunks for d in docs)} passages indexed."
        return (
            table,
            gr.Dropdown(choices=choices),
            summary,
            gr.Dropdown(choices=deletable, value=None),
        )

    def upload(
        self,
        files: list[str] | None,
        request: gr.Request | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a bar)
    ) -> Iterator[tuple[Update, Update, Update, Update, Update, None]]:
        """Add uploaded files to the corpus and say, file by file, what happened; the
        browser session's Cancel stops it and keeps none of them. The drop zone is emptied
        at once, ready for the next upload."""
        if not self.uploads_open:
            yield (render.status_list([(False, UPLOADS_OFF)]), *self.corpus(), None)
            return
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
        session, cancel = request.session_hash if request else None, threading.Event()
        if session:
            self._cancels[session] = cancel
        paths = [Path(f) for f in files or []]
        shown = UploadProgress(progress, len(paths), self.assistant.embedder, cancel)
        try:
            added = add_files(self.assistant, paths, shown)
            lines = [(a.ok, f"{a.name}: {a.message}") for a in added]
        except Cancelled:
            lines = [(False, CANCELLED)]
        except Exception as error:
            lines = [(False, _explain(error))]
        finally:
            if session and self._cancels.get(session) is cancel:
                del self._cancels[session]
        yield (render.status_list(lines), *self.corpus(), None)

    def cancel_upload(self, request: gr.Request) -> Update:
        """Cancel the upload this browser session is indexing; the button says so."""
        return _switch(self._cancels, request, "Cancelling…")

    def cancel_button(self, request: gr.Request) -> Update:
        """The Cancel button once an upload is over: hidden, unless this browser session
        has another one running."""
        running = (request.session_hash or "") in self._cancels
        return gr.update(visible=running, value="Cancel upload", interactive=True)

    def trust_state(self, source: str | None) -> Update:
        """The trust switch for the chosen upload: on when someone trusts it."""
        chosen = bool(source) and source in trusted(self.assistant.settings)
        return gr.update(value=chosen, interactive=bool(source))

    def trust(
        self, source: str | None, on: bool, request: gr.Request
    ) -> tuple[str, str, Update, str]:
        """Trust the chosen upload as a source, or stop, recorded with who did it."""
        lines = [(False, UPLOADS_OFF)] if not self.uploads_open else []
        if not lines and not source:
            lines = [(False, "Pick a document.")]
        elif not lines and source:
            try:
                trust_upload(self.assistant, source, request.username or "the operator", on)
                lines = [(True, f"{Path(source).name}: {TRUSTED if on else UNTRUSTED}")]
            except Exception as error:
                lines = [(False, _explain(error))]
        table, documents, summary, _ = self.corpus()
        return render.status_list(lines), table, documents, summary

    def confirm_delete(self, source: str | None) -> tuple[Update, str, str]:
        """Ask before deleting: the confirmation row, its question, and the status line."""
        if not source:
            return gr.update(visible=False), "", render.status_list([(False, "Pick a document.")])
        title = next((d.title for d in self.assistant.documents() if d.source == source), source)
        question = f"Delete “{title}”? Its file is removed and answers stop citing it."
        return gr.update(visible=True), render.paragraph(question), ""

    def delete(self, source: str | None) -> tuple[str, str, Update, str, Update, Update]:
        """Delete an uploaded document from the corpus and the index."""
        lines = [(False, UPLOADS_OFF)] if not self.uploads_open else []
        if source and not lines:
            try:
                remove_upload(self.assistant, source)
                lines = [(True, f"{Path(source).name}: deleted; answers no longer cite it.")]
            except Exception as error:
                lines = [(False, _explain(error))]
        return (render.status_list(lines), *self.corpus(), gr.update(visible=False))


def _origin(upload: Upload | None, trust: Trust | None) -> str:
    """Where a document comes from, for the documents table."""
    if upload is None:
        return "corpus"
    trusted_by = f", trusted by {trust.by}" if trust else ""
    return f"uploaded {upload.uploaded:%Y-%m-%d %H:%M} UTC{trusted_by}"


def _switch(switches: dict[str, threading.Event], request: gr.Request, label: str) -> Update:
    """Set this browser session's switch, if it has one; its button then reads `label`."""
    switch = switches.get(request.session_hash or "")
    if switch is None:
        return gr.skip()
    switch.set()
    return gr.update(value=label, interactive=False)


def _stop_button(shown: bool) -> Update:
    """The Stop button ready to use, or hidden (a new update each time: Gradio consumes it)."""
    return gr.update(visible=shown, value="Stop", interactive=True)


def foreign_script(text: str) -> str | None:
    """The script most of `text`'s letters are written in, when it is not Latin (the
    embedding model reads English), else None."""
    scripts = Counter(unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha())
    if not scripts:
        return None
    script, count = scripts.most_common(1)[0]
    if script == "LATIN" or count * 2 <= sum(scripts.values()):
        return None
    return SCRIPT_NAMES.get(script, script.title())


def _explain(error: Exception) -> str:
    """One line for the user; user errors are logged in one line, faults in full."""
    if isinstance(error, BusyError):
        log.warning("busy: %s", error)
        return BUSY
    if isinstance(error, ChipQAError):
        line = (str(error) or type(error).__name__).splitlines()[0]
        log.warning("user error: %s", line)
        return line
    log.error("unexpected error in the UI", exc_info=error)
    return FAILED


def _passages(k: object) -> int | None:
    """`/ask`'s k as passages to read (None: the default); raises `QuestionError` unless it
    is a whole number from 0 to `MAX_K`."""
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= MAX_K:
        raise QuestionError(f"k must be a whole number between 1 and {MAX_K} (0: the default)")
    return k or None


def _parse_history(history: object) -> list[Turn]:
    """Earlier turns from JSON; raises `QuestionError` when the shape is wrong."""
    try:
        turns = json.loads(history or "[]") if isinstance(history, str) else None
    except (json.JSONDecodeError, RecursionError):
        turns = None
    if not isinstance(turns, list) or not all(
        isinstance(t, dict) and isinstance(t.get("question"), str) for t in turns
    ):
        raise QuestionError('history must be a JSON list of {"question", "answer"} objects')
    return [Turn(question=t["question"], answer=str(t.get("answer", ""))) for t in turns]


def _word_prefixes(text: str) -> Iterator[str]:
    """Growing prefixes of `text`, a few words longer each time (the whole text excluded)."""
    ends = [match.end() for match in re.finditer(r"\S+", text)]
    for i in range(STREAM_WORDS - 1, len(ends) - 1, STREAM_WORDS):
        yield text[: ends[i]]
