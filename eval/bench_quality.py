"""What each MiniLM runtime costs in retrieval quality: `python -m eval.bench onnx-quality`.

Dense nDCG@10 on BEIR SciFact (test split) and the seconds to embed its corpus, for the torch
encoder, the ONNX fp32 export (the default) and the int8 one.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from pathlib import Path

import numpy as np

from eval.metrics import ndcg_at_k

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "data" / "beir" / "scifact"
RUNTIMES = ("minilm-torch", "minilm", "minilm-int8")


def load_scifact(root: Path = SCIFACT) -> tuple[list[str], list[str], dict, dict]:
    """(doc ids, doc texts, test queries {id: text}, qrels {query id: {doc id: grade}})."""
    ids, texts = [], []
    with gzip.open(root / "corpus.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["_id"])
            texts.append(f"{d['title']} {d['text']}".strip())  # BEIR's title + text
    qrels: dict[str, dict[str, int]] = {}
    with open(root / "qrels" / "test.tsv", encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            qid, did, grade = line.split("\t")
            if int(grade) > 0:
                qrels.setdefault(qid, {})[did] = int(grade)
    queries = {}
    with open(root / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            if q["_id"] in qrels:
                queries[q["_id"]] = q["text"]
    return ids, texts, queries, qrels


def scifact_run(embedder_name: str, root: Path = SCIFACT) -> tuple[float, float]:
    """(mean dense nDCG@10 over the SciFact test queries, seconds to embed the corpus)."""
    from index.embedders import EmbedderConfig, get_embedder

    emb = get_embedder(EmbedderConfig(name=embedder_name))
    ids, texts, queries, qrels = load_scifact(root)
    emb.embed(["warm-up"])
    start = time.perf_counter()
    docs = emb.embed(texts)
    seconds = time.perf_counter() - start
    qids = sorted(queries)
    q = emb.embed([queries[i] for i in qids])
    scores = q @ docs.T  # unit vectors: cosine similarity
    top = np.argsort(-scores, axis=1)[:, :10]
    per_query = [
        ndcg_at_k([ids[j] for j in row], qrels[qid], 10) for qid, row in zip(qids, top, strict=True)
    ]
    return float(np.mean(per_query)), seconds


def bench_onnx_quality(args: argparse.Namespace) -> dict:
    from eval.bench import log

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    root = Path(args.data)
    result: dict = {}
    for name in RUNTIMES:
        log(f"scifact: {name} ...")
        ndcg, seconds = scifact_run(name, root)
        result[name] = {"ndcg_at_10": round(ndcg, 4), "corpus_embed_seconds": round(seconds, 1)}
        log(f"scifact: {name} nDCG@10 {ndcg:.4f}, corpus embedded in {seconds:.1f} s")
    torch_run = result["minilm-torch"]
    for name in ("minilm", "minilm-int8"):
        run = result[name]
        run["ndcg_delta_vs_torch"] = round(run["ndcg_at_10"] - torch_run["ndcg_at_10"], 4)
        run["speedup_vs_torch"] = round(
            torch_run["corpus_embed_seconds"] / run["corpus_embed_seconds"], 2
        )
    return result


def add_parser(sub) -> None:
    p = sub.add_parser("onnx-quality", help="SciFact nDCG@10: torch vs ONNX fp32 vs int8")
    p.add_argument("--json", action="store_true")
    p.add_argument("--data", default=str(SCIFACT), help="BEIR SciFact folder")
    p.set_defaults(func=bench_onnx_quality, show=lambda r: print(json.dumps(r, indent=2)))
