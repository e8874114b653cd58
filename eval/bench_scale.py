"""Retrieval at scale: `python -m eval.bench scale --chunks 100000 [--json]`.

Builds a store of N chunks quickly, then times retrieval on it the way `rag ask` runs it.

What the store holds: real chunks of the Python docs (an even sample of `--seed-files` files,
chunked by our chunker, at most `--seed-chunks` of them, embedded once), repeated until N.
Copy c of a chunk has " v<c>" appended to its text (so every chunk, text hash and cached
vector is distinct, as in a real store) and a vector that is the seed's plus Gaussian noise
(cosine ~0.9 to it), so HNSW sees clusters of near neighbours rather than exact duplicates.
Lexical statistics are those of real text with every document frequency multiplied by the
number of copies, which is what matters for the cost of an FTS5 query. Everything goes
through the real catalog (`put_file`: manifest, FTS5, vector cache, document text) and Chroma.

Queries are questions made from the seed chunks (as `bench ask` does); each is answered with
`rag.retrieval.retrieve` in dense, lexical and hybrid mode (dense and hybrid include embedding
the query), warm, in a fresh process whose peak RSS is that of the read path alone. Then the
choices that matter at this size are timed in alternation on the same questions: BM25 ranked
in rounds (index/catalog/lexical.py) or in one pass over every match (with a check that both
give the same ids in the same order), and SQLite mmap; then HNSW ef_search against exact
(brute-force) top 30, each in a fresh process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from eval.metrics import percentile

MODES = ("dense", "lexical", "hybrid")
NOISE = 0.025  # per dimension: cosine to the seed ~ 1 / sqrt(1 + 384 * NOISE**2) = 0.90
EF_SEARCH = (10, 30, 100, 200)  # Chroma's default is 100
MMAP_BYTES = 1 << 30


def _pct(values: list[float]) -> dict:
    return {"p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2)}


def _rss_mb() -> float:
    # /proc rather than psutil, which is not a dependency (Linux, as the bench machine).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    return 0.0


def _peak_rss_mb() -> float:
    """This process's high-water RSS. Not ru_maxrss: Linux carries that over from the parent
    across fork and exec, so a spawned child would report the benchmark's own peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# ---------------------------------------------------------------- building the store


def seed_chunks(source: Path, files: int, limit: int):
    """[(source, doc text, doc title, [Chunk])] from an even sample of files, chunks capped."""
    from eval.bench import corpus_files
    from index.chunking import chunk_document
    from index.embedders import EmbedderConfig, get_embedder
    from index.errors import RagError
    from index.loaders import load_document

    emb = get_embedder(EmbedderConfig())  # the default encoder's budget, as `rag index` uses
    out, total = [], 0
    for f in corpus_files(source, files):
        try:
            doc = load_document(f)
        except RagError:
            continue
        chunks = chunk_document(doc, emb.count_tokens, emb.budget)[: limit - total]
        if chunks:
            out.append((str(f.relative_to(source)), doc.text, doc.title, chunks))
            total += len(chunks)
        if total >= limit:
            break
    return out


def build_store(store: Path, seeds, vectors: np.ndarray, n_chunks: int, log) -> dict:
    """Write copies of the seed files until the store holds n_chunks chunks."""
    import hashlib

    from index.catalog import FileRecord
    from index.embedders import EmbedderConfig, embedder_name
    from index.pipeline import IndexConfig, open_store

    catalog, chroma = open_store(IndexConfig(store=store))
    rng = np.random.default_rng(0)
    catalog.set_meta("embedder", embedder_name(EmbedderConfig()))  # queried with the default
    catalog.set_meta("dim", str(vectors.shape[1]))
    written, copy, start = 0, 0, time.perf_counter()
    try:
        while written < n_chunks:
            ids, vecs, texts, metas = [], [], [], []
            with catalog.transaction():
                offset = 0
                for rel, text, title, chunks in seeds:
                    take = chunks[: n_chunks - written]
                    if not take:
                        break
                    src = f"/synthetic/v{copy}/{rel}"
                    base = vectors[offset : offset + len(take)]
                    offset += len(chunks)
                    noisy = base + rng.normal(0, NOISE, base.shape).astype(np.float32)
                    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
                    copies = [
                        type(c)(src, c.title, c.start, c.end, f"{c.text} v{copy}", c.page)
                        for c in take
                    ]
                    hashes = [hashlib.sha256(c.text.encode()).hexdigest() for c in copies]
                    cids = [f"{h[:16]}-{i}" for i, h in enumerate(hashes)]
                    rec = FileRecord(src, f"v{copy}:{rel}", len(text), 0, title, len(copies))
                    catalog.put_file(rec, text, copies, cids, hashes, noisy, title)
                    ids += cids
                    vecs.append(noisy)
                    texts += [c.text for c in copies]
                    metas += [
                        {
                            "source": src,
                            "title": c.title,
                            "doc_title": title,
                            "start": c.start,
                            "end": c.end,
                        }  # fmt: skip
                        for c in copies
                    ]
                    written += len(copies)
            chroma.add(ids, np.concatenate(vecs), texts, metas)
            copy += 1
            rate = written / (time.perf_counter() - start)
            log(f"scale: {written} / {n_chunks} chunks written ({rate:.0f}/s)")
        return {"seconds": round(time.perf_counter() - start, 1), "copies": copy}
    finally:
        catalog.close()


