"""The evaluation harness: run ChipQA (and optionally the naive baseline) on a gold FAQ.

A passage is relevant when it contains a gold evidence quote. An answer is *correct*
when it holds every key fact; an unanswerable question is handled correctly by abstaining,
or, when its premise is false, also by an answer holding the correcting key facts. The
shown confidence is scored against correctness (reliability table, expected calibration
error). The CRAG-style score counts an answer with at least half of its key facts.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.cite import split_claims, support_score
from assistant.errors import ConfigError
from assistant.evaluation.gold import SPLITS, GoldItem, load_gold
from assistant.evaluation.metrics import (
    crag_score,
    expected_calibration_error,
    hit_at,
    holds_evidence,
    key_fact_recall,
    mean,
    mrr_at,
    ndcg_at,
    percentile,
    strip_markers,
    token_f1,
)
from assistant.evaluation.provenance import provenance_report, render_summary
from assistant.evaluation.report import render_table, write_report
from assistant.keep.feedback import broken
from assistant.pipeline import Assistant
from assistant.types import Answer

TWO_PART_KINDS = ("multi_part", "multi_doc")  # answered part by part
DEFAULT_SPLITS = "dev,test"  # the blind split is run only when asked for by name
RANKING_DEPTH = 10
CRAG_RECALL = 0.5


@dataclass
class QuestionResult:
    """One system's outcome on one gold question."""

    id: str
    split: str
    kind: str
    answerable: bool
    answer: str
    abstained: bool
    confidence: float
    correct: bool
    abstain_reason: str | None
    relevant: list[bool]
    key_fact_recall: float
    semantic_similarity: float
    token_f1: float
    citations: int
    precise_citations: int
    evidence_citations: int
    sentences: int
    supported_sentences: int
    latency_ms: float
    crag: int = 0
    first_token_ms: float | None = None  # generative answerers only
    generated_claims: int = 0  # sentences the model wrote
    kept_claims: int = 0  # of those, shown after verification
    extra: dict[str, Any] = field(default_factory=dict)


def run_eval(
    assistant: Assistant,
    *,
    gold: Path,
    split: str,
    out: Path,
    baseline: bool = False,
    thresholds: Path | None = None,
    sample: int = 0,
) -> int:
    """Evaluate, write report.json/report.md/plots into `out`, print a table; 1 if a floor fails.
    `sample` > 0 takes that many questions per split, evenly spaced through the file."""
    items = select_split(load_gold(gold), split)
    if sample > 0:
        items = sample_items(items, sample)
    if not items:
        print(f"no gold questions in split '{split}' of {gold}", file=sys.stderr)
        return 1
    assistant.ask(items[0].question)  # warm-up: loads the model, fills caches
    results = {"chipqa": [evaluate_chipqa(assistant, item) for item in _progress(items, "chipqa")]}
    if baseline:
        results["baseline"] = _run_baseline(assistant, items)
    report: dict[str, Any] = {
        "gold": str(gold),
        "split": split,
        "questions": len(items),
        "sample": sample,
        "settings": {
            "k": assistant.settings.k,
            "answerer": assistant.settings.answerer,
            "abstain_threshold": assistant.settings.abstain_threshold,
        },
        "summary": {system: summarise(rows) for system, rows in results.items()},
        "per_question": {system: [asdict(r) for r in rows] for system, rows in results.items()},
    }
    corpus = assistant.settings.corpus_dir
    report["provenance"] = provenance_report(report["per_question"]["chipqa"], corpus)
    write_report(report, out)
    print(render_table(report["summary"]))
    print(render_summary(report["provenance"]))
    print(f"report written to {out}/report.md")
    gated = {**report["summary"]["chipqa"], "provenance": report["provenance"]["metrics"]}
    kept = _feedback_kept(results["chipqa"])
    return max(check_thresholds(gated, thresholds) if thresholds else 0, 0 if kept else 1)


def _feedback_kept(rows: list[QuestionResult]) -> bool:
    """Print how each feedback question fared; False when an answer breaks its feedback."""
    broken_rows = [r for r in rows if r.extra.get("feedback_broken")]
    marked = sum("feedback_broken" in r.extra for r in rows)
    if marked:
        print(f"feedback: {marked - len(broken_rows)} of {marked} answers keep to it")
    for row in broken_rows:
        print(f"  {row.id}: {row.extra['feedback_broken']}")
    return not broken_rows


def select_split(items: list[GoldItem], split: str) -> list[GoldItem]:
    """Items of `split`: one name, a comma-separated list, or 'all' (every split)."""
    wanted = set(SPLITS) if split == "all" else {s.strip() for s in split.split(",")}
    unknown = sorted(wanted - set(SPLITS))
    if unknown:
        raise ConfigError(f"unknown split {', '.join(unknown)}: use {', '.join(SPLITS)} or all")
    return [i for i in items if i.split in wanted]


