"""Fit the support scorer (rag/support_model.py) and write rag/models/support.json.

    python -m eval.fit_support [--eval ../shared/eval] [--data ../shared/data/squad2-dev]

Labelled (claim, passage) pairs come from two sources, grouped by the article they come from:

- `llm_answers_dev.jsonl`: every non-refusal sentence against its quote and against the
  blank-line paragraph holding the quote (an answer cites a chunk, not the exact quote);
- SQuAD 2.0 dev (`qa.jsonl`): a question turned into a statement with its gold answer against
  the evidence paragraph (supported), with the answer of another question on the same paragraph
  (unsupported: the name is there, tied to other words), and an unanswerable question's
  statement with an answer taken from the paragraph it was written against (unsupported).

Split: articles (news files and SQuAD articles) go to 3 folds by their sorted order. For each
fold a model is fitted on the other two, its threshold chosen on their inner out-of-fold
predictions (best balanced accuracy), and the fold is predicted: the figures reported are on
these held-out predictions only. The shipped model is fitted on all folds, its threshold chosen
the same way. grounding_pairs_dev.jsonl is never fitted on, only reported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from eval.grounding import paragraph
from rag.support_model import (
    FEATURES,
    MODEL_PATH,
    SupportModel,
    default_embed,
    features,
    passage_sentences,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
FOLDS = 3
C = 1.0  # L2 strength: sklearn's default; 16 features over ~2,000 pairs need no search
# Held-out (by article) balanced accuracy on the LLM sentences for SQuAD weights 0, 0.1, 0.3, 1:
# 0.726, 0.716, 0.709, 0.673 on quotes; 0.1 keeps most of that and still learns from SQuAD.
SQUAD_WEIGHT = 0.1
SQUAD_PER_ARTICLE = 30  # questions of each kind per article: keeps fitting under a minute


def llm_pairs(eval_dir: Path, data_dir: Path) -> list[dict]:
    """Every non-refusal sentence of llm_answers_dev.jsonl, against its quote and paragraph."""
    rows = []
    path = eval_dir / "llm_answers_dev.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        for s in r["sentences"]:
            if not s["quote"]:
                continue
            news = r["id"].startswith("dev-")
            corpus = eval_dir.parent / "corpus" if news else data_dir / "corpus"
            doc_text = (corpus / s["doc"]).read_text(encoding="utf-8")
            base = {"claim": s["text"], "supported": s["supported"], "kind": s["kind"]}
            base |= {"group": s["doc"], "source": "llm", "variant": r["variant"]}
            rows.append(base | {"passage": s["quote"], "view": "quote"})
            rows.append(base | {"passage": paragraph(doc_text, s["quote"]), "view": "paragraph"})
    return rows


_WH = re.compile(r"^(what|which|who|whom|whose|when|where|why|how many|how much|how)\b\s*", re.I)
_AUX = re.compile(r"^(did|does|do|is|was|are|were|has|have|had|can|could|will|would)\b\s*", re.I)


def statement(question: str, answer: str) -> str:
    """A crude declarative of a question with its answer: the features are bags of words,
    order of matched words and MiniLM similarity, all tolerant of clumsy grammar."""
    q = question.strip().rstrip("?").strip()
    m = _WH.match(q)
    if not m:
        return f"{q}: {answer}."
    rest = q[m.end() :]
    aux = _AUX.match(rest)
    if aux:
        return f"{rest[aux.end() :]} {answer}."
    return f"{answer} {rest}."


def model_dict(features, mean, scale, coef, intercept: float) -> dict:
    """A logistic layer as stored in rag/models/support*.json (rounded: a reviewed file)."""
    return {
        "features": list(features),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in coef],
        "intercept": round(intercept, 6),
    }


def squad_by_paragraph(data_dir: Path) -> tuple[dict, list[dict], dict[str, str]]:
    """qa.jsonl grouped: answerable questions with one evidence quote by (article, paragraph),
    the unanswerable ones written against a paragraph, and the articles' texts."""
    texts: dict[str, str] = {}
    by_para: dict[tuple[str, str], list[dict]] = defaultdict(list)
    unans: list[dict] = []
    for line in (data_dir / "qa.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        if q["answerable"] and len(q["evidence"]) == 1:
            ev = q["evidence"][0]
            doc = ev["doc"]
            texts.setdefault(doc, (data_dir / "corpus" / doc).read_text(encoding="utf-8"))
            by_para[(doc, paragraph(texts[doc], ev["quote"]))].append(q)
        elif not q["answerable"] and q.get("written_against"):
            unans.append(q)
    return by_para, unans, texts


def squad_pairs(data_dir: Path) -> list[dict]:
    rows_by_para, unans, texts = squad_by_paragraph(data_dir)
    out: list[dict] = []
    count: dict[tuple[str, str], int] = defaultdict(int)

    def add(doc: str, claim: str, passage: str, ok: bool, kind: str) -> None:
        if count[(doc, kind)] >= SQUAD_PER_ARTICLE:
            return
        count[(doc, kind)] += 1
        out.append(
            {
                "claim": claim,
                "passage": passage,
                "supported": ok,
                "kind": kind,
                "group": doc,
                "source": "squad",
                "view": "paragraph",
                "variant": "",
            }
        )

    for (doc, para), qs in sorted(rows_by_para.items()):
        for k, q in enumerate(qs):
            gold = q["answers"][0]
            add(doc, statement(q["question"], gold), para, True, "squad-gold")
            # Another question's answer on the same paragraph, sharing no word with any gold.
            gold_words = {w.lower() for a in q["answers"] for w in a.split()}
            for other in qs[k + 1 :] + qs[:k]:
                alt = other["answers"][0]
                if alt in para and not gold_words & {w.lower() for w in alt.split()}:
                    add(doc, statement(q["question"], alt), para, False, "squad-swap")
                    break
    for q in unans:
        doc, para = q["written_against"]["doc"], q["written_against"]["quote"]
        alts = [o["answers"][0] for o in rows_by_para.get((doc, para), [])]
        if alts:
            alt = alts[int(hashlib.sha1(q["id"].encode()).hexdigest(), 16) % len(alts)]
            add(doc, statement(q["question"], alt), para, False, "squad-unanswerable")
    return out


# --- fitting ---------------------------------------------------------------------------------


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(0), x.std(0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
    lr.fit((x - mean) / scale, y, sample_weight=w)
    return mean, scale, lr.coef_[0], float(lr.intercept_[0])


def _predict(model, x: np.ndarray) -> np.ndarray:
    mean, scale, coef, b = model
    return 1 / (1 + np.exp(-(((x - mean) / scale) @ coef + b)))


def balanced(pred: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> float:
    w = np.ones(len(y)) if w is None else w
    pos, neg = y == 1, y == 0
    tpr = (w * (pred & pos)).sum() / max((w * pos).sum(), 1e-9)
    tnr = (w * (~pred & neg)).sum() / max((w * neg).sum(), 1e-9)
    return float((tpr + tnr) / 2)


def _threshold(p: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = [balanced(p >= t, y, w) for t in grid]
    best = max(scores)
    # The middle of the best plateau: the least fragile choice among equals.
    ties = [t for t, s in zip(grid, scores, strict=True) if s >= best - 1e-9]
    return float(ties[len(ties) // 2])


def _fold_of(groups: list[str]) -> np.ndarray:
    order = {g: i % FOLDS for i, g in enumerate(sorted(set(groups)))}
    return np.array([order[g] for g in groups])


def fit_with_threshold(x, y, w, folds) -> tuple[tuple, float]:
    """Fit on all rows given; threshold from the out-of-fold predictions of `folds`."""
    oof = np.zeros(len(y))
    for f in np.unique(folds):
        tr = folds != f
        oof[~tr] = _predict(_fit(x[tr], y[tr], w[tr]), x[~tr])
    return _fit(x, y, w), _threshold(oof, y, w)


def weights(rows: list[dict]) -> np.ndarray:
    """The derived SQuAD pairs weigh SQUAD_WEIGHT of the hand-labelled LLM sentences in total:
    those are the style the verifier meets, the SQuAD statements are clumsy templates."""
    n_llm = sum(r["source"] == "llm" for r in rows)
    n_squad = sum(r["source"] == "squad" for r in rows) or 1
    return np.array([1.0 if r["source"] == "llm" else SQUAD_WEIGHT * n_llm / n_squad for r in rows])


def report(rows: list[dict], pred: np.ndarray) -> dict:
    """Held-out figures: kept/caught by kind for the LLM sentences (each view), BA per source."""
    out: dict = {}
    for view in ("quote", "paragraph"):
        sel = [
            (r, p)
            for r, p in zip(rows, pred, strict=True)
            if r["source"] == "llm" and r["view"] == view
        ]
        kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r, p in sel:
            kinds[r["kind"]][0] += bool(p) == r["supported"]
            kinds[r["kind"]][1] += 1
        sup = [bool(p) for r, p in sel if r["supported"]]
        uns = [not p for r, p in sel if not r["supported"]]
        out[f"llm_{view}"] = {
            "supported_kept": round(sum(sup) / len(sup), 3),
            "unsupported_caught": round(sum(uns) / len(uns), 3),
            "by_kind": {k: f"{a}/{n}" for k, (a, n) in sorted(kinds.items())},
        }
    sq = [(r, p) for r, p in zip(rows, pred, strict=True) if r["source"] == "squad"]
    if sq:
        y = np.array([r["supported"] for r, _ in sq])
        out["squad_balanced_accuracy"] = round(balanced(np.array([p for _, p in sq]), y), 3)
    return out


def grounding_dev(eval_dir: Path, model: SupportModel) -> dict:
    from eval.grounding import load_pairs

    rows = load_pairs(eval_dir / "grounding_pairs_dev.jsonl")
    pred = np.array(
        [model.probability(features(r["claim"], r["passage"])[0]) >= model.threshold for r in rows]
    )
    return {
        "n": len(rows),
        "balanced_accuracy": round(balanced(pred, np.array([r["supported"] for r in rows])), 3),
    }


def prefetch(texts: list[str]) -> None:
    """Embed every claim and passage sentence in one batched call (one at a time is ~10x
    slower); the scorer then finds them in its cache."""
    todo = [t for t in texts if t]
    sents = [s for t in todo for s in passage_sentences(t)]
    default_embed()(list(dict.fromkeys(todo + sents)))


def data_sha(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _held_out(x, y, w, groups) -> np.ndarray:
    """Verdicts on each fold from a model and threshold fitted on the other folds only."""
    folds = _fold_of(groups)
    held = np.zeros(len(y), dtype=bool)
    for f in range(FOLDS):
        tr = folds != f
        model, t = fit_with_threshold(x[tr], y[tr], w[tr], _fold_of(list(np.array(groups)[tr])))
        held[~tr] = _predict(model, x[~tr]) >= t
    return held


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.fit_support", description=__doc__)
    ap.add_argument("--eval", type=Path, default=SHARED / "eval")
    ap.add_argument("--data", type=Path, default=SHARED / "data" / "squad2-dev")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument(
        "--encoder",
        type=Path,
        help="held-out logits of eval.fit_support_encoder (.cache/fit-support/encoder-heldout-"
        "*.json): fit the cross-encoder's combination with the rules instead",
    )
    args = ap.parse_args(argv)
    if args.encoder:
        from eval.fit_support_combined import fit_encoder

        return fit_encoder(args)
    for p in (args.eval / "llm_answers_dev.jsonl", args.data / "qa.jsonl"):
        if not p.is_file():
            print(f"error: {p} not found; pass --eval / --data", file=sys.stderr)
            return 2
    rows = llm_pairs(args.eval, args.data) + squad_pairs(args.data)
    prefetch([r["claim"] for r in rows] + [r["passage"] for r in rows])
    x = np.array([features(r["claim"], r["passage"])[0] for r in rows])
    y = np.array([int(r["supported"]) for r in rows])
    w = weights(rows)
    folds = _fold_of([r["group"] for r in rows])

    held = _held_out(x, y, w, [r["group"] for r in rows])
    figures = report(rows, held)

    (mean, scale, coef, b), t = fit_with_threshold(x, y, w, folds)
    sha = data_sha([args.eval / "llm_answers_dev.jsonl", args.data / "qa.jsonl"])
    shipped = SupportModel(
        f"support-{datetime.now(UTC):%Y%m%d}-{sha[:8]}",
        FEATURES,
        tuple(mean),
        tuple(scale),
        tuple(coef),
        b,
        t,
    )
    figures["grounding_pairs_dev (never fitted)"] = grounding_dev(args.eval, shipped)
    out = {
        "version": shipped.version,
        "script": "python -m eval.fit_support",
        "data_sha256": sha,
        "pairs": {k: sum(r["source"] == k for r in rows) for k in ("llm", "squad")},
        "split": f"{FOLDS} folds by article (news file / SQuAD article), sorted order mod "
        f"{FOLDS}; thresholds chosen on inner out-of-fold predictions; figures below are on "
        "held-out folds only",
        "held_out": figures,
        "threshold": round(t, 2),
        "model": model_dict(FEATURES, mean, scale, coef, b),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("version", "pairs", "held_out", "threshold")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