# ---------------------------------------------------------------- timing (fresh process)


def measure_queries(store: str, questions: list[str]) -> dict:
    """Warm p50/p95 per mode, then the settings compared in alternation (so load hits all
    alike); runs in a spawned process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from index.pipeline import IndexConfig
    from index.reader import IndexReader
    from rag.retrieval import RetrievalConfig, retrieve

    reader = IndexReader(IndexConfig(store=Path(store)))
    reader.embed_query("warm-up")
    rss_open = _rss_mb()
    times: dict[str, list[float]] = {m: [] for m in (*MODES, "embed_query")}
    for mode in MODES:  # one untimed pass each: page cache and HNSW loaded, as when warm
        retrieve(reader, questions[0], RetrievalConfig(mode=mode))
    for q in questions:
        t0 = time.perf_counter()
        reader.embed_query(q)
        times["embed_query"].append((time.perf_counter() - t0) * 1000)
        for mode in MODES:
            t0 = time.perf_counter()
            retrieve(reader, q, RetrievalConfig(mode=mode))
            times[mode].append((time.perf_counter() - t0) * 1000)
    result = {f"{k}_ms": _pct(v) for k, v in times.items()}
    result["rss_mb_after_open"] = round(rss_open, 1)
    result["peak_rss_mb"] = round(_peak_rss_mb(), 1)

    # BM25 ranked in rounds against one pass over every match (the reference: same ids in the
    # same order?), and the rounds with SQLite mmap.
    k = RetrievalConfig().fetch_k
    cat = reader.catalog
    alt: dict[str, list[float]] = {"lexical_one_pass": [], "lexical_rounds": []}
    alt["lexical_rounds_mmap"] = []
    same = 0
    ids: dict[str, list[str]] = {}
    for q in questions:
        for key, size, exhaustive in (
            ("lexical_one_pass", 0, True),
            ("lexical_rounds", 0, False),
            ("lexical_rounds_mmap", MMAP_BYTES, False),
        ):
            cat.set_mmap_size(size)
            t0 = time.perf_counter()
            got = cat.lexical_search(q, k, exhaustive=exhaustive)
            alt[key].append((time.perf_counter() - t0) * 1000)
            ids[key] = [i for i, _ in got]
        same += ids["lexical_one_pass"] == ids["lexical_rounds"] == ids["lexical_rounds_mmap"]
        cat.set_mmap_size(0)
    result["compared_ms"] = {key: _pct(v) for key, v in alt.items()}
    result["lexical_rounds_same_as_one_pass"] = f"{same}/{len(questions)}"
    reader.close()
    return result


def query_with_ef(store: str, ef: int, queries: np.ndarray, k: int) -> tuple[list, list]:
    """(ids per query, ms per query) with ef_search set first; in a fresh process, because a
    process that has loaded the HNSW index keeps searching it with the old ef."""
    from index.pipeline import IndexConfig, open_store

    catalog, chroma = open_store(IndexConfig(store=Path(store)))
    catalog.close()
    chroma.collection.modify(configuration={"hnsw": {"ef_search": ef}})
    chroma.query(queries[0], k)  # loads the index
    ids, ms = [], []
    for q in queries:
        t0 = time.perf_counter()
        ids.append([h.id for h in chroma.query(q, k)])
        ms.append((time.perf_counter() - t0) * 1000)
    chroma.collection.modify(configuration={"hnsw": {"ef_search": 100}})  # Chroma's default
    return ids, ms


def hnsw_sweep(store: Path, queries: np.ndarray, vectors_of_all, k: int = 30) -> dict:
    """Recall of Chroma's top k against exact search, and latency, for each ef_search."""
    ids, matrix = vectors_of_all
    exact = [set(ids[j] for j in np.argsort(-(matrix @ q))[:k]) for q in queries]
    out = {}
    for ef in EF_SEARCH:
        try:
            with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                got, ms = pool.submit(query_with_ef, str(store), ef, queries, k).result()
        except Exception as e:  # older stores or Chroma versions may refuse: say so, go on
            out[str(ef)] = {"error": " ".join(str(e).split())[:120]}
            continue
        recall = [len(t & set(g)) / k for t, g in zip(exact, got, strict=True)]
        out[str(ef)] = {"recall_at_30": round(float(np.mean(recall)), 4), "query_ms": _pct(ms)}
    return out


