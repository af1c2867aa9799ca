"""The provenance part of `chipqa eval`: the claim tagger scored on the hand-labelled set,
and the outcome of the gold items about disagreements (`disagree-*`: the answer must say
the sources disagree and give each value with its claimant, all key facts) and about the
latest state (`latest-*`: the answer must hold the most recent fact)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.evaluation.claims import evaluate_claims, load_claims, render_markdown
from assistant.provenance import CLAIM_TYPES

CLAIMS = Path("eval/claims.yaml")  # the labelled set; its sources are under the corpus folder
DISAGREE, LATEST = "disagree-", "latest-"
STATED = "The sources disagree"
TAGGER_SPLIT = "test"  # the half the tagger's gates are read on


def provenance_report(rows: list[dict[str, Any]], corpus_dir: Path) -> dict[str, Any]:
    """Tagger scores, the disagreement and latest-state items, and flat metrics for gates."""
    tagger, note = _tagger(corpus_dir)
    disagree = [_outcome(r) for r in rows if r["id"].startswith(DISAGREE)]
    latest = [_outcome(r) for r in rows if r["id"].startswith(LATEST)]
    others = [
        r
        for r in rows
        if r["answerable"] and not r["abstained"] and not r["id"].startswith(DISAGREE)
    ]
    elsewhere = [r["id"] for r in others if STATED in r["answer"]]
    metrics = {
        "disagreement_stated": _share([d["correct"] for d in disagree]),
        "disagreement_elsewhere": len(elsewhere) / len(others) if others else 0.0,
        "latest_correct": _share([item["correct"] for item in latest]),
    }
    if tagger:
        for claim_type, scores in tagger[TAGGER_SPLIT]["types"].items():
            metrics[f"tagger_{claim_type}_precision"] = scores["precision"] or 0.0
            metrics[f"tagger_{claim_type}_recall"] = scores["recall"] or 0.0
    return {
        "tagger": tagger,
        "tagger_note": note,
        "disagreement_items": disagree,
        "disagreement_elsewhere": elsewhere,
        "latest_items": latest,
        "metrics": metrics,
    }


def render_provenance(report: dict[str, Any]) -> str:
    """The report as Markdown: item outcomes, then the tagger's tables."""
    metrics = report["metrics"]
    lines = [
        "| item | split | states a disagreement | all key facts |",
        "|---|---|---|---|",
        *(_item_row(item) for item in report["disagreement_items"]),
        "",
        f"Disagreement items handled: {metrics['disagreement_stated']:.3f}; other answers "
        f"stating a disagreement: {metrics['disagreement_elsewhere']:.3f} "
        f"({', '.join(report['disagreement_elsewhere']) or 'none'}).",
        "",
        "| latest-state item | split | key-fact recall | right |",
        "|---|---|---:|---|",
        *(
            f"| {i['id']} | {i['split']} | {i['key_fact_recall']:.2f} | {_yes(i['correct'])} |"
            for i in report["latest_items"]
        ),
        "",
        f"Latest-state items right: {metrics['latest_correct']:.3f}.",
        "",
        "### Claim tagger (eval/claims.yaml)",
        "",
    ]
    tagger = report["tagger"]
    tables = render_markdown(tagger).replace("\n## ", "\n#### ") if tagger else ""
    lines.append(tables or report["tagger_note"])
    return "\n".join(lines)


def render_summary(report: dict[str, Any]) -> str:
    """A few lines for the terminal: the tagger's per-type figures and the item outcomes."""
    metrics = report["metrics"]
    lines = [
        f"disagreement items: {_count(report['disagreement_items'])} handled; "
        f"other answers stating one: {len(report['disagreement_elsewhere'])}; "
        f"latest-state items: {_count(report['latest_items'])} right"
    ]
    if report["tagger"]:
        figures = ", ".join(
            f"{t} {metrics[f'tagger_{t}_precision']:.2f}/{metrics[f'tagger_{t}_recall']:.2f}"
            for t in CLAIM_TYPES
        )
        lines.append(f"claim tagger, {TAGGER_SPLIT} half, precision/recall: {figures}")
    else:
        lines.append(report["tagger_note"])
    return "\n".join(lines)


def _tagger(corpus_dir: Path) -> tuple[dict[str, Any] | None, str]:
    """The tagger's report on the labelled set, or None and why it was not run."""
    if not CLAIMS.is_file():
        return None, f"Claim tagger not evaluated: {CLAIMS} not found."
    try:
        return evaluate_claims(load_claims(CLAIMS), corpus_dir), ""
    except ConfigError as error:
        return None, f"Claim tagger not evaluated: {error}."


def _outcome(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "split": row["split"],
        "stated": STATED in row["answer"],
        "key_fact_recall": row["key_fact_recall"],
        "correct": row["correct"],
    }


def _item_row(item: dict[str, Any]) -> str:
    return f"| {item['id']} | {item['split']} | {_yes(item['stated'])} | {_yes(item['correct'])} |"


def _count(items: list[dict[str, Any]]) -> str:
    return f"{sum(i['correct'] for i in items)}/{len(items)}"


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
