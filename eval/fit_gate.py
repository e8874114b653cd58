"""Does the answerability gate pay before a model's answer that verification will check?

    python -m eval.fit_gate [--data ../shared/data/squad2-dev] [--store DIR] [--precision 0.9]

Runs the real read path (hybrid retrieval, top 6, the shipped reader) on every question of the
articles eval/fit_reader.py holds out, and prints the answerability gate's abstention precision,
recall and false-abstention rate at a range of thresholds, then the threshold a pre-generation
gate would need for `--precision` (None when no threshold reaches it).

The extractive backend copies the reader's picks, so its gate (rag/models/reader.json, chosen
for precision 0.8) is its only check. A backend that writes its own answer is checked again,
sentence by sentence, by verification; a gate before it should abstain only where it is surer
than that. Measured with reader-20261201-806bd514-6aab6c: precision stays at 0.83-0.88 for
every threshold from 0.08 to 0.244; 0.9 holds only below P 0.069 (14 of 2,957 questions), and
not across articles (chosen on half of them, 0.127 gives 0.833 on the other half; the other
half has no such threshold at all). So the pipeline keeps only the evidence gate before such
backends (rag/answerability.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from eval.fitting import choose_threshold
from eval.reader_data import article_of, load_rows, split_articles

THRESHOLDS = (0.05, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.244, 0.3)


def held_out_probabilities(data: Path, store: Path) -> list[dict]:
    """{id, article, answerable, p, held} for every question of the held-out articles."""
    from index.pipeline import IndexConfig, index_paths
    from rag.answerability import judge
    from rag.pipeline import AskConfig, Pipeline
    from rag.retrieval import retrieve

    rows = load_rows(data)
    _train, held = split_articles(sorted({article_of(r) for r in rows}))
    index_paths([data / "corpus"], IndexConfig(store=store))
    pipeline = Pipeline(AskConfig(index=IndexConfig(store=store)))
    out = []
    try:
        todo = [r for r in rows if article_of(r) in held]
        for i, r in enumerate(todo):
            qvec = pipeline.reader.embed_query(r["question"])
            got = retrieve(pipeline.reader, r["question"], pipeline.cfg.retrieval, None, qvec)
            pipeline.sentence_vectors.add(pipeline.reader.unit_vectors(got))
            j = judge(r["question"], got, pipeline.embed_sentences, qvec, writes_answer=True)
            out.append(
                {
                    "id": r["id"],
                    "article": article_of(r),
                    "answerable": bool(r["answerable"]),
                    "p": j.probability or 0.0,
                    "held": j.answerable,
                }
            )
            if (i + 1) % 500 == 0:
                print(f"{i + 1}/{len(todo)} questions", file=sys.stderr)
    finally:
        pipeline.close()
    return out


def curve(rows: list[dict], thresholds=THRESHOLDS) -> list[dict]:
    p = np.array([r["p"] for r in rows])
    y = np.array([r["answerable"] for r in rows])
    out = []
    for t in thresholds:
        ab = p < t
        out.append(
            {
                "threshold": t,
                "abstention_precision": round(float((~y[ab]).mean()), 3) if ab.any() else None,
                "abstention_recall": round(float((ab & ~y).sum() / max(1, (~y).sum())), 3),
                "false_abstention": round(float((ab & y).sum() / max(1, y.sum())), 3),
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.fit_gate", description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/squad2-dev"))
    ap.add_argument("--store", type=Path, default=Path(".cache/fit-gate/store"))
    ap.add_argument("--precision", type=float, default=0.9)
    args = ap.parse_args(argv)
    if not (args.data / "qa.jsonl").is_file():
        print(f"error: no qa.jsonl in {args.data}; pass --data DIR", file=sys.stderr)
        return 2
    rows = held_out_probabilities(args.data, args.store)
    report = {
        "questions": len(rows),
        "evidence_gate_abstains": round(float(np.mean([not r["held"] for r in rows])), 3),
        "curve": curve(rows),
        f"threshold_at_precision_{args.precision}": threshold(rows, args.precision),
        "halves": halves(rows, args.precision),
    }
    print(json.dumps(report, indent=1))
    return 0


def threshold(rows: list[dict], precision: float) -> float | None:
    p = np.array([r["p"] for r in rows])
    y = np.array([r["answerable"] for r in rows])
    return choose_threshold(p, y, precision) or None


def halves(rows: list[dict], precision: float) -> list[dict]:
    """The threshold chosen on every other held-out article, measured on the rest (and the other
    way round): does the precision it was chosen for hold on articles it was not chosen on?"""
    articles = sorted({r["article"] for r in rows})
    out = []
    for part in (articles[0::2], articles[1::2]):
        t = threshold([r for r in rows if r["article"] in part], precision)
        rest = [r for r in rows if r["article"] not in part]
        out.append({"chosen_on": part, "threshold": t, "rest": curve(rest, (t or 0.0,))[0]})
    return out


if __name__ == "__main__":
    raise SystemExit(main())