def bench_scale(args: argparse.Namespace) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from eval.bench import ensure_python_docs, log
    from eval.bench_ask import questions_from_texts
    from index.embedders import EmbedderConfig, get_embedder

    source = Path(args.source) if args.source else ensure_python_docs()
    load_before = os.getloadavg()[0]
    seeds = seed_chunks(source, args.seed_files, args.seed_chunks)
    texts = [c.text for _, _, _, chunks in seeds for c in chunks]
    if not texts:
        raise SystemExit(f"no chunks from {source}")
    work = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    reuse = args.reuse and _chunks_in(work) == args.chunks
    seed_seconds, built = 0.0, {"seconds": None}
    if not reuse:
        log(f"scale: {len(texts)} seed chunks from {len(seeds)} files; embedding ...")
        t0 = time.perf_counter()
        vectors = get_embedder(EmbedderConfig(name=args.embedder)).embed(texts)
        seed_seconds = time.perf_counter() - t0
    try:
        if not reuse:
            if (work / "catalog.sqlite").exists():
                shutil.rmtree(work)
            built = build_store(work, seeds, vectors, args.chunks, log)
        size = {
            "total_mb": round(_du(work) / 1e6, 1),
            "chroma_mb": round(_du(work / "chroma") / 1e6, 1),
            "catalog_mb": round((work / "catalog.sqlite").stat().st_size / 1e6, 1),
        }
        log(f"scale: built in {built['seconds']} s, {size['total_mb']} MB on disk")

        questions = questions_from_texts(texts, args.queries)
        log(f"scale: timing {len(questions)} questions x {len(MODES)} modes in a fresh process")
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            timed = pool.submit(measure_queries, str(work), questions).result()
        log("scale: HNSW ef_search against exact search")
        q = get_embedder(EmbedderConfig()).embed(questions[: args.recall_queries])
        ids, matrix = _all_vectors(work)
        sweep = hnsw_sweep(work, q, (ids, matrix))
        del matrix
    finally:
        if not args.store:
            shutil.rmtree(work, ignore_errors=True)
    return {
        "chunks": args.chunks,
        "seed_chunks": len(texts),
        "seed_embedder": args.embedder,
        "seed_embed_seconds": round(seed_seconds, 1),
        "build_seconds": built["seconds"],
        "store": size,
        **timed,
        "hnsw_ef_search": sweep,
        "questions": len(questions),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
    }


def _chunks_in(store: Path) -> int:
    from index.catalog import Catalog

    if not (store / "catalog.sqlite").exists():
        return 0
    catalog = Catalog(store / "catalog.sqlite")
    try:
        return catalog.count_chunks()
    finally:
        catalog.close()


def _all_vectors(store: Path) -> tuple[list[str], np.ndarray]:
    from index.catalog import Catalog

    catalog = Catalog(store / "catalog.sqlite")
    try:
        ids, _, matrix = catalog.vector_rows()
    finally:
        catalog.close()
    return ids, matrix


def show(r: dict) -> None:
    size = r["store"]
    built = "reused" if r["build_seconds"] is None else f"built in {r['build_seconds']} s"
    print(f"{r['chunks']} chunks ({r['seed_chunks']} seed chunks repeated), {built}; "
          f"store {size['total_mb']} MB on disk "
          f"(catalog {size['catalog_mb']} MB, chroma {size['chroma_mb']} MB)")  # fmt: skip
    print(f"{'warm, ms':<14}{'p50':>9}{'p95':>9}")
    for key in (*MODES, "embed_query"):
        p = r[f"{key}_ms"]
        print(f"{key:<14}{p['p50']:>9.1f}{p['p95']:>9.1f}")
    print("hybrid target: p50 <= 50 ms, p95 <= 150 ms")
    c = r["compared_ms"]
    print("compared in alternation, p50 / p95 ms:")
    for key, p in c.items():
        print(f"  {key:<22}{p['p50']:>8.1f}{p['p95']:>8.1f}")
    print(f"  BM25 rounds = one pass (same ids, same order): "
          f"{r['lexical_rounds_same_as_one_pass']}")  # fmt: skip
    for ef, v in r["hnsw_ef_search"].items():
        print(f"ef_search {ef:>4}: {v}")
    print(f"read-path RSS {r['rss_mb_after_open']} MB after opening, peak {r['peak_rss_mb']} MB; "
          f"load average {r['load_average']} on {r['cpus']} CPUs")  # fmt: skip


def add_parser(sub) -> None:
    p = sub.add_parser("scale", help="retrieval latency, size and RSS on a large built store")
    p.add_argument("--chunks", type=int, default=100_000, help="chunks in the built store")
    p.add_argument("--queries", type=int, default=100, help="questions to time")
    p.add_argument("--recall-queries", type=int, default=50, help="questions for HNSW recall")
    p.add_argument("--seed-files", type=int, default=60, help="Python-docs files sampled")
    p.add_argument("--seed-chunks", type=int, default=1000, help="distinct chunks at most")
    p.add_argument(
        "--embedder",
        default="minilm-int8",
        help="encoder for the seed chunks (int8: 3x quicker; queries use the default)",
    )
    p.add_argument("--source", default=None, help="folder of seed documents (default: docs)")
    p.add_argument("--store", default=None, help="build here and keep it (default: temporary)")
    p.add_argument(
        "--reuse", action="store_true", help="time the --store as it is if it holds --chunks"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=bench_scale, show=show)
