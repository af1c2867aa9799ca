"""The web app: a chat with cited answers beside their sources, and the corpus with uploads.

Text from documents or a model is HTML-escaped before it is shown (see `render`), so a
document cannot put markup, scripts, remote images or links into the page.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import partial
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

import assistant.web.render as render
import assistant.web.stored as stored
from assistant.answer.table import ANSWERERS
from assistant.errors import ConfigError
from assistant.pipeline import Assistant
from assistant.settings import Settings
from assistant.uploads import UPLOAD_TYPES
from assistant.web.assets import CSS, LOG_JS, page_js
from assistant.web.guard import Guard
from assistant.web.handlers import ALL_DOCUMENTS, Conversation, Handlers
from assistant.web.keep import keep_tools, wire_keep
from assistant.web.timeline import ALL_ENTITIES, ALL_TOPICS, timeline_view
from assistant.web.watched import watched_tab

log = logging.getLogger(__name__)

EXAMPLES = (
    "Can China already beat the US in chip tech?",
    "How important is DeepSeek?",
    "Why does the US block chip exports to China?",
    "Will software/usability be a problem for Chinese chips?",
    "How long until China is independent in chip tech?",
)
CONCURRENCY = 4  # extractive answers take ~50 ms of CPU; LLM answers mostly wait on the network
QUEUE_SIZE = 64
HEADER = (
    "# ChipQA\n"
    "Cited answers about the US–China AI-chip race. Every sentence of an answer cites the "
    "passage it rests on, shown under **Sources**; when the documents do not answer, ChipQA "
    "says so."
)
LOGIN_MESSAGE = "ChipQA: cited answers about the US–China AI-chip race. Sign in to continue."
READ_ONLY = (
    "**Uploads are turned off**: this server can be reached from other machines and asks "
    "for no login. You can still ask questions. To allow uploads, the operator sets "
    "`CHIPQA_AUTH=user:password` and restarts ChipQA."
)


def uploads_open(settings: Settings) -> bool:
    """Uploads are allowed with a login, or when only this machine can reach the server."""
    if settings.auth is not None or settings.host == "localhost":
        return True
    try:
        return ipaddress.ip_address(settings.host).is_loopback
    except ValueError:
        return False


def _answer_options(ui: Handlers) -> tuple[gr.Radio, gr.Slider, gr.Dropdown]:
    """How to answer (only when there is a choice), passages to read, document to search."""
    settings = ui.assistant.settings
    with gr.Accordion("Answer options", open=False, elem_id="options"):
        offered = [kind for kind in ANSWERERS.values() if kind.name in ui.assistant.answerers]
        answerer = gr.Radio(
            [(kind.label, kind.name) for kind in offered],
            value=settings.answerer,
            label="How to answer",
            visible=len(offered) > 1,
            elem_id="answerer",
        )
        k = gr.Slider(
            1,
            20,
            value=min(settings.k, 20),
            step=1,
            label="Passages to read",
            info="More passages can find more, but answers may wander.",
        )
        source = gr.Dropdown(
            [ALL_DOCUMENTS], value=ALL_DOCUMENTS, label="Search in", elem_id="only"
        )
    return answerer, k, source


def _chat_tab(ui: Handlers, app: gr.Blocks) -> tuple[gr.Dropdown, gr.State]:
    """The chat, its options, the tools that keep an answer and the sources panel; returns
    the document filter and the conversation."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chat_log = gr.HTML(
                render.conversation([]), js_on_load=LOG_JS, elem_id="chat", padding=False
            )
            with gr.Row():
                question = gr.Textbox(
                    label="Your question",
                    show_label=False,
                    placeholder="Ask a question about the documents…",
                    scale=6,
                    container=False,
                    autofocus=True,
                    elem_id="question",
                )
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
                stop = gr.Button(
                    "Stop", variant="stop", scale=1, min_width=80, visible=False, elem_id="stop"
                )
                clear = gr.Button("Clear", scale=1, min_width=80, elem_id="clear")
            hint = gr.HTML("", js_on_load=None, elem_id="ask-hint")
            tools = keep_tools()
            examples = gr.Examples(
                [[q] for q in EXAMPLES],
                inputs=question,
                label="Example questions",
                api_visibility="private",
            )
            answerer, k, source = _answer_options(ui)
        with gr.Column(scale=2, min_width=320):
            sources = gr.HTML(render.sources_panel([]), js_on_load=None, elem_id="sources")
    chat = gr.State(Conversation())
    inputs = [question, chat, answerer, k, source]
    outputs = [question, chat, chat_log, sources, hint, stop]
    asked = gr.on(  # a question sent while an answer is written is asked next (the page says so)
        [question.submit, ask.click],
        ui.respond,
        inputs,
        outputs,
        trigger_mode="always_last",
        api_visibility="private",
    )
    picked = examples.load_input_event.then(ui.respond, inputs, outputs, api_visibility="private")
    stop.click(ui.stop, outputs=stop, queue=False, api_visibility="private")
    cleared = clear.click(
        lambda: ("", Conversation(), render.conversation([]), render.sources_panel([]), ""),
        outputs=outputs[:-1],
        queue=False,
        api_visibility="private",
    )
    wire_keep(ui, tools, chat, [asked, picked, cleared])
    _keep_in_browser(app, ui, chat, [chat_log, sources], [asked, picked, cleared])
    return source, chat