def sample_items(items: list[GoldItem], per_split: int) -> list[GoldItem]:
    """Up to `per_split` items of each split, evenly spaced (the file groups kinds together,
    so every kind keeps its share)."""
    chosen = []
    for split in SPLITS:
        of_split = [i for i in items if i.split == split]
        step = max(len(of_split) / per_split, 1.0)
        chosen += [of_split[int(n * step)] for n in range(min(per_split, len(of_split)))]
    return chosen


def evaluate_chipqa(assistant: Assistant, item: GoldItem) -> QuestionResult:
    """Ask ChipQA one gold question and score retrieval, answer, citations and abstention."""
    question = assistant.question(item.question, item.turns())
    streamed: list[str] = []
    answer = assistant.ask(question, on_token=streamed.append)
    ranking = assistant.search(question, k=RANKING_DEPTH)  # deeper than the answer's passages
    relevant = [holds_evidence(hit.chunk.text, item.quotes) for hit in ranking]
    result = _score(
        item,
        answer.text,
        answer.abstained,
        answer.confidence,
        answer.abstain_reason,
        relevant,
        answer.timings_ms["total"],
        _citation_counts(assistant, answer, item),
        assistant,
    )
    if item.verdict is not None:
        result.extra["feedback_broken"] = broken(item, answer)
    if "llm_first_token" in answer.timings_ms:
        result.first_token_ms = answer.timings_ms["llm_first_token"]
        result.generated_claims, result.kept_claims = generation_outcome(answer, "".join(streamed))
    return result


def generation_outcome(answer: Answer, streamed: str) -> tuple[int, int]:
    """Sentences a model wrote (its streamed reply) and how many of them the answer shows:
    none when it fell back to the extractive answer (streamed after the reply) or abstained."""
    verified = not answer.abstained and answer.notice is None
    reply = streamed if verified else streamed.removesuffix(answer.text)
    return len(split_claims(reply)), len(split_claims(answer.text)) if verified else 0


def _citation_counts(assistant: Assistant, answer: Answer, item: GoldItem) -> dict[str, int]:
    """ALCE-style counts: sentences supported by their citations, citations that are precise."""
    if answer.abstained:
        return {"citations": 0, "precise": 0, "evidence": 0, "sentences": 0, "supported": 0}
    by_number = {c.n: c for c in answer.citations}
    threshold = assistant.settings.support_threshold
    embed = assistant.embedder.embed
    sentences = split_claims(answer.text)
    supported, precise_numbers = 0, set()
    for sentence, numbers in sentences:
        cited = [by_number[n] for n in numbers if n in by_number]
        scores = [_support(embed, sentence, c.quote) for c in cited]
        supported += any(s >= threshold for s in scores)
        precise_numbers |= {c.n for c, s in zip(cited, scores, strict=True) if s >= threshold}
    evidence = {c.n for c in answer.citations if holds_evidence(c.passage, item.quotes)}
    return {
        "citations": len(answer.citations),
        "precise": len(precise_numbers | evidence),
        "evidence": len(evidence),
        "sentences": len(sentences),
        "supported": supported,
    }


def _support(embed: Callable[..., np.ndarray], claim: str, evidence: str) -> float:
    vectors = embed([claim, evidence])
    return support_score(claim, evidence, float(vectors[0] @ vectors[1]))


def _score(
    item: GoldItem,
    text: str,
    abstained: bool,
    confidence: float,
    abstain_reason: str | None,
    relevant: list[bool],
    latency_ms: float,
    counts: dict[str, int],
    assistant: Assistant,
) -> QuestionResult:
    plain = strip_markers(text)
    recall = 0.0 if abstained else key_fact_recall(plain, item.key_facts)
    correct = is_correct(item, abstained, recall)
    similarity = 0.0
    if item.answerable and not abstained:
        vectors = assistant.embedder.embed([plain, item.answer])
        similarity = float(vectors[0] @ vectors[1])
    return QuestionResult(
        id=item.id,
        split=item.split,
        kind=item.kind or _default_kind(item),
        answerable=item.answerable,
        answer=text,
        abstained=abstained,
        confidence=confidence,
        correct=correct,
        abstain_reason=abstain_reason,
        relevant=relevant,
        key_fact_recall=recall,
        semantic_similarity=similarity,
        token_f1=0.0 if abstained else token_f1(plain, item.answer),
        citations=counts["citations"],
        precise_citations=counts["precise"],
        evidence_citations=counts["evidence"],
        sentences=counts["sentences"],
        supported_sentences=counts["supported"],
        latency_ms=latency_ms,
        crag=crag_score(item.answerable, abstained, correct or recall >= CRAG_RECALL),
    )


def _default_kind(item: GoldItem) -> str:
    if item.history:
        return "follow_up"
    return "single" if item.answerable else "unanswerable"


def is_correct(item: GoldItem, abstained: bool, recall: float) -> bool:
    """Every key fact answered; or a rightful abstention; or a false premise corrected."""
    if not item.answerable:
        return abstained or (item.kind == "false_premise" and recall == 1.0)
    return not abstained and recall == 1.0


