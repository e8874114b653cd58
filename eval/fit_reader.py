"""Fit the reader's three models on SQuAD 2.0 dev articles, split by article.

    python -m eval.fit_reader [--data ../shared/data/squad2-dev] [--cache .cache/fit-reader]
                              [--out rag/models/reader.json] [--precision 0.85]

1. Index the articles (incrementally) into a store under --cache, with the default embedder.
2. Retrieve for every question of qa.jsonl exactly as `rag ask` does (hybrid, top 6).
3. Features come from `rag.reader` itself, so fitting and answering see the same numbers.
4. Articles are split by a fixed rule (every third article in name order is held out); the
   models are fitted on the rest only and the held-out figures are printed (and stored in the
   model file), so the shipped model is reported on articles it never saw.

Sentence and span models are listwise (a softmax over one question's sentences, one sentence's
phrases); answerability is a logistic regression whose threshold is chosen on out-of-fold
predictions (folds by article, inside the training articles) for the requested abstention
precision.

The span encoder's scores are features of all three, so they must not come from an encoder
trained on the same articles (it reads them over-confidently, and a threshold chosen there does
not hold elsewhere). The shipped models are cross-fitted (each encoder ~12-25 min on 2 cores,
the reader ~15 min with the encoders' scores cached):

    python -m eval.fit_qa                                    # the shipped encoder
    python -m eval.fit_qa --without-part 0/2 --out PART0.npz
    python -m eval.fit_qa --without-part 1/2 --out PART1.npz
    python -m eval.fit_reader --cross-fit PART0.npz,PART1.npz

so a training question is read by the encoder that never saw its article, and held-out
articles (and `rag ask`) by the shipped one. Measured on the held-out articles against the same
encoder used for everything: question-level AUC 0.739 vs 0.709, recall 0.245 vs 0.185 at
abstention precision 0.8, and the threshold chosen at precision 0.8 gives 0.814 held out where
it gave 0.710 (false abstentions 0.047 vs 0.217).

`--refit evidence` refits the evidence gate alone, on what the shipped sentence, span, rerank
and answerability models read, and keeps those: a change of the gate then moves no answer it
does not turn away or let through.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from eval.fitting import choose_threshold, fit_logistic
from eval.reader_cache import fit_encoder
from eval.reader_data import (
    analyses,
    article_of,
    load_rows,
    retrieve_all,
    retriever_without,
    save_vectors,
    split_rows,
)
from eval.reader_figures import choose_second_ratio, curve, figures
from eval.reader_labels import (
    ELSEWHERE,
    elsewhere,
    fit_rerank,
    fit_sentence,
    fit_span,
    without_evidence,
)
from eval.reader_provenance import model_version, support_digest
from rag import reader as R
from rag.qa_encoder import ADAPTER_FILE


def predict(model: R.ReaderModel, a: R.Analysis, question: str, enc) -> dict:
    """What the read path does with one analysis: best sentence, phrase, answer features."""
    if not a.sentences:
        return {"sentence": None, "answer": None, "x": None}
    c = R.choose(model, a, question, enc)
    best = c.picks[0]
    return {
        "sentence": best.text,
        "second": c.picks[1].text if len(c.picks) > 1 else None,
        "ratio": c.ratio,
        "answer": best.answer,
        "p_span": best.answer_probability,
        "x": c.x,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/squad2-dev"))
    ap.add_argument("--cache", type=Path, default=Path(".cache/fit-reader"))
    ap.add_argument("--out", type=Path, default=R.MODEL_FILE)
    # The acceptance bar of issue 8 (abstention precision 0.8 on SQuAD 2.0 unanswerables).
    ap.add_argument("--precision", type=float, default=0.8)
    ap.add_argument("--min-span", type=float, default=0.0)
    ap.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also train answerability on questions whose evidence was removed (default on)",
    )
    # Share of answerable questions the evidence gate may turn away (out of fold): 2 points, so
    # that with the answerability model's own the total stays under the 0.08 bar of issue 8.
    ap.add_argument("--evidence-budget", type=float, default=0.02)
    ap.add_argument(
        "--elsewhere",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also train the evidence gate on questions asked of the other articles only "
        "(eval/reader_labels.elsewhere; measured and not kept, see there)",
    )
    ap.add_argument(
        "--rerank",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reorder the best sentences by the span encoder's reading (fitted listwise)",
    )
    ap.add_argument(
        "--analyses",
        choices=("compute", "save", "reuse"),
        default="compute",
        help="features of every question: computed each run (default); computed and saved to "
        "CACHE/analyses.pkl, then stop (save); or reused from that file (only valid for the "
        "code that saved it)",
    )
    ap.add_argument(
        "--adapter",
        type=Path,
        default=ADAPTER_FILE,
        help="the span encoder the read path will use (default: the shipped one)",
    )
    ap.add_argument(
        "--cross-fit",
        default="",
        metavar="A0,A1,...",
        help="encoders fitted without training part k of N (eval.fit_qa --without-part k/N), in "
        "order: training questions are read by the one that never saw their article",
    )
    ap.add_argument(
        "--refit",
        choices=("all", "evidence"),
        default="all",
        help="fit every model (default), or only the evidence gate, keeping the sentence, span, "
        "rerank and answerability models of --out as they are (a gate change then moves no "
        "other answer)",
    )
    ap.add_argument(
        "--dump-features",
        type=Path,
        metavar="NPZ",
        help="also save every question's answerability features, label, article and split "
        "(to try other answerability models on exactly what this fit sees)",
    )
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)

    rows = load_rows(args.data)
    train, held, train_art, held_art = split_rows(rows)
    saved = args.cache / "analyses.pkl"
    if args.analyses == "reuse":
        an, extra = pickle.loads(saved.read_bytes())
        if args.elsewhere and not any(r["id"].endswith(ELSEWHERE) for r in extra):
            raise SystemExit(
                f"{saved} has no questions asked of other articles: save it again "
                "(--analyses save) or fit without them (--no-elsewhere)"
            )
    else:
        retrieved, embed = retrieve_all(rows, args.data, args.cache)
        an = analyses(rows, retrieved, embed)
        extra, extra_an = without_evidence(rows, retrieved, embed)
        an.update(extra_an)
        if args.elsewhere:
            far, far_an = elsewhere(rows, retriever_without(args.cache), embed)
            extra += far
            an.update(far_an)
        save_vectors(args.cache, embed)
        if args.analyses == "save":
            saved.write_bytes(pickle.dumps((an, extra)))
            print(f"wrote {saved}", file=sys.stderr)
            return 0
    if not args.augment:
        extra = []

    enc = fit_encoder(args.cache, args.adapter, args.cross_fit, rows, train_art, article_of)
    kept = json.loads(args.out.read_text(encoding="utf-8")) if args.refit == "evidence" else {}
    if kept:
        # The gate's own features may have changed since: the rest must still load.
        shipped = R.ReaderModel.from_dict({k: v for k, v in kept.items() if k != "evidence"})
        sent, span, rerank = shipped.sentence, shipped.span, shipped.rerank
        span_floor = shipped.min_span
    else:
        sent = fit_sentence(train, an)
        span = fit_span(train, an, enc)
        rerank = fit_rerank(train, an, enc, sent) if args.rerank else None
        span_floor = args.min_span
    base = R.ReaderModel("fit", sent, span, sent, 0.5, span_floor, rerank=rerank)

    # Answerability: out-of-fold probabilities inside the training articles pick the threshold.
    preds = {r["id"]: predict(base, an[r["id"]], r["question"], enc) for r in [*rows, *extra]}
    extra_train = [
        r for r in extra if article_of(r) in train_art and preds[r["id"]]["x"] is not None
    ]
    extra_held = [r for r in extra if article_of(r) in held_art]
    usable = [r for r in train if preds[r["id"]]["x"] is not None]
    fit_rows = usable + extra_train
    x = np.stack([preds[r["id"]]["x"] for r in fit_rows])
    y = np.asarray([float(r["answerable"]) for r in fit_rows])
    arts = np.asarray([article_of(r) for r in fit_rows])
    squad = np.arange(len(fit_rows)) < len(usable)
    if args.dump_features:
        dump = [r for r in held if preds[r["id"]]["x"] is not None]
        np.savez(
            args.dump_features,
            x=x,
            y=y,
            article=arts,
            squad=squad,
            held_x=np.stack([preds[r["id"]]["x"] for r in dump]),
            held_y=np.asarray([float(r["answerable"]) for r in dump]),
            # What was read, for features tried outside this script: question, best sentence
            # and phrase of every row above (training rows first, then held-out ones).
            **{
                f"{prefix}{key}": np.asarray([str(preds[r["id"]][key] or "") for r in rs])
                for prefix, rs in (("", fit_rows), ("held_", dump))
                for key in ("sentence", "answer")
            },
            question=np.asarray([r["question"] for r in fit_rows]),
            held_question=np.asarray([r["question"] for r in dump]),
        )

    def fit_on(names: tuple[str, ...], rows: np.ndarray) -> R.Linear:
        """A logistic model of the features `names` (rag/reader.py) of the rows selected."""
        cols = [R.ANSWER_FEATURES.index(n) for n in names]
        return fit_logistic(x[rows][:, cols], y[rows]).reading(names, R.ANSWER_FEATURES)

    folds = sorted(set(arts))

    def out_of_fold(names: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
        """Each row's P(positive) from a model fitted on `rows` of the other folds' articles."""
        p = np.zeros(len(fit_rows))
        for k in range(5):
            test_arts = set(folds[k::5])
            m = np.asarray([a in test_arts for a in arts])
            p[m] = 1 / (1 + np.exp(-fit_on(names, ~m & rows)(x[m])))
        return p

    if kept:
        answerable, threshold = shipped.answerable, shipped.threshold
        precision = kept["answerable"]["target_abstention_precision"]
    else:
        oof = out_of_fold(R.ANSWERABLE_FEATURES, squad)
        threshold = choose_threshold(oof[squad], y[squad].astype(bool), args.precision)
        answerable = fit_on(R.ANSWERABLE_FEATURES, squad)
        precision = args.precision
    # Evidence: answerable questions against the same questions with their evidence removed.
    # Its threshold spends a stated budget of false abstentions on the out-of-fold answerable.
    ev = y.astype(bool) | ~squad
    evidence, ev_threshold = None, 0.0
    if extra_train:
        ev_oof = out_of_fold(R.EVIDENCE_FEATURES, ev)
        answerable_oof = ev_oof[squad & y.astype(bool)]
        ev_threshold = float(np.quantile(answerable_oof, args.evidence_budget))
        evidence = fit_on(R.EVIDENCE_FEATURES, ev)

    def prob(lin, r) -> float:
        x_r = preds[r["id"]]["x"]
        return R.sigmoid(lin, x_r) if x_r is not None else 0.0

    def abstains(rs, gate: bool = True) -> np.ndarray:
        return np.asarray(
            [
                prob(answerable, r) < threshold
                or (gate and evidence is not None and prob(evidence, r) < ev_threshold)
                for r in rs
            ]
        )

    enc.save()
    ratio = kept["sentence"]["second_ratio"] if kept else choose_second_ratio(train, preds)
    fig_train = figures(train, [preds[r["id"]] for r in train], abstains(train), span_floor, ratio)
    fig_held = figures(held, [preds[r["id"]] for r in held], abstains(held), span_floor, ratio)
    held_p = np.asarray([prob(answerable, r) for r in held])
    held_y = np.asarray([r["answerable"] for r in held])
    fig_held["curve"] = curve(held_p, held_y, args.precision)
    if extra_held:
        fig_held["without_evidence_gate"] = figures(
            held, [preds[r["id"]] for r in held], abstains(held, False), span_floor, ratio
        )
        for key, rs in (
            ("abstain_when_evidence_removed", [r for r in extra_held if ELSEWHERE not in r["id"]]),
            ("abstain_when_asked_elsewhere", [r for r in extra_held if ELSEWHERE in r["id"]]),
        ):
            if rs:
                fig_held[key] = round(float(abstains(rs).mean()), 3)
                fig_held["without_evidence_gate"][key] = round(float(abstains(rs, False).mean()), 3)
    data_sha = hashlib.sha256((args.data / "qa.jsonl").read_bytes()).hexdigest()[:16]
    out = {
        "version": "",
        "script": "eval/fit_reader.py",
        "data": f"squad2-dev qa.jsonl sha256:{data_sha}",
        "split": {"held_out_articles": held_art, "rule": "sorted name order, i % 3 == 1"},
        "span_encoder": {
            "adapter_sha256": hashlib.sha256(args.adapter.read_bytes()).hexdigest()[:12],
            "cross_fit_parts": len(args.cross_fit.split(",")) if args.cross_fit else 0,
        },
        "support_rules_digest": support_digest(rows),
        "figures": {"train_articles": fig_train, "held_out_articles": fig_held},
        "sentence": {
            "features": list(R.SENTENCE_FEATURES),
            **sent.to_dict(),
            "second_ratio": ratio,
        },
        "span": {
            "features": list(R.SPAN_FEATURES),
            **span.to_dict(),
            "min_probability": span_floor,
        },
        "answerable": {
            "features": list(R.ANSWERABLE_FEATURES),
            **answerable.to_dict(),
            "threshold": round(threshold, 4),
            "target_abstention_precision": precision,
        },
    }
    if rerank is not None:
        out["rerank"] = {"features": list(R.RERANK_FEATURES), **rerank.to_dict()}
    if evidence is not None:
        out["evidence"] = {
            "features": list(R.EVIDENCE_FEATURES),
            **evidence.to_dict(),
            "threshold": round(ev_threshold, 4),
            "false_abstention_budget": args.evidence_budget,
        }
    out["version"] = version = model_version(out, time.strftime("%Y%m%d"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out["figures"], indent=1))
    print(f"wrote {args.out} ({version}); threshold {threshold:.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