def _keep_in_browser(
    app: gr.Blocks, ui: Handlers, chat: gr.State, shown_in: list[gr.HTML], changed: list[Any]
) -> None:
    """Keep the conversation in the browser's local storage after each event that
    `changed` it, and show it again in `shown_in` (chat log, sources) on load."""
    key = stored.signing_key(ui.assistant.settings.data_dir)
    secret = stored.browser_secret(key)
    kept = gr.BrowserState(None, storage_key=stored.STORAGE_KEY, secret=secret)
    for event in changed:
        event.then(partial(stored.keep, key=key), chat, kept, queue=False, api_visibility="private")

    def shown(value: object) -> tuple[Conversation, str, str]:
        chat = stored.restore(value, key)
        return chat, render.conversation(chat.messages), render.sources_panel(chat.sections)

    app.load(shown, kept, [chat, *shown_in], api_visibility="private")


def _corpus_tab(ui: Handlers, source: gr.Dropdown) -> list[gr.components.Component]:
    """The indexed documents, uploads and deletion; returns what `Handlers.corpus` fills."""
    summary = gr.Markdown(elem_id="corpus-summary")
    with gr.Column(visible=ui.uploads_open):
        upload = gr.File(
            label=f"Add documents: {', '.join(UPLOAD_TYPES)}, up to "
            f"{ui.assistant.settings.max_upload_mb} MB each",
            file_count="multiple",
            height=150,
            elem_id="upload",
        )
        status = gr.HTML(js_on_load=None, elem_id="upload-status")
        cancel = gr.Button("Cancel upload", visible=False, size="sm", elem_id="cancel-upload")
        with gr.Row(equal_height=False):
            doomed = gr.Dropdown([], label="Uploaded document", scale=3, elem_id="doomed")
            remove = gr.Button("Delete…", scale=1, min_width=120, elem_id="delete")
        trust = gr.Checkbox(
            label="Trust it as a source: its claims count as its own and may supersede the "
            "curated documents (recorded with your name)",
            interactive=False,
            elem_id="trust",
        )
        with gr.Row(visible=False, elem_id="confirm") as confirm:
            question = gr.HTML(js_on_load=None)
            sure = gr.Button("Delete it", variant="stop", elem_id="delete-sure")
            keep = gr.Button("Keep it", elem_id="delete-keep")
    if not ui.uploads_open:
        gr.Markdown(READ_ONLY, elem_id="read-only", elem_classes="cq-readonly")
    gr.Markdown("### Indexed documents")
    table = gr.HTML(js_on_load=None, elem_id="documents")
    filled = [table, source, summary, doomed]
    # While an upload is indexed the rest of the tab stays usable: only its status shows
    # progress, and a second upload waits its turn (the page says it is queued).
    upload.upload(
        lambda: gr.update(visible=True, value="Cancel upload", interactive=True),
        outputs=cancel,
        queue=False,
        api_visibility="private",
    )
    upload.upload(
        ui.upload,
        upload,
        [status, *filled, upload],
        show_progress_on=status,
        trigger_mode="multiple",
        concurrency_limit=1,
        concurrency_id="upload",
        api_visibility="private",
    ).then(  # always_last: the button's last word is after the last upload
        ui.cancel_button,
        outputs=cancel,
        queue=False,
        trigger_mode="always_last",
        api_visibility="private",
    )

    cancel.click(ui.cancel_upload, outputs=cancel, queue=False, api_visibility="private")
    remove.click(ui.confirm_delete, doomed, [confirm, question, status], api_visibility="private")
    doomed.change(
        ui.trust_state, doomed, trust, queue=False, show_progress="hidden", api_visibility="private"
    )
    trust.input(ui.trust, [doomed, trust], [status, *filled[:3]], api_visibility="private")
    sure.click(ui.delete, doomed, [status, *filled, confirm], api_visibility="private")
    keep.click(
        lambda: gr.update(visible=False), outputs=confirm, queue=False, api_visibility="private"
    )
    return filled


