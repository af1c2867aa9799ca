"""Pure evaluation metrics: retrieval, answers, citations, abstention, latency."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from assistant.text import normalise, tokens

CITATION_MARKER = re.compile(r"\s*\[\d+\]")


def strip_markers(text: str) -> str:
    """An answer's text without its [n] citation markers."""
    return CITATION_MARKER.sub("", text)


def holds_evidence(passage: str, quotes: Sequence[str]) -> bool:
    """True when the passage contains a gold quote (whitespace and quote marks normalised)."""
    text = normalise(passage)
    return any(normalise(quote) in text for quote in quotes if quote.strip())


def hit_at(relevant: Sequence[bool], k: int) -> float:
    """1.0 if any of the first `k` passages is relevant."""
    return 1.0 if any(relevant[:k]) else 0.0


def mrr_at(relevant: Sequence[bool], k: int) -> float:
    """Reciprocal rank of the first relevant passage within the first `k`."""
    for rank, is_relevant in enumerate(relevant[:k], start=1):
        if is_relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(relevant: Sequence[bool], k: int) -> float:
    """Binary nDCG@k: DCG of the ranking over DCG of the ideal ranking."""
    gains = [1.0 / math.log2(rank + 1) for rank, r in enumerate(relevant[:k], start=1) if r]
    ideal_count = min(k, sum(1 for r in relevant if r))
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, ideal_count + 1))
    return sum(gains) / ideal if ideal else 0.0


def key_fact_recall(answer: str, key_facts: Sequence[str]) -> float:
    """Share of key facts found in the answer (case, whitespace and quote marks folded)."""
    if not key_facts:
        return 1.0
    text = normalise(answer)
    return sum(1 for fact in key_facts if normalise(fact) in text) / len(key_facts)


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style token F1 between two texts."""
    predicted, gold = Counter(tokens(prediction)), Counter(tokens(reference))
    common = sum((predicted & gold).values())
    if common == 0:
        return 0.0
    precision = common / sum(predicted.values())
    recall = common / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def crag_score(answerable: bool, abstained: bool, correct: bool) -> int:
    """+1 for a correct answer or a rightful abstention, 0 for abstaining, -1 if wrong."""
    if not answerable:
        return 1 if abstained else -1
    if abstained:
        return 0
    return 1 if correct else -1


def reliability_bins(
    confidences: Sequence[float], outcomes: Sequence[bool], bins: int = 10
) -> list[tuple[float, float, int, float, float]]:
    """Equal-width confidence bins: (low, high, count, mean confidence, accuracy)."""
    table = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [
            (c, o)
            for c, o in zip(confidences, outcomes, strict=True)
            if low <= c < high or (b == bins - 1 and c == 1.0)
        ]
        if members:
            table.append(
                (
                    low,
                    high,
                    len(members),
                    mean([c for c, _ in members]),
                    mean([float(o) for _, o in members]),
                )
            )
    return table


def expected_calibration_error(
    confidences: Sequence[float], outcomes: Sequence[bool], bins: int = 10
) -> float:
    """Σ over bins of (share of items) × |accuracy − mean confidence|."""
    total = len(confidences)
    return sum(
        count / total * abs(accuracy - confidence)
        for _, _, count, confidence, accuracy in reliability_bins(confidences, outcomes, bins)
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; 0.0 for no values."""
    return sum(values) / len(values) if values else 0.0
