"""The web UI: `app` lays it out and serves it, `handlers` answers its events, `render`
and `sources` write its HTML, `assets` holds its style sheet and page script, `progress`
words an upload's progress and `stored` keeps a conversation in the browser."""

from assistant.web.app import build_app, serve
from assistant.web.handlers import Handlers

__all__ = ["Handlers", "build_app", "serve"]
