"""Fit the near-miss gate (rag/near_miss.py) on SQuAD 2.0 dev articles, split by article.

    python -m eval.fit_near_miss [--data ../shared/data/squad2-dev] [--cache .cache/fit-near-miss]
                                 [--out rag/models/near_miss.json] [--budget 0.02] [--seed 7]

Users ask for an attribute their documents do not give ("What was Alibaba's total revenue?" of
a page giving its AI investments). SQuAD holds few such questions, so they are made: every
answerable question of the training articles that asks an attribute's value ("What was the
population of Warsaw in 1901?") is asked again with its attribute swapped for another training
question's attribute that the article never uses ("What was the budget of Warsaw in 1901?"),
and labelled unanswerable. Both are retrieved and read exactly as `rag ask` does (same split
and store recipe as eval/fit_reader.py); a logistic model over the reader's answer features
(rag.reader.ANSWER_FEATURES) learns to tell them apart.

Its threshold is set by a budget, not by the pairs: the logit below which at most --budget of
the training articles' answerable questions that the reader answers would fall (the evidence
gate's 2 points, eval/fit_reader.py --evidence-budget). The gate only acts on questions of the
swapped form whose best sentence never uses the attribute word, so it turns away far fewer.

Printed and stored (rag/models/near_miss.json): on the held-out articles, the original/swapped
AUC, the share of swapped questions turned away, and what the gate turns away among SQuAD's own
questions (answerable vs not), which it never saw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from eval.fitting import auc, fit_logistic
from eval.reader_data import article_of, load_rows, retrieve_all, split_rows
from index.text import tokens
from rag import reader as R
from rag.near_miss import NearMissModel, asked_attribute, attribute_span, near_miss

SWAP = "#swap:"  # a swapped question's id: the original's, this, and the word swapped in


def swapped(rows: list[dict], data: Path, seed: int) -> list[dict]:
    """Each answerable attribute question again, its attribute a word its article never uses."""
    asked = [(r, attribute_span(r["question"])) for r in rows if r["answerable"]]
    asked = [(r, span) for r, span in asked if span]
    pool = sorted({r["question"][a:b].lower() for r, (a, b) in asked})
    rng = random.Random(seed)
    vocab: dict[str, set[str]] = {}
    out = []
    for r, (a, b) in asked:
        doc = article_of(r)
        if doc not in vocab:
            vocab[doc] = set(tokens((data / "corpus" / doc).read_text(encoding="utf-8")))
        q = r["question"]
        options = [
            w
            for w in pool
            if w.isalpha() and not set(tokens(w)) & vocab[doc] and w != q[a:b].lower()
        ]
        rng.shuffle(options)
        for w in options:
            new = q[:a] + w + q[b:]
            if asked_attribute(new) == w:  # still a question of the form the gate judges
                out.append({**r, "id": r["id"] + SWAP + w, "question": new, "answerable": False})
                break
    return out


def read_all(rows, retrieved, embed) -> dict:
    """id -> (answer features, best sentence, answered by the reader) as `rag ask` reads."""
    out, t0 = {}, time.time()
    for i, r in enumerate(rows):
        reading = R.read(r["question"], retrieved[r["id"]], embed)
        top = reading.picks[0].text if reading.picks else ""
        out[r["id"]] = (reading.x, top, reading.answerable)
        if i % 1000 == 0:
            print(f"read {i}/{len(rows)} ({time.time() - t0:.0f} s)", file=sys.stderr)
    return out


def turned_away(model: NearMissModel, rows, read) -> list[dict]:
    """Rows the gate turns away among those the reader answers (rag.near_miss.near_miss)."""
    out = []
    for r in rows:
        x, top, answered = read[r["id"]]
        if answered and near_miss(r["question"], top, x, model):
            out.append(r)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m eval.fit_near_miss")
    ap.add_argument("--data", type=Path, default=Path("../shared/data/squad2-dev"))
    ap.add_argument("--cache", type=Path, default=Path(".cache/fit-near-miss"))
    ap.add_argument("--out", type=Path, default=Path("rag/models/near_miss.json"))
    ap.add_argument("--budget", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--l2", type=float, default=1.0)
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)

    rows = load_rows(args.data)
    train, held, _, _ = split_rows(rows)
    swaps_train = swapped(train, args.data, args.seed)
    swaps_held = swapped(held, args.data, args.seed)
    todo = [r for r in train if r["answerable"]] + held + swaps_train + swaps_held
    print(f"swapped: {len(swaps_train)} training, {len(swaps_held)} held out", file=sys.stderr)
    retrieved, embed = retrieve_all(todo, args.data, args.cache)
    read = read_all(todo, retrieved, embed)

    def pairs(swaps):
        xs, ys = [], []
        for s in swaps:
            orig, swap = read[s["id"].split(SWAP)[0]][0], read[s["id"]][0]
            if orig is not None and swap is not None:
                xs += [orig, swap]
                ys += [1.0, 0.0]
        return np.asarray(xs), np.asarray(ys)

    x, y = pairs(swaps_train)
    lin = fit_logistic(x, y, l2=args.l2)
    answered = np.asarray([read[r["id"]][0] for r in train if r["answerable"] and read[r["id"]][2]])
    threshold = float(np.quantile(lin(answered), args.budget))
    digest = hashlib.sha256((args.data / "qa.jsonl").read_bytes()).hexdigest()[:8]
    weights_digest = hashlib.sha256(json.dumps(lin.to_dict()).encode()).hexdigest()[:6]
    version = f"near-miss-{date.today():%Y%m%d}-{digest}-{weights_digest}"
    model = NearMissModel(
        lin.weights, lin.mean, lin.scale, lin.bias, threshold=threshold, version=version
    )

    hx, hy = pairs(swaps_held)
    away = turned_away(model, held, read)
    away_swaps = turned_away(model, swaps_held, read)
    answered_swaps = [s for s in swaps_held if read[s["id"]][2]]
    figures = {
        "train_articles": {"pairs": int(len(y) // 2), "auc": round(auc(lin(x), y > 0), 3)},
        "held_out_articles": {
            "pairs": int(len(hy) // 2),
            "auc": round(auc(lin(hx), hy > 0), 3),
            "swapped_answered_by_reader": len(answered_swaps),
            "swapped_turned_away": len(away_swaps),
            "questions": len(held),
            "turned_away_answerable": sum(r["answerable"] for r in away),
            "turned_away_unanswerable": sum(not r["answerable"] for r in away),
        },
    }
    print(json.dumps(figures, indent=1))
    out = {
        "version": version,
        "script": "eval/fit_near_miss.py",
        "data": f"squad2-dev qa.jsonl sha256:{digest}",
        "reader": R.default_model().version,
        "args": {"budget": args.budget, "seed": args.seed, "l2": args.l2},
        "features": list(R.ANSWER_FEATURES),
        **lin.to_dict(),
        "threshold": round(threshold, 6),
        "figures": figures,
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({version})", file=sys.stderr)


if __name__ == "__main__":
    main()
