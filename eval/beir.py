"""BEIR retrieval mode: nDCG@10 and recall@100 of dense, lexical and hybrid retrieval.

A BEIR folder holds `corpus.jsonl` (or `.jsonl.gz`), `queries.jsonl` and `qrels/test.tsv`.
The corpus goes through the project's own write path (one .txt file per document, title on
the first line, indexed by `index_paths`) so the figures measure the retrieval users get, not
a separate reimplementation. Documents are ranked by their best chunk. The built store lives
in a cache folder keyed by the corpus file's hash and the embedder, so a re-run only queries.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from eval.metrics import ndcg_at_k, recall_at_k
from index.embedders import EmbedderConfig, embedder_name
from index.errors import ConfigError
from index.pipeline import IndexConfig, index_paths

MODES = ("dense", "lexical", "hybrid")
CHUNKS_PER_QUERY = 300  # chunks fetched per list: enough to fill 100 distinct documents

# Published nDCG@10 on the BEIR test split (see ../shared/data/beir/REFERENCE.md).
PUBLISHED = {
    "scifact": {"BM25 (BEIR paper)": 0.665, "all-MiniLM-L6-v2 (MTEB)": 0.645},
    "nfcorpus": {"BM25 (BEIR paper)": 0.325, "all-MiniLM-L6-v2 (MTEB)": 0.316},
}


@dataclass(frozen=True)
class BeirData:
    corpus_file: Path
    queries: dict[str, str]  # only the queries that have judgments
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: relevance grade}


def _open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open()


def corpus_file(folder: Path) -> Path:
    for name in ("corpus.jsonl", "corpus.jsonl.gz"):
        if (folder / name).is_file():
            return folder / name
    raise ConfigError(f"{folder} has no corpus.jsonl or corpus.jsonl.gz; is it a BEIR folder?")


def iter_corpus(path: Path) -> Iterable[tuple[str, str, str]]:
    """(doc id, title, text) for each corpus line."""
    with _open_text(path) as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                yield str(d["_id"]), (d.get("title") or "").strip(), d.get("text") or ""


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open() as f:
        for n, line in enumerate(f):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            if n == 0 and not parts[2].strip().lstrip("-").isdigit():
                continue  # the "query-id corpus-id score" header
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def load_beir(folder: Path, split: str = "test") -> BeirData:
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise ConfigError(f"{folder} has no qrels/{split}.tsv; is it a BEIR folder?")
    qrels = load_qrels(qrels_path)
    queries: dict[str, str] = {}
    with (folder / "queries.jsonl").open() as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                if str(d["_id"]) in qrels:
                    queries[str(d["_id"])] = d["text"]
    missing = sorted(set(qrels) - set(queries))
    if missing:
        raise ConfigError(f"{len(missing)} judged queries are not in queries.jsonl: {missing[:5]}")
    return BeirData(corpus_file(folder), queries, qrels)


# ---------------------------------------------------------------------------------- the store


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "grounded-rag" / "beir"


def build_store(
    folder: Path, embedder: EmbedderConfig, cache: Path | None = None, progress: bool = False
) -> tuple[IndexConfig, list[str]]:
    """Index the corpus (once per corpus hash and embedder); returns its config and doc ids."""
    corpus = corpus_file(folder)
    digest = hashlib.sha256(corpus.read_bytes()).hexdigest()[:16]
    slug = re.sub(r"[^\w.-]+", "_", embedder_name(embedder))[-60:]
    root = (cache or _cache_root()) / f"{folder.resolve().name}-{digest}-{slug}"
    docs = root / "docs"
    ids_file = root / "ids.json"
    if not ids_file.is_file():
        # Files are named by position, not by id: BEIR ids may hold any character.
        docs.mkdir(parents=True, exist_ok=True)
        ids: list[str] = []
        for i, (doc_id, title, text) in enumerate(iter_corpus(corpus)):
            body = f"{title}\n\n{text}\n" if title else f"{text}\n"
            (docs / f"d{i:07d}.txt").write_text(body, encoding="utf-8")
            ids.append(doc_id)
        ids_file.write_text(json.dumps(ids))  # written last: marks the folder complete
    ids = json.loads(ids_file.read_text())
    cfg = IndexConfig(store=root / "store", embedder=embedder)
    if progress:
        print(f"indexing {len(ids)} documents into {cfg.store} (cached)", file=sys.stderr)
    report = index_paths([docs], cfg, progress=progress)
    if report.errors:
        print(f"warning: {len(report.errors)} documents not indexed", file=sys.stderr)
    return cfg, ids


def _doc_index(source: str) -> int:
    return int(Path(source).stem[1:])


# ---------------------------------------------------------------------------------- the run


def run_beir(
    folder: Path,
    embedder: EmbedderConfig | None = None,
    cache: Path | None = None,
    progress: bool | None = None,
    depth: int = 100,
) -> dict:
    """{mode: {"ndcg@10", "recall@100"}} for dense, lexical and hybrid retrieval."""
    from tqdm import tqdm

    from index.reader import IndexReader
    from rag.retrieval import RetrievalConfig, retrieve

    progress = sys.stderr.isatty() if progress is None else progress
    data = load_beir(folder)
    cfg, ids = build_store(folder, embedder or EmbedderConfig(), cache, progress)
    reader = IndexReader(cfg)
    try:
        qids = sorted(data.queries)
        vecs = reader.embedder.embed([data.queries[q] for q in qids])
        fetch = max(CHUNKS_PER_QUERY, 3 * depth)
        sums = {m: {"ndcg@10": 0.0, f"recall@{depth}": 0.0} for m in MODES}
        for qid, vec in tqdm(
            list(zip(qids, vecs, strict=True)), desc="beir", unit="q", disable=not progress
        ):
            for mode in MODES:
                rc = RetrievalConfig(top_k=fetch, fetch_k=fetch, mode=mode)
                chunks = retrieve(reader, data.queries[qid], rc, query_vec=vec)
                ranked: list[str] = []
                for src in chunks:  # a document ranks where its best chunk ranks
                    doc = ids[_doc_index(src.source)]
                    if doc not in ranked:
                        ranked.append(doc)
                rels = data.qrels[qid]
                sums[mode]["ndcg@10"] += ndcg_at_k(ranked, rels, 10)
                relevant = [d for d, grade in rels.items() if grade > 0]
                sums[mode][f"recall@{depth}"] += recall_at_k(ranked, relevant, depth)
    finally:
        reader.close()
    n = len(qids)
    return {m: {k: round(v / n, 4) for k, v in sums[m].items()} for m in MODES}


def format_beir(folder: Path, result: dict, depth: int = 100) -> str:
    lines = [f"BEIR {folder.name}: nDCG@10 and recall@{depth} (documents ranked by best chunk)"]
    lines.append(f"{'mode':<10}{'nDCG@10':>10}{f'recall@{depth}':>12}")
    for mode in MODES:
        r = result[mode]
        lines.append(f"{mode:<10}{r['ndcg@10']:>10.4f}{r[f'recall@{depth}']:>12.4f}")
    published = PUBLISHED.get(folder.resolve().name.lower())
    if published:
        shown = ", ".join(f"{k} {v:.3f}" for k, v in published.items())
        lines.append(f"published nDCG@10: {shown}")
        best = max(published.values())
        verdict = "above" if result["hybrid"]["ndcg@10"] > best else "not above"
        lines.append(f"hybrid is {verdict} the best published baseline ({best:.3f})")
    return "\n".join(lines)
