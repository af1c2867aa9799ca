"""The eval report: the headline table, tables by kind, abstention reason and confidence
bin, the provenance section, the questions not fully answered, and two charts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.evaluation.gold import SPLITS
from assistant.evaluation.metrics import (
    expected_calibration_error,
    mean,
    reliability_bins,
    strip_markers,
)
from assistant.evaluation.output import save_chart
from assistant.evaluation.output import write_report as write_output
from assistant.evaluation.provenance import render_provenance

if TYPE_CHECKING:
    from matplotlib.axes import Axes

HEADLINE = [
    "hit@1",
    "hit@5",
    "mrr@10",
    "ndcg@10",
    "key_fact_recall",
    "semantic_similarity",
    "token_f1",
    "citation_precision",
    "citation_recall",
    "evidence_precision",
    "evidence_cited",
    "abstain_accuracy",
    "false_abstention",
    "crag",
    "accuracy",
    "ece",
    "latency_p50_ms",
    "latency_p95_ms",
    "first_token_p50_ms",
    "first_token_p95_ms",
    "dropped_claims",
]


CHART_METRICS = [
    "hit@5",
    "key_fact_recall",
    "citation_precision",
    "evidence_precision",
    "abstain_accuracy",
    "crag",
]


def render_table(summary: dict[str, dict[str, dict[str, float]]]) -> str:
    """A Markdown table: one row per metric, one column per system and split."""
    columns = [(system, split) for system in summary for split in summary[system]]
    header = "| metric | " + " | ".join(f"{s} {p}" for s, p in columns) + " |"
    lines = [header, "|---" * (len(columns) + 1) + "|"]
    for metric in HEADLINE:
        values = [summary[s][p].get(metric) for s, p in columns]
        if all(value is None for value in values):
            continue  # e.g. first-token latency, for generative answerers only
        cells = ["–" if value is None else _fmt(value, metric) for value in values]
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt(value: float, metric: str) -> str:
    return f"{value:.1f}" if metric.endswith("_ms") else f"{value:.3f}"


def write_report(report: dict[str, Any], out: Path) -> None:
    """report.json, report.md and two PNG charts in `out`."""
    rows = report["per_question"]["chipqa"]
    failures = [
        f"- `{row['id']}` ({row['split']}): {strip_markers(row['answer'])[:160]}"
        for row in rows
        if (row["answerable"] and row["key_fact_recall"] < 1.0)
        or (not row["answerable"] and not row["abstained"])
    ]
    markdown = (
        f"# ChipQA evaluation\n\nGold file `{report['gold']}`, split `{report['split']}`, "
        f"{report['questions']} questions, settings {report['settings']}.\n\n"
        f"{render_table(report['summary'])}\n\n"
        f"## By kind of question\n\n{render_kinds(rows)}\n\n"
        f"## Abstentions by reason\n\n{render_abstentions(rows)}\n\n"
        f"## Reliability of the shown confidence\n\n{render_reliability(rows)}\n\n"
        f"## Claim provenance\n\n{render_provenance(report['provenance'])}\n\n"
        "## Questions not fully answered\n\n" + ("\n".join(failures) or "None.") + "\n"
    )
    write_output(out, "report", report, markdown)
    save_chart(out / "metrics.png", lambda axes: _draw_metrics(axes, report), (9, 4))
    save_chart(out / "latency.png", lambda axes: _draw_latency(axes, report))


def render_kinds(rows: list[dict[str, Any]]) -> str:
    """Per split and kind of question: how many, key-fact recall, share handled correctly."""
    lines = ["| split | kind | questions | key_fact_recall | correct |", "|---|---|---:|---:|---:|"]
    for split, kind in sorted({(r["split"], r["kind"]) for r in rows}):
        group = [r for r in rows if r["split"] == split and r["kind"] == kind]
        recall = mean([r["key_fact_recall"] for r in group]) if group[0]["answerable"] else None
        lines.append(
            f"| {split} | {kind} | {len(group)} | "
            f"{'–' if recall is None else f'{recall:.3f}'} | "
            f"{mean([float(r['correct']) for r in group]):.3f} |"
        )
    return "\n".join(lines)


def render_abstentions(rows: list[dict[str, Any]]) -> str:
    """Per split: why ChipQA abstained, on answerable and on unanswerable questions."""
    lines = [
        "| split | reason | answerable (false) | unanswerable (right) |",
        "|---|---|---:|---:|",
    ]
    keys = sorted({(r["split"], r["abstain_reason"] or "–") for r in rows if r["abstained"]})
    for split, reason in keys:
        group = [
            r
            for r in rows
            if r["split"] == split and r["abstained"] and (r["abstain_reason"] or "–") == reason
        ]
        answerable = sum(1 for r in group if r["answerable"])
        lines.append(f"| {split} | {reason} | {answerable} | {len(group) - answerable} |")
    return "\n".join(lines)


def render_reliability(rows: list[dict[str, Any]]) -> str:
    """Per split: confidence bins against the share of answers that were right, and ECE."""
    lines = ["| split | confidence | questions | mean confidence | accuracy |"]
    lines.append("|---|---|---:|---:|---:|")
    for split in [s for s in SPLITS if any(r["split"] == s for r in rows)]:
        group = [r for r in rows if r["split"] == split]
        confidences, outcomes = [r["confidence"] for r in group], [r["correct"] for r in group]
        for low, high, count, confidence, accuracy in reliability_bins(confidences, outcomes):
            lines.append(
                f"| {split} | {low:.1f}–{high:.1f} | {count} | {confidence:.3f} | {accuracy:.3f} |"
            )
        ece = expected_calibration_error(confidences, outcomes)
        lines.append(f"| {split} | ECE | {len(group)} | | {ece:.3f} |")
    return "\n".join(lines)


def _draw_metrics(axes: Axes, report: dict[str, Any]) -> None:
    systems = list(report["summary"])
    width = 0.8 / len(systems)
    for i, system in enumerate(systems):
        values = [report["summary"][system]["all"][m] for m in CHART_METRICS]
        axes.bar(np.arange(len(CHART_METRICS)) + i * width, values, width, label=system)
    axes.set_xticks(np.arange(len(CHART_METRICS)) + width * (len(systems) - 1) / 2, CHART_METRICS)
    axes.set_ylim(-0.1, 1.05)
    axes.set_title("Headline metrics (all questions)")
    axes.legend()


def _draw_latency(axes: Axes, report: dict[str, Any]) -> None:
    for system, rows in report["per_question"].items():
        axes.hist([r["latency_ms"] for r in rows], bins=20, alpha=0.6, label=system)
    axes.set_xlabel("latency per question (ms)")
    axes.set_ylabel("questions")
    axes.legend()
