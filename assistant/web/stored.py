"""A conversation kept in the browser's local storage, so a reload keeps it until Clear.

What the browser keeps is HTML this server rendered; it is signed with a key kept in the
data folder, and a stored conversation whose signature does not match (altered, or from
another server) is dropped rather than shown.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from pathlib import Path
from typing import Any

from assistant.types import Turn
from assistant.web.handlers import Conversation

log = logging.getLogger(__name__)

KEY_FILE = "ui-key"
STORAGE_KEY = "chipqa-conversation"


def signing_key(data_dir: Path) -> bytes:
    """The key conversations are signed with: read from the data folder, made there the
    first time (a fresh one for this run when the folder cannot be written)."""
    path = data_dir / KEY_FILE
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(secrets.token_bytes(32))
            path.chmod(0o600)
        return path.read_bytes()
    except OSError as error:
        log.warning("conversations are kept only until the server stops: %s", error)
        return secrets.token_bytes(32)


def browser_secret(key: bytes) -> str:
    """What the browser's copy is scrambled with (Gradio's `BrowserState`): stable while
    the key is, so a conversation outlives a restart of the server."""
    return hmac.new(key, b"browser storage", hashlib.sha256).hexdigest()


def keep(chat: Conversation, key: bytes) -> dict[str, Any]:
    """`chat` as the browser stores it; an empty one too, since the browser keeps its old
    copy when given nothing to store."""
    body = json.dumps(
        {"messages": chat.messages, "sections": chat.sections, "turns": chat.turns},
        ensure_ascii=False,
    )
    return {"body": body, "sig": _sign(body, key)}


def restore(stored: object, key: bytes) -> Conversation:
    """The conversation the browser kept, or an empty one when it kept none or what it
    kept was not signed by this server."""
    if not isinstance(stored, dict) or not isinstance(stored.get("body"), str):
        return Conversation()
    body = stored["body"]
    if not hmac.compare_digest(str(stored.get("sig")), _sign(body, key)):
        log.warning("a stored conversation with a wrong signature was dropped")
        return Conversation()
    kept = json.loads(body)
    turns = tuple(Turn(question=t["question"], answer=t["answer"]) for t in kept["turns"])
    return Conversation(tuple(kept["messages"]), tuple(kept["sections"]), turns)


def _sign(body: str, key: bytes) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