def _run_baseline(assistant: Assistant, items: list[GoldItem]) -> list[QuestionResult]:
    from assistant.evaluation.baseline import NaiveRAG

    with tempfile.TemporaryDirectory(prefix="chipqa-baseline-") as folder:
        rag = NaiveRAG.build(assistant.settings.corpus_dir, Path(folder), assistant.embedder)
        rows = []
        for item in _progress(items, "baseline"):
            result = rag.ask(item.question)
            relevant = [holds_evidence(p, item.quotes) for p in result.passages]
            top_is_evidence = int(bool(relevant) and relevant[0])
            counts = {
                "citations": 1,
                "precise": top_is_evidence,
                "evidence": top_is_evidence,
                "sentences": 1,
                "supported": top_is_evidence,
            }
            rows.append(
                _score(
                    item,
                    result.answer,
                    False,
                    1.0,
                    None,
                    relevant,
                    result.timings_ms["total"],
                    counts,
                    assistant,
                )
            )
        return rows


def summarise(rows: list[QuestionResult]) -> dict[str, dict[str, float]]:
    """Headline metrics for each split present and for all the questions run."""
    present = [s for s in SPLITS if any(r.split == s for r in rows)]
    return {
        name: _aggregate([r for r in rows if name == "all" or r.split == name])
        for name in [*present, "all"]
    }


def _aggregate(rows: list[QuestionResult]) -> dict[str, float]:
    answerable = [r for r in rows if r.answerable]
    unanswerable = [r for r in rows if not r.answerable]
    answered = [r for r in answerable if not r.abstained]
    citations = sum(r.citations for r in answered)
    sentences = sum(r.sentences for r in answered)
    latencies = [r.latency_ms for r in rows]
    return _generation_metrics(rows) | {
        "questions": len(rows),
        "answerable": len(answerable),
        "hit@1": mean([hit_at(r.relevant, 1) for r in answerable]),
        "hit@3": mean([hit_at(r.relevant, 3) for r in answerable]),
        "hit@5": mean([hit_at(r.relevant, 5) for r in answerable]),
        "mrr@10": mean([mrr_at(r.relevant, 10) for r in answerable]),
        "ndcg@10": mean([ndcg_at(r.relevant, 10) for r in answerable]),
        "key_fact_recall": mean([r.key_fact_recall for r in answerable]),
        "two_part_key_fact_recall": mean(
            [r.key_fact_recall for r in answerable if r.kind in TWO_PART_KINDS]
        ),
        "semantic_similarity": mean([r.semantic_similarity for r in answerable]),
        "token_f1": mean([r.token_f1 for r in answerable]),
        "citation_precision": sum(r.precise_citations for r in answered) / citations
        if citations
        else 0.0,
        "evidence_precision": sum(r.evidence_citations for r in answered) / citations
        if citations
        else 0.0,
        "citation_recall": sum(r.supported_sentences for r in answered) / sentences
        if sentences
        else 0.0,
        "evidence_cited": mean([float(r.evidence_citations > 0) for r in answered]),
        "abstain_accuracy": mean([float(r.correct) for r in unanswerable]),
        "false_abstention": mean([float(r.abstained) for r in answerable]),
        "crag": mean([float(r.crag) for r in rows]),
        "accuracy": mean([float(r.correct) for r in rows]),
        "ece": expected_calibration_error([r.confidence for r in rows], [r.correct for r in rows])
        if rows
        else 0.0,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def _generation_metrics(rows: list[QuestionResult]) -> dict[str, float]:
    """First-token latency and the share of written sentences verification dropped
    (only for rows a model wrote)."""
    generated = [r for r in rows if r.first_token_ms is not None]
    written = sum(r.generated_claims for r in generated)
    if not generated:
        return {}
    return {
        "first_token_p50_ms": percentile([float(r.first_token_ms or 0) for r in generated], 50),
        "first_token_p95_ms": percentile([float(r.first_token_ms or 0) for r in generated], 95),
        "dropped_claims": 1 - sum(r.kept_claims for r in generated) / written if written else 0.0,
    }


def check_thresholds(summary: dict[str, dict[str, float]], path: Path) -> int:
    """0 when every floor (minimum) and ceiling (maximum) in `path` holds, else 1."""
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    failures = []
    for split, limits in config.items():
        if split not in summary:
            failures.append(f"split {split} has limits but was not evaluated")
            continue
        for metric, floor in (limits.get("floors") or {}).items():
            if summary[split][metric] < floor:
                failures.append(f"{split} {metric} {summary[split][metric]:.3f} < floor {floor}")
        for metric, ceiling in (limits.get("ceilings") or {}).items():
            if summary[split][metric] > ceiling:
                failures.append(
                    f"{split} {metric} {summary[split][metric]:.3f} > ceiling {ceiling}"
                )
    for line in failures:
        print(f"eval gate: {line}", file=sys.stderr)
    print("eval gate: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


def _progress(items: list[GoldItem], label: str) -> list[GoldItem]:
    print(f"{label}: {len(items)} questions", file=sys.stderr)
    return items
