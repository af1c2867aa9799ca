"""Fit the extractive reader and its confidence on the dev split of the gold FAQ.

    python -m assistant.evaluation.fit_reader [--gold eval/gold_faq.yaml] [--keep-sentences]

1. Sentence model: a conditional logit (softmax over the sentences of one question's
   retrieved passages) that puts the mass on the sentences holding gold evidence, over
   every answerable dev question.
2. Confidence model: logistic regression of "the answer holds every key fact" on the
   answer-level features, over every dev question answered without abstaining.
3. Abstention: the answer probability below which refusing gains most (unanswerable dev
   questions refused less answerable ones), refusing at most `MAX_FALSE_ABSTENTION` of the
   answerable ones; and the topical floor, the lowest
   best-sentence similarity among answerable dev questions less `TOPICAL_MARGIN`.
4. Confidence of an abstention: per reason, the share of dev abstentions that were right.

Only `dev` items are read: the test and blind splits stay unseen by the fit.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.answerability import UNCLEAR
from assistant.answer.base import AnswerRequest
from assistant.answer.extractive import ExtractiveAnswerer, answer_features, choose_anchor
from assistant.answer.reader import SENTENCE_FEATURES, WEIGHTS_FILE, load_weights, read
from assistant.evaluation.gold import GoldItem, load_gold
from assistant.evaluation.harness import is_correct
from assistant.evaluation.metrics import holds_evidence, key_fact_recall, strip_markers
from assistant.pipeline import build_assistant
from assistant.question.shape import analyse
from assistant.settings import Settings
from assistant.types import ABSTAIN_TEXT, Answer

CONFIDENCE_L2 = 0.1  # ridge penalties
MAX_FALSE_ABSTENTION = 0.03
TOPICAL_MARGIN = 0.02
SENTENCE_L2 = 0.001
SOFTMAX_STEPS = 400
SOFTMAX_RATE = 0.5
ANSWER_FEATURES = (
    "best",
    "margin",
    "semantic",
    "anchor_semantic",
    "lexical",
    "names",
    "typed",
    "expects",
)


@dataclass
class Recorder:
    """An answerer that keeps the requests it is given (so the fit sees what `ask` sees)."""

    requests: list[AnswerRequest] = field(default_factory=list)

    def answer(self, request: AnswerRequest) -> Answer:
        """Record and abstain."""
        self.requests.append(request)
        return Answer(request.question, ABSTAIN_TEXT, True, 0.0, [])


def fit_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray, l2: float) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton's method; returns [bias, w…]."""
    design = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(design.shape[1])
    penalty = l2 * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        gradient = design.T @ (weights * (p - y)) + penalty @ beta
        hessian = (design * (weights * p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def as_model(beta: np.ndarray, names: tuple[str, ...]) -> dict[str, Any]:
    """The JSON form the reader loads."""
    return {
        "bias": round(float(beta[0]), 4),
        "weights": {n: round(float(b), 4) for n, b in zip(names, beta[1:], strict=True)},
    }


def requests_for(items: list[GoldItem], settings: Settings) -> list[AnswerRequest]:
    """What the answerer receives for each item, through the real `ask` path."""
    recorder = Recorder()
    assistant = build_assistant(settings, answerers={"extractive": recorder})
    for item in items:
        assistant.ask(item.question, item.turns() or None)
    return recorder.requests


def fit_sentences(items: list[GoldItem], requests: list[AnswerRequest]) -> dict[str, Any]:
    """The sentence model, from every answerable item whose passages hold its evidence."""
    groups = []
    for item, request in zip(items, requests, strict=True):
        candidates = read(request)
        found = [
            holds_evidence(c.sentence.text, item.quotes) or _inside(c.sentence.text, item)
            for c in candidates
        ]
        if item.answerable and any(found):
            features = [[c.features[n] for n in SENTENCE_FEATURES] for c in candidates]
            groups.append((np.asarray(features), np.asarray(found, dtype=float)))
    return as_model(np.concatenate([[0.0], fit_softmax(groups)]), SENTENCE_FEATURES)


def fit_softmax(groups: list[tuple[np.ndarray, np.ndarray]], l2: float = SENTENCE_L2) -> np.ndarray:
    """Conditional logit: per question, a softmax over its sentences should put its mass on
    the sentences holding evidence. Gradient descent with an L2 penalty; returns weights."""
    weights = np.zeros(groups[0][0].shape[1])
    for _ in range(SOFTMAX_STEPS):
        gradient = l2 * weights
        for features, labels in groups:
            scores = features @ weights
            shares = np.exp(scores - scores.max())
            gradient += features.T @ (shares / shares.sum() - labels / labels.sum()) / len(groups)
        weights -= SOFTMAX_RATE * gradient
    return weights


def _inside(sentence: str, item: GoldItem) -> bool:
    """A short sentence (a list item) lying inside a longer gold quote counts too."""
    return len(sentence.split()) >= 3 and holds_evidence(" ".join(item.quotes), [sentence])


def fit_confidence(
    items: list[GoldItem], requests: list[AnswerRequest]
) -> tuple[dict[str, Any], float]:
    """The confidence model and the abstention threshold, from answers never refused."""
    never_abstains = ExtractiveAnswerer(abstain_below=0.0)
    rows, outcomes, answerable = [], [], []
    for item, request in zip(items, requests, strict=True):
        shape = analyse(request.question)
        candidates = read(request, shape)
        anchor = choose_anchor(candidates, shape)
        answer = never_abstains.answer(request)
        if anchor is None or answer.abstained:
            continue
        features = answer_features(anchor, candidates, shape)
        recall = key_fact_recall(strip_markers(answer.text), item.key_facts)
        rows.append([features[n] for n in ANSWER_FEATURES])
        outcomes.append(float(is_correct(item, False, recall) and item.answerable))
        answerable.append(item.answerable)
    x, y = np.asarray(rows), np.asarray(outcomes)
    beta = fit_logistic(x, y, np.ones(len(y)), CONFIDENCE_L2)
    probabilities = 1.0 / (1.0 + np.exp(-(beta[0] + x @ beta[1:])))
    return as_model(beta, ANSWER_FEATURES), _threshold(probabilities, np.asarray(answerable))


def _threshold(probabilities: np.ndarray, answerable: np.ndarray) -> float:
    """The cut that refuses the most more unanswerable than answerable questions, refusing
    at most MAX_FALSE_ABSTENTION of the answerable ones; 0 when no cut gains."""
    allowed = MAX_FALSE_ABSTENTION * answerable.sum()
    best, best_gain = 0.0, 0
    for cut in np.unique(probabilities):
        refused = probabilities < cut
        wrong = int((refused & answerable).sum())
        gain = int((refused & ~answerable).sum()) - wrong
        if wrong <= allowed and gain > best_gain:
            best, best_gain = float(cut), gain
    return round(best, 4)


def fit_abstain_confidence(
    items: list[GoldItem], requests: list[AnswerRequest]
) -> dict[str, float]:
    """Per reason for abstaining: the share of dev abstentions that were right, smoothed
    ((right + 1) / (n + 2)). The 'unclear' reason keeps 1 − the answer probability."""
    outcomes: dict[str, list[bool]] = {}
    answerer = ExtractiveAnswerer()
    for item, request in zip(items, requests, strict=True):
        answer = answerer.answer(request)
        if answer.abstained and answer.abstain_reason and answer.abstain_reason != UNCLEAR:
            right = is_correct(item, True, 0.0)
            outcomes.setdefault(answer.abstain_reason, []).append(right)
    return {
        reason: round((sum(rights) + 1) / (len(rights) + 2), 4)
        for reason, rights in sorted(outcomes.items())
    }


def fit_topical_floor(items: list[GoldItem], requests: list[AnswerRequest]) -> float:
    """Just under the least similar best sentence of any answerable dev question."""
    closest = [
        max((c.features["semantic"] for c in read(request)), default=0.0)
        for item, request in zip(items, requests, strict=True)
        if item.answerable
    ]
    return round(min(closest) - TOPICAL_MARGIN, 4)


def main() -> None:
    """Fit on dev and write `reader_weights.json`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=Path("eval/gold_faq.yaml"))
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    parser.add_argument(
        "--keep-sentences",
        action="store_true",
        help="keep the sentence model; refit the topical floor, confidence and abstention",
    )
    args = parser.parse_args()
    items = [i for i in load_gold(args.gold) if i.split == "dev"]
    requests = requests_for(items, Settings())
    weights = {**load_weights(args.out), "topical_floor": fit_topical_floor(items, requests)}
    if not args.keep_sentences:
        weights["sentence"] = fit_sentences(items, requests)
    _write(args.out, weights)
    weights["confidence"], weights["abstain_below"] = fit_confidence(items, requests)
    _write(args.out, weights)
    weights["abstain_confidence"] = fit_abstain_confidence(items, requests)
    _write(args.out, weights)
    print(json.dumps(weights, indent=2))


def _write(path: Path, weights: dict[str, Any]) -> None:
    path.write_text(json.dumps(weights, indent=2) + "\n", encoding="utf-8")
    load_weights.cache_clear()


if __name__ == "__main__":
    main()
