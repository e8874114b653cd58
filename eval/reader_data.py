"""The reader fit's data: SQuAD 2.0's questions, split by article, each retrieved as `rag ask`
does and analysed by rag.reader (eval/fit_reader.py and eval/fit_qa.py share them)."""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
import time
from pathlib import Path

from rag import reader as R
from rag.vector_cache import VectorCache

HELD_OUT_EVERY = 3  # article i (0-based, name order) is held out when i % 3 == 1


def split_articles(names: list[str]) -> tuple[list[str], list[str]]:
    names = sorted(names)
    held = [n for i, n in enumerate(names) if i % HELD_OUT_EVERY == 1]
    return [n for n in names if n not in held], held


def split_rows(rows: list[dict]) -> tuple[list[dict], list[dict], list[str], list[str]]:
    """Training and held-out questions, and the two lists of articles (`split_articles`)."""
    train_art, held_art = split_articles(sorted({article_of(r) for r in rows}))
    train = [r for r in rows if article_of(r) in train_art]
    held = [r for r in rows if article_of(r) in held_art]
    return train, held, train_art, held_art


# --- data ------------------------------------------------------------------------------------


def load_rows(data: Path) -> list[dict]:
    rows = []
    with (data / "qa.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def article_of(row: dict) -> str:
    if row.get("evidence"):
        return row["evidence"][0]["doc"]
    return row["written_against"]["doc"]


def retrieve_all(rows: list[dict], data: Path, cache: Path) -> tuple[dict, VectorCache]:
    """question id -> retrieved sources; and the caching embedder (retrieval as `rag ask`)."""
    from index.pipeline import IndexConfig, index_paths
    from index.reader import IndexReader
    from rag.retrieval import RetrievalConfig, retrieve

    store = cache / "store"
    cfg = IndexConfig(store=store)
    report = index_paths([data / "corpus"], cfg)
    print(f"store {store}: {report.chunks} chunks (embedded {report.embedded})", file=sys.stderr)
    reader = IndexReader(cfg)
    # Unbounded: the same sentences recur across questions, and the fit needs them all.
    embed = VectorCache(reader.embedder.embed, max_items=10**9)
    out_file = cache / "retrieved.pkl"
    key = hashlib.sha256(
        json.dumps([report.chunks, sorted(r["id"] for r in rows)]).encode()
    ).hexdigest()
    if out_file.exists():
        saved = pickle.loads(out_file.read_bytes())
        if saved.get("key") == key:
            embed.add(saved.get("vectors", {}))
            return saved["retrieved"], embed
    retrieved = {}
    t0 = time.time()
    qvecs = embed([r["question"] for r in rows])
    for i, (r, qv) in enumerate(zip(rows, qvecs, strict=True)):
        retrieved[r["id"]] = retrieve(reader, r["question"], RetrievalConfig(), query_vec=qv)
        if i % 500 == 0:
            print(f"retrieved {i}/{len(rows)} ({time.time() - t0:.0f} s)", file=sys.stderr)
    out_file.write_bytes(pickle.dumps({"key": key, "retrieved": retrieved, "vectors": {}}))
    return retrieved, embed


def save_vectors(cache: Path, embed: VectorCache) -> None:
    """Keep the sentence vectors with the retrieval cache: refits then skip the encoder."""
    path = cache / "retrieved.pkl"
    saved = pickle.loads(path.read_bytes())
    vectors = embed.vectors
    if len(saved.get("vectors", {})) < len(vectors):
        saved["vectors"] = vectors
        path.write_bytes(pickle.dumps(saved))


def analyses(rows, retrieved, embed) -> dict:
    out = {}
    t0 = time.time()
    for i, r in enumerate(rows):
        out[r["id"]] = R.analyse(r["question"], retrieved[r["id"]], embed)
        if i % 1000 == 0:
            print(f"features {i}/{len(rows)} ({time.time() - t0:.0f} s)", file=sys.stderr)
    return out


def retriever_without(cache: Path):
    """row -> the passages `rag ask` retrieves for its question from the fit's store without
    the row's article (eval/reader_labels.elsewhere)."""
    from index.pipeline import IndexConfig
    from index.reader import IndexReader
    from rag.retrieval import RetrievalConfig, retrieve

    reader = IndexReader(IndexConfig(store=cache / "store"))
    every = reader.sources()

    def passages(row: dict) -> list:
        others = sources_without(every, article_of(row))
        return retrieve(reader, row["question"], RetrievalConfig(), sources=others)

    return passages


def sources_without(sources: list[str], article: str) -> list[str]:
    """The store's sources but the article's file (articles are named by file name)."""
    return [s for s in sources if Path(s).name != article]
