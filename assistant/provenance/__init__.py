"""Claim provenance: who makes each claim, of what kind, as of when, and where sources disagree.

`tagger` gives one sentence its claim type, claimant and event date (rules in its docstring
and in `eval/claims.yaml`), with `lexicon`, `mentions` and `dates`; `evidence` tags a
document's sentences at ingest and gives citations their provenance; `disagreement`,
`values`, `latest` and `relevance` are the analyses the completion stage
(`assistant.complete`) runs on every answer; `timeline` lists the dated events.
"""

from assistant.provenance.dates import document_as_of, event_date
from assistant.provenance.lexicon import CLAIM_TYPES
from assistant.provenance.tagger import previous_context, tag_sentence

__all__ = [
    "CLAIM_TYPES",
    "document_as_of",
    "event_date",
    "previous_context",
    "tag_sentence",
]
