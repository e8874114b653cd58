"""Latency of the read path on the Python-docs index: `python -m eval.bench ask [--json]`.

Retrieval and full extractive answers are timed over 100 questions drawn deterministically
from the indexed text; time to first token is timed with the `local` backend. Figures are
percentiles of wall-clock time in this process, so compare them only within one run.

The store keeps sentence vectors (`rag index --sentence-vectors`, unless --no-sentence-vectors);
each question is also answered by a second pipeline that ignores them and embeds sentences at
question time, so `sentence_vectors_speedup` compares the two paths in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from eval.metrics import percentile
from index.pipeline import IndexConfig, index_paths

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "grounded-rag"


def questions_from_store(catalog, n: int) -> list[str]:
    return questions_from_texts(catalog.chunk_texts(), n)


def questions_from_texts(texts: list[str], n: int) -> list[str]:
    """Turn evenly spaced chunks' first long sentences into questions."""
    step = max(1, len(texts) // (n * 2))
    out: list[str] = []
    for text in texts[::step]:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            words = re.findall(r"[A-Za-z_][\w.]*", sentence)
            if len(words) >= 8:
                out.append("What does the documentation say about " + " ".join(words[:8]) + "?")
                break
        if len(out) == n:
            break
    return out


def bench_ask(args: argparse.Namespace) -> dict:
    from eval.bench import corpus_files, ensure_python_docs, log
    from rag.llm import LLMConfig
    from rag.pipeline import AskConfig, Pipeline
    from rag.retrieval import RetrievalConfig, retrieve

    docs = ensure_python_docs()
    files = corpus_files(docs, args.limit_files)
    name = f"pydocs-store-{args.limit_files or 'all'}"
    store = Path(args.store) if args.store else CACHE / "bench" / name
    log(f"indexing {len(files)} files of {docs} into {store} (incremental: quick when built)")
    cfg = IndexConfig(store=store, sentence_vectors=args.sentence_vectors)
    index_paths(files, cfg, progress=sys.stderr.isatty())

    pipeline = Pipeline(AskConfig(index=IndexConfig(store=store)))
    plain = Pipeline(AskConfig(index=IndexConfig(store=store)))
    plain.reader.unit_vectors = lambda sources: {}  # the question-time path, for comparison
    qs = questions_from_store(pipeline.reader.catalog, args.n)
    pipeline.ask(qs[0])  # warm the model and caches so the first question is not an outlier
    plain.ask(qs[0])
    retrieval_ms, answer_ms, plain_ms, abstained, same = [], [], [], 0, 0
    for q in qs:
        t0 = time.perf_counter()
        retrieve(pipeline.reader, q, RetrievalConfig())
        retrieval_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        a = pipeline.ask(q)
        answer_ms.append((time.perf_counter() - t0) * 1000)
        abstained += a.abstained
        t0 = time.perf_counter()
        b = plain.ask(q)
        plain_ms.append((time.perf_counter() - t0) * 1000)
        same += (a.answer, a.text, a.abstained) == (b.answer, b.text, b.abstained)
    log(f"{len(qs)} questions timed; {abstained} abstained")

    ttft_ms: list[float] = []
    local = Pipeline(AskConfig(index=IndexConfig(store=store), llm=LLMConfig(backend="local")))
    next(iter(local.stream(qs[0])), None)  # load the GGUF outside the clock
    for q in qs[: args.ttft_n]:
        t0 = time.perf_counter()
        for item in local.stream(q):
            if isinstance(item, str):
                ttft_ms.append((time.perf_counter() - t0) * 1000)
                break
    chunks = pipeline.reader.catalog.count_chunks()
    pipeline.close()
    plain.close()
    local.close()

    def pct(values: list[float]) -> dict:
        return {
            "p50": round(percentile(values, 50), 1),
            "p95": round(percentile(values, 95), 1),
        }

    return {
        "questions": len(qs),
        "chunks": chunks,
        "retrieval_ms": pct(retrieval_ms),
        "extractive_answer_ms": pct(answer_ms),
        "sentence_vectors": bool(args.sentence_vectors),
        "extractive_answer_ms_embedding_sentences": pct(plain_ms),
        "sentence_vectors_speedup": round(percentile(plain_ms, 50) / percentile(answer_ms, 50), 2),
        "same_answers_both_paths": same,
        "local_ttft_ms": pct(ttft_ms) if ttft_ms else None,
        "local_ttft_n": len(ttft_ms),
        "abstained": abstained,
    }


def add_parser(sub) -> None:
    p = sub.add_parser("ask", help="read-path latency on the Python docs index")
    p.add_argument("--json", action="store_true")
    p.add_argument("--n", type=int, default=100, help="questions to time")
    p.add_argument("--ttft-n", type=int, default=10, help="questions for time to first token")
    p.add_argument("--store", default=None, help="reuse this store (default: a cache folder)")
    p.add_argument(
        "--limit-files", type=int, default=None, metavar="N", help="index an even sample of N"
    )
    p.add_argument(
        "--sentence-vectors",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the store keeps sentence vectors (rag index --sentence-vectors; default on)",
    )
    p.set_defaults(func=bench_ask, show=lambda r: print(json.dumps(r, indent=2)))
