"""Which uploads someone chose to trust: a record in the uploads folder (`.trusted.json`:
source → who and when), written only by `set_trusted`, never by a file's own front matter.

An upload is the uploader's words until it is trusted: then its claims keep their own
claim type and claimant and it may supersede a curated document, like a curated one. Its
citations still say `uploaded`, and also `trusted`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant.errors import LoadError
from assistant.settings import Settings

TRUST_FILE = ".trusted.json"  # a dotfile: ingest never reads it as a document


@dataclass(frozen=True)
class Trust:
    """Who trusted an upload, and when."""

    by: str
    at: datetime


def trusted(settings: Settings) -> dict[str, Trust]:
    """The trusted uploads by source key (none when nothing was ever trusted)."""
    path = settings.uploads_dir / TRUST_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {s: Trust(str(t["by"]), datetime.fromisoformat(t["at"])) for s, t in data.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise LoadError(f"{path}: the record of trusted uploads is unreadable ({error})") from error


def set_trusted(settings: Settings, source: str, by: str, on: bool) -> None:
    """Record that `by` trusts the upload `source` (`on`), or no longer does."""
    records = trusted(settings)
    if not on and source not in records:
        return
    if on:
        records[source] = Trust(by, datetime.now(UTC))
    else:
        records.pop(source, None)
    data = {s: {"by": t.by, "at": t.at.isoformat()} for s, t in sorted(records.items())}
    path = settings.uploads_dir / TRUST_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
    temporary.replace(path)
