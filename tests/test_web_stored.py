"""The conversation the browser keeps: restored as it was, dropped when altered."""

from __future__ import annotations

from pathlib import Path

from assistant.types import Turn
from assistant.web.handlers import Conversation
from assistant.web.stored import keep, restore, signing_key

CHAT = Conversation(
    ('<div class="cq-user">Why?</div>', '<article class="cq-bot">Because. [1]</article>'),
    ('<section class="cq-answer" id="cq-a1"></section>',),
    (Turn(question="Why?", answer="Because. [1]"),),
)


def test_a_kept_conversation_comes_back_as_it_was(tmp_path: Path) -> None:
    key = signing_key(tmp_path)
    back = restore(keep(CHAT, key), signing_key(tmp_path))
    assert (back.messages, back.sections, back.turns) == (CHAT.messages, CHAT.sections, CHAT.turns)
    cleared = restore(keep(Conversation(), key), key)
    assert (cleared.messages, cleared.sections, cleared.turns) == ((), (), ())


def test_an_altered_or_foreign_conversation_is_dropped(tmp_path: Path) -> None:
    key = signing_key(tmp_path / "a")
    kept = keep(CHAT, key)
    assert kept is not None
    altered = {**kept, "body": kept["body"].replace("Because.", "<img src=x onerror=alert(1)>")}
    for stored in (altered, keep(CHAT, signing_key(tmp_path / "b")), {"body": 1}, "junk", None):
        assert restore(stored, key).messages == ()
