"""How often does the read path say "the documents do not say" when they do not hold the article?

    python -m eval.asked_elsewhere [--data ../shared/data/squad2-dev] [--store DIR]
                                   [--every 2] [--llm extractive] [--json]

The question users ask most often of documents that do not hold its answer is about something
they never cover at all, not SQuAD 2.0's adversarial one written against a paragraph. Here every
`--every`-th question of the articles eval/fit_reader.py holds out (answerable or not) is asked,
through the real read path (`Pipeline.ask`: retrieval, the reader's judgement, its checks,
generation and verification), of the other 22 articles only: retrieval is restricted to their
sources, as if the question's article were not in the store. Every such question should
abstain; the share that does is printed, by kind of question (who, when, ...), beside how often
the same questions abstain asked of the whole store (their own article there to answer from).

Nothing is fitted on these questions: the reader and its thresholds were fitted on the other
articles (eval/fit_reader.py), and no rule was written from this list.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from eval.reader_data import article_of, load_rows, sources_without, split_articles
from rag.features import analyse_question


def asked_elsewhere(rows: list[dict], ask, every: int = 2) -> dict:
    """`ask(question, sources_or_None) -> Answer` over every `every`-th row; the questions
    asked with their own article left out, and of the whole store, and which abstained."""
    out = {"questions": 0, "elsewhere": Counter(), "whole": Counter(), "by_type": {}}
    t0 = time.time()
    for i, r in enumerate(rows[::every]):
        kind = analyse_question(r["question"]).qtype
        tally = out["by_type"].setdefault(kind, Counter())
        away = ask(r["question"], article_of(r)).abstained
        home = ask(r["question"], None).abstained
        out["questions"] += 1
        out["elsewhere"]["abstained"] += away
        out["whole"]["abstained"] += home
        out["whole"]["answerable" if r["answerable"] else "unanswerable"] += 1
        out["whole"]["false_abstention"] += home and r["answerable"]
        tally["questions"] += 1
        tally["abstained_elsewhere"] += away
        if i % 200 == 0:
            print(f"{i} questions ({time.time() - t0:.0f} s)", file=sys.stderr)
    return out


def summary(out: dict) -> dict:
    n = max(1, out["questions"])
    whole = out["whole"]
    return {
        "questions": out["questions"],
        "abstained_asked_elsewhere": round(out["elsewhere"]["abstained"] / n, 3),
        "abstained_asked_of_whole_store": round(whole["abstained"] / n, 3),
        "false_abstention_whole_store": round(
            whole["false_abstention"] / max(1, whole["answerable"]), 3
        ),
        "by_type": {
            k: round(v["abstained_elsewhere"] / max(1, v["questions"]), 3)
            for k, v in sorted(out["by_type"].items())
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/squad2-dev"))
    ap.add_argument("--store", type=Path, default=Path(".cache/fit-reader/store"))
    ap.add_argument("--every", type=int, default=2, help="ask every Nth held-out question")
    ap.add_argument("--llm", default="extractive", help="the backend that answers")
    ap.add_argument(
        "--articles",
        choices=("held", "train"),
        default="held",
        help="the held-out articles (default; report these), or the training ones (to study)",
    )
    ap.add_argument(
        "--answered",
        type=Path,
        metavar="JSONL",
        help="also write the questions answered though asked elsewhere (question, answer, quote)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.every < 1:
        raise SystemExit(f"--every {args.every}: give 1 or more (every Nth question)")

    from index.pipeline import IndexConfig, index_paths
    from rag.llm import LLMConfig
    from rag.pipeline import AskConfig, Pipeline

    rows = load_rows(args.data)
    train, held = split_articles(sorted({article_of(r) for r in rows}))
    chosen = held if args.articles == "held" else train
    cfg = IndexConfig(store=args.store)
    index_paths([args.data / "corpus"], cfg)
    pipeline = Pipeline(AskConfig(index=cfg, llm=LLMConfig(backend=args.llm)))
    every_source = pipeline.reader.sources()

    answered = []

    def ask(question: str, leave_out: str | None):
        keep = None if leave_out is None else sources_without(every_source, leave_out)
        a = pipeline.ask(question, sources=keep)
        if leave_out is not None and not a.abstained:
            quote = " ".join(c.text for c in a.citations)
            answered.append({"question": question, "answer": a.answer, "quote": quote})
        return a

    try:
        out = summary(
            asked_elsewhere([r for r in rows if article_of(r) in chosen], ask, args.every)
        )
    finally:
        pipeline.close()
    if args.answered:
        args.answered.write_text("".join(json.dumps(a) + "\n" for a in answered), encoding="utf-8")
    out["articles"] = args.articles
    out["backend"] = pipeline.backend
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for k, v in out.items():
            print(f"{k:32s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