def _timeline_tab(ui: Handlers, tab: gr.Tab) -> None:
    """Dated events with entity and topic filters, rebuilt each time the tab is opened (so an
    upload's events appear)."""
    with gr.Row():
        entity = gr.Dropdown([ALL_ENTITIES], value=ALL_ENTITIES, label="Entity", elem_id="entity")
        topic = gr.Dropdown([ALL_TOPICS], value=ALL_TOPICS, label="Topic", elem_id="topic")
    view = gr.HTML(js_on_load=None, elem_id="timeline")
    tab.select(
        partial(timeline_view, ui.assistant),
        [entity, topic],
        [view, entity, topic],
        api_visibility="private",
    )
    gr.on(
        [entity.input, topic.input],
        lambda chosen, about: timeline_view(ui.assistant, chosen, about)[0],
        [entity, topic],
        view,
        api_visibility="private",
    )


def build_app(assistant: Assistant) -> gr.Blocks:
    """The ChipQA web app over an already-built assistant (not yet launched)."""
    ui = Handlers(assistant, uploads_open=uploads_open(assistant.settings))
    with gr.Blocks(title="ChipQA", analytics_enabled=False) as app:
        gr.Markdown(HEADER)
        if assistant.settings.auth is not None:
            gr.Button("Log out", link="/logout", size="sm", variant="secondary", scale=0)
        with gr.Tabs():
            with gr.Tab("Chat", elem_id="chat-tab"):
                source, chat = _chat_tab(ui, app)
            with gr.Tab("Corpus", elem_id="corpus-tab"):
                filled = _corpus_tab(ui, source)
            with gr.Tab("Timeline", elem_id="timeline-tab") as timeline:
                _timeline_tab(ui, timeline)
            with gr.Tab("Watched", elem_id="watched-tab") as watched:
                watched_tab(assistant, chat, watched)
        gr.api(ui.ask, api_name="ask")
        app.load(ui.corpus, outputs=filled, api_visibility="private")
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
    """Gradio's default look with darker blue and red (AA contrast for buttons and tabs),
    without a semibold face (the bundled one lacks most glyphs); 600-weight text is bold."""
    font = gr.themes.LocalFont("Source Sans Pro", weights=(400, 700))
    return gr.themes.Default(
        primary_hue="blue",
        neutral_hue="slate",
        font=[font, "ui-sans-serif", "system-ui", "sans-serif"],
    ).set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_cancel_background_fill="#b91c1c",
        button_cancel_background_fill_hover="#991b1b",
        color_accent="*primary_700",
        input_placeholder_color="*neutral_600",
        body_text_color_subdued="*neutral_600",
    )


def serve(assistant: Assistant, *, block: bool = True) -> gr.Blocks:
    """Serve the app on `settings.host:settings.port` (loopback by default), behind the
    `guard` (host names, Gradio's upload route, login failures).

    With `block=False` the server runs in a background thread and the app is returned at
    once; stop it with `app.close()`.
    """
    settings = assistant.settings
    max_bytes = settings.max_upload_mb * 1024 * 1024
    if not uploads_open(settings):
        log.warning(
            "uploads are off: %s is reachable without a login (set CHIPQA_AUTH)", settings.host
        )
    app = build_app(assistant)
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    guard = Middleware(Guard, settings=settings, uploads_open=uploads_open(settings))
    app.launch(
        app_kwargs={"middleware": [guard]},
        auth_message=LOGIN_MESSAGE,
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=_credentials(settings.auth),
        max_file_size=max_bytes,
        prevent_thread_lock=not block,
        footer_links=["api", "settings"],
        theme=_theme(),
        css=CSS,
        js=page_js(max_bytes),
        quiet=not block,
    )
    return app
