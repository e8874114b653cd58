"""Choose the rule scorer's threshold and recall weight (rag.support) on labelled pairs, held out
by article.

    python -m eval.fit_support_threshold [--json]

The rules decide most pairs by themselves (a missing value or name, a conflict); what is left is
the lexical score, 0.75 * content-word recall + 0.25 * bigram overlap, against a threshold. Both
constants were set by hand; this script measures them. Pairs: every non-refusal sentence of
llm_answers_dev.jsonl against the paragraph of its quote (grouped by document) and the pairs
derived from SQuAD 2.0 dev (eval/support_pairs.py, grouped by article). The articles are dealt
into three folds (sorted names, every third); for each held-out fold the (weight, threshold) with
the best mean of the two sets' balanced accuracies on the other folds is chosen, and scored on
the held-out fold. The constants shipped are the choice on all folds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from eval.fit_support import FOLDS, SHARED, llm_pairs
from eval.metrics import balanced_accuracy
from eval.support_pairs import squad_pairs
from rag.support import _RECALL_WEIGHT as SHIPPED_WEIGHT
from rag.support import DEFAULT_THRESHOLD as SHIPPED_THRESHOLD
from rag.verify import verbatim

WEIGHTS = (0.6, 0.7, 0.75, 0.8, 0.9, 1.0)
THRESHOLDS = tuple(round(0.40 + 0.01 * k, 2) for k in range(36))  # 0.40 .. 0.75


def _scored(rows: list[dict], weight: float) -> tuple[np.ndarray, np.ndarray]:
    """(lexical score, passes the hard rules) per pair, with recall weighted `weight`."""
    from rag import support as module

    saved = module._RECALL_WEIGHT
    module._RECALL_WEIGHT = weight
    try:
        score, ok = [], []
        for r in rows:
            claim, passage = r["claim"], r["passage"]
            if verbatim(claim, passage):
                score.append(1.0), ok.append(True)  # a verbatim quote (rag.verify.support)
                continue
            s = module.support(claim, passage, threshold=0.0)
            score.append(s.score), ok.append(not (s.missing or s.conflicts))
    finally:
        module._RECALL_WEIGHT = saved
    return np.array(score), np.array(ok)


def _fold(rows: list[dict]) -> np.ndarray:
    order = {g: i % FOLDS for i, g in enumerate(sorted({r["group"] for r in rows}))}
    return np.array([order[r["group"]] for r in rows])


def _ba(score, ok, y, t) -> float:
    return balanced_accuracy(list(ok & (score >= t)), list(y))


def fit(rows_by_set: dict[str, list[dict]]) -> dict:
    labels = {k: np.array([r["supported"] for r in v]) for k, v in rows_by_set.items()}
    folds = {k: _fold(v) for k, v in rows_by_set.items()}
    scored = {
        w: {k: _scored(v, w) for k, v in rows_by_set.items()} for w in WEIGHTS
    }  # fmt: skip

    def best(mask_of) -> tuple[float, float]:
        grid = []
        for w in WEIGHTS:
            for t in THRESHOLDS:
                bas = []
                for k in rows_by_set:
                    m = mask_of(k)
                    sc, ok = scored[w][k]
                    bas.append(_ba(sc[m], ok[m], labels[k][m], t))
                grid.append((float(np.mean(bas)), -abs(w - SHIPPED_WEIGHT), w, t))
        _, _, w, t = max(grid)
        return w, t

    held: dict[str, list] = {k: [] for k in rows_by_set}
    choices = []
    for f in range(FOLDS):
        w, t = best(lambda k, f=f: folds[k] != f)
        choices.append({"fold": f, "weight": w, "threshold": t})
        for k in rows_by_set:
            m = folds[k] == f
            sc, ok = scored[w][k]
            held[k].append((ok[m] & (sc[m] >= t), labels[k][m]))
    w, t = best(lambda k: np.ones(len(rows_by_set[k]), bool))
    out = {"chosen": {"weight": w, "threshold": t}, "per_fold": choices, "held_out": {}}
    for k in rows_by_set:
        pred = np.concatenate([p for p, _ in held[k]])
        gold = np.concatenate([g for _, g in held[k]])
        sc, ok = scored[SHIPPED_WEIGHT][k]
        base = ok & (sc >= SHIPPED_THRESHOLD)
        out["held_out"][k] = {
            **_summary(pred, gold),
            f"hand_set_{SHIPPED_WEIGHT}_{SHIPPED_THRESHOLD}": _summary(base, labels[k]),
        }
    return out


def _summary(pred: np.ndarray, gold: np.ndarray) -> dict:
    return {
        "balanced_accuracy": round(balanced_accuracy(list(pred), list(gold)), 4),
        "kept": f"{int((pred & gold).sum())}/{int(gold.sum())}",
        "caught": f"{int((~pred & ~gold).sum())}/{int((~gold).sum())}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.fit_support_threshold", description=__doc__)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    data = args.shared / "data" / "squad2-dev"
    llm = [r for r in llm_pairs(args.shared / "eval", data) if r["view"] == "paragraph"]
    result = fit({"llm_answers_dev": llm, "squad_derived": squad_pairs(data)})
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
