"""Held-out figures of the fitted reader, as eval/fit_reader.py reports them: what a user sees
(the evidence sentence or two, the short answer) scored against SQuAD's gold answers."""

from __future__ import annotations

import numpy as np

from eval.fitting import auc, choose_threshold
from eval.metrics import contains_answer, token_f1


def shown(pr: dict, second_ratio: float) -> str:
    """The evidence text the extractive backend shows: one sentence, or two when unsure."""
    if pr["second"] is not None and pr["ratio"] >= second_ratio:
        return pr["sentence"] + " " + pr["second"]
    return pr["sentence"]


def choose_second_ratio(rows, preds) -> float:
    """The largest ratio whose evidence holds the gold answer within 2 points of always showing
    two sentences: a second sentence only when it pays."""

    def contains(ratio: float) -> float:
        hits = [
            contains_answer(shown(preds[r["id"]], ratio), r["answers"])
            for r in rows
            if r["answerable"] and preds[r["id"]]["sentence"] is not None
        ]
        return float(np.mean(hits))

    best = contains(0.0)
    for ratio in (1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1):
        if contains(ratio) >= best - 0.02:
            return ratio
    return 0.0


def figures(rows, preds, abstain, min_span, second_ratio=1.0) -> dict:
    ans = np.asarray([r["answerable"] for r in rows])
    contains, f1, f1_span = [], [], []
    for r, pr, ab in zip(rows, preds, abstain, strict=True):
        if not r["answerable"]:
            continue
        if ab or pr["sentence"] is None:
            contains.append(0.0)
            f1.append(0.0)
            continue
        short = pr["answer"] if pr["answer"] and pr["p_span"] >= min_span else None
        contains.append(float(contains_answer(shown(pr, second_ratio), r["answers"])))
        f1.append(token_f1(short or pr["sentence"], r["answers"]))
        f1_span.append(token_f1(pr["answer"] or "", r["answers"]))
    tp = int((abstain & ~ans).sum())
    return {
        "questions": len(rows),
        "gold_in_answer": round(float(np.mean(contains)), 3),
        "answer_f1": round(float(np.mean(f1)), 3),
        "span_f1_if_answered": round(float(np.mean(f1_span)), 3),
        "false_abstention": round(float(abstain[ans].mean()), 3),
        "abstention_recall": round(tp / max(1, int((~ans).sum())), 3),
        "abstention_precision": round(tp / max(1, int(abstain.sum())), 3),
    }


def curve(p: np.ndarray, answerable: np.ndarray, precision: float) -> dict:
    """Reported, never used to choose: on rows the model was not fitted on, the best abstention
    recall reachable at `precision`, the false abstentions it costs, and the ranking's AUC."""
    t = choose_threshold(p, answerable, precision)
    ab = p < t
    return {
        "at_precision": precision,
        "recall": round(float((ab & ~answerable).sum() / max(1, (~answerable).sum())), 3),
        "false_abstention": round(float(ab[answerable].mean()), 3),
        "threshold": round(t, 3),
        "auc": round(auc(p, answerable), 3),
    }
