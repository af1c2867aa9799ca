"""Claim provenance: what kind of claim a sentence makes, who makes it, and the date it reports.

`tagger` tags one sentence (rules in its docstring and in `eval/claims.yaml`); `dates` finds
event and as-of dates; `evidence` tags a document's chunks at ingest and gives a citation its
provenance.
"""

from assistant.provenance.dates import document_as_of, event_date
from assistant.provenance.lexicon import CLAIM_TYPES
from assistant.provenance.tagger import Provenance, previous_context, tag_sentence

__all__ = [
    "CLAIM_TYPES",
    "Provenance",
    "document_as_of",
    "event_date",
    "previous_context",
    "tag_sentence",
]
