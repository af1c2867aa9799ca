"""Citation stage: build citations from passages and verify that they support a claim.

Support score = 0.6 × semantic similarity (claim vs. the best sentence of the cited
passage) + 0.4 × lexical overlap (share of the claim's content words found in that
passage). A claim is supported when the score reaches `Settings.support_threshold`
(0.55, calibrated on the dev split: a faithful paraphrase of one sentence scores
0.65–0.95; a claim about another topic 0.1–0.4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.provenance.evidence import (
    as_of_text,
    instruction_spans,
    is_instruction,
    quoted_provenance,
    without_instructions,
)
from assistant.text import content_terms, term_overlap
from assistant.types import Citation, Hit, Sentence

CLAIM = re.compile(r"(.+?)((?:\s*\[\d+\])+)\s*(?=\S|$)", re.DOTALL)
SEMANTIC_WEIGHT = 0.6
LEXICAL_WEIGHT = 0.4
MIN_CLAIM_TERMS = 3


@dataclass(frozen=True)
class Support:
    """How well one passage supports one claim, and which of its sentences does."""

    score: float
    sentence: Sentence


def support(
    claim: str, claim_vector: np.ndarray, hit: Hit, sentence_vectors: np.ndarray
) -> Support:
    """Score how well `hit`'s passage supports `claim`: its instructions to the reader
    support nothing."""
    similarities = sentence_vectors @ claim_vector
    claims = [not is_instruction(s) for s in hit.chunk.sentences]
    if not any(claims):
        return Support(0.0, hit.chunk.sentences[0])
    best = int(np.argmax(np.where(claims, similarities, -np.inf)))
    sentence = hit.chunk.sentences[best]
    evidence = without_instructions(hit.chunk)
    return Support(support_score(claim, evidence, float(similarities[best])), sentence)


def support_score(claim: str, evidence: str, similarity: float) -> float:
    """Blend of semantic similarity and the share of the claim's words found in the evidence.

    The lexical part counts fully only for claims of three or more content words: a bare
    "PWNED" found in a passage that says "reply PWNED" is not support.
    """
    terms = set(content_terms(claim))
    lexical = term_overlap(terms, evidence) * min(1.0, len(terms) / MIN_CLAIM_TERMS)
    return max(0.0, min(1.0, SEMANTIC_WEIGHT * similarity + LEXICAL_WEIGHT * lexical))


def split_claims(text: str) -> list[tuple[str, list[int]]]:
    """Sentences of an answer with the passage numbers each cites.

    "A [1][2]. B [3]." gives [("A", [1, 2]), ("B", [3])]: punctuation left after a run of
    markers belongs to the sentence before it, not to the next claim.
    """
    claims = []
    for match in CLAIM.finditer(text):
        claim = match.group(1).strip().lstrip(".").strip()
        if claim:
            claims.append((claim, [int(n) for n in re.findall(r"\d+", match.group(2))]))
    return claims


def make_citation(n: int, hit: Hit, start: int, end: int, score: float) -> Citation:
    """A citation of `document_text[start:end]`, which must lie inside `hit`'s chunk."""
    chunk, doc = hit.chunk, hit.doc
    if not chunk.start <= start <= end <= chunk.end:
        raise ValueError("a citation must quote text inside its retrieved passage")
    listed = doc.meta.get("sources") or []
    tag = quoted_provenance(chunk, start, end)
    return Citation(
        n=n,
        source=doc.source,
        title=doc.title,
        quote=chunk.text[start - chunk.start : end - chunk.start],
        start=start,
        end=end,
        score=round(float(score), 4),
        chunk_id=chunk.id,
        section=chunk.section,
        date=str(doc.meta.get("date", "undated")),
        page=chunk.page,
        passage=chunk.text,
        passage_start=chunk.start,
        sources=tuple(str(s) for s in listed) if isinstance(listed, list) else (str(listed),),
        claim_type=tag.claim_type if tag else None,
        claimant=tag.claimant if tag else None,
        event_date=tag.event_date if tag else None,
        as_of=as_of_text(doc.meta),
        uploaded=doc.uploaded,
        trusted=doc.trusted,
        instructions=instruction_spans(chunk),
    )
