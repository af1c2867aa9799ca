"""Feedback that becomes a test: each 👍, 👎 or "this source does not say that" is one item
in the gold FAQ's schema, appended to a file in the data folder that `chipqa eval --gold`
runs. A 👍 answer must keep citing the same quotes; a quote marked wrong must not come back
for that question; a 👎 answer must not be given again word for word. Nothing here changes
how answers are ranked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import yaml

from assistant.errors import QuestionError
from assistant.evaluation.gold import Evidence, GoldItem, GoldTurn, load_gold
from assistant.evaluation.metrics import holds_evidence
from assistant.keep.files import locked, write_atomic
from assistant.settings import Settings
from assistant.text import normalise
from assistant.types import Answer, Turn

Verdict = Literal["good", "bad"]
FEEDBACK_FILE = "feedback.yaml"


def feedback_path(settings: Settings) -> Path:
    """The feedback file: `feedback.yaml` in the data folder."""
    return settings.data_dir / FEEDBACK_FILE


def feedback_item(
    item_id: str,
    answer: Answer,
    history: Sequence[Turn],
    verdict: Verdict,
    wrong: int | None = None,
    marked_at: datetime | None = None,
) -> GoldItem:
    """The gold item for feedback on `answer`: `wrong` is the number of a citation marked as
    not saying what the answer says (which makes the verdict bad)."""
    cited = {c.n: c for c in answer.citations}
    if wrong is not None and wrong not in cited:
        raise QuestionError(f"the answer has no citation [{wrong}]")
    good = verdict == "good" and wrong is None
    return GoldItem(
        id=item_id,
        question=answer.question,
        answer=answer.text,
        evidence=[Evidence(quote=c.quote) for c in answer.citations] if good else [],
        answerable=not answer.abstained if good else True,
        history=[GoldTurn(question=t["question"], answer=t["answer"]) for t in history],
        split="test",
        verdict="good" if good else "bad",
        wrong=[] if wrong is None else [Evidence(quote=cited[wrong].quote)],
        marked_at=(marked_at or datetime.now(UTC)).isoformat(timespec="seconds"),
    )


def record(
    settings: Settings,
    answer: Answer,
    history: Sequence[Turn],
    verdict: Verdict,
    wrong: int | None = None,
) -> GoldItem:
    """Append feedback on `answer` to the feedback file (rewritten whole, atomically, under
    a lock: two browsers marking at once both land); returns the item."""
    path = feedback_path(settings)
    with locked(path):
        count = len(load_gold(path)) if path.exists() else 0
        item = feedback_item(f"feedback-{count + 1}", answer, history, verdict, wrong)
        before = path.read_text(encoding="utf-8") if path.exists() else ""
        dumped = item.model_dump(mode="json", exclude_defaults=True)
        write_atomic(path, before + yaml.safe_dump([dumped], allow_unicode=True, sort_keys=False))
    return item


def broken(item: GoldItem, answer: Answer) -> str | None:
    """Why `answer` breaks the feedback `item` recorded (None: it keeps to it)."""
    quotes = [c.quote for c in answer.citations]
    if item.verdict == "good":
        lost = [q for q in item.quotes if not any(holds_evidence(c, [q]) for c in quotes)]
        if lost:
            return f"no longer cites “{lost[0]}”"
        if item.answerable and answer.abstained:
            return "abstains where the answer marked good did not"
        if not item.answerable and not answer.abstained:
            return "answers where the abstention marked good did not"
    for marked in item.wrong:
        if any(holds_evidence(c, [marked.quote]) for c in quotes):
            return f"cites again “{marked.quote}”, marked as not saying that"
    if (
        item.verdict == "bad"
        and not item.wrong
        and normalise(answer.text) == normalise(item.answer)
    ):
        return "gives again the answer marked bad"
    return None
