"""Our side of `python -m eval.bench index`: our pipeline in a fresh process (time, where the
time goes, peak RSS, the unchanged re-run) and the bare encoder on the texts it embedded."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed_method(cls: type, name: str, into: list[float]):
    """Wrap `cls.name` so that its calls add their seconds to `into[0]`; returns the undo."""
    original = getattr(cls, name)

    def timed(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            into[0] += time.perf_counter() - t0

    setattr(cls, name, timed)
    return lambda: setattr(cls, name, original)


def measure_ours(
    files: list[str], store: str, embedder: str, workers: int = 1, sentence_vectors: bool = False
) -> dict:
    """Index `files` into a new store, then again unchanged. Runs in a spawned process, so its
    peak RSS is that of our pipeline alone (model, Chroma, catalog), not of the benchmark."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import chromadb  # noqa: F401  (import cost is start-up, not indexing)

    from index.catalog import Catalog
    from index.embedders import EmbedderConfig, get_embedder
    from index.pipeline import IndexConfig, index_paths
    from index.store import ChromaStore

    cfg = IndexConfig(
        store=Path(store),
        embedder=EmbedderConfig(name=embedder),
        workers=workers,
        sentence_vectors=sentence_vectors,
    )
    # The model is cached per process: load and warm it so the clock measures indexing only.
    model = get_embedder(cfg.embedder)
    model.embed(["warm-up"])
    # Where the time goes, measured in the same process at the same time as the whole, so the
    # shares do not depend on what else loads the machine. This process exists only for this
    # run, so wrapping the classes' methods here is contained.
    in_model, in_writes = [0.0], [0.0]
    undo = [
        timed_method(type(model), "embed", in_model),
        timed_method(ChromaStore, "add", in_writes),
        timed_method(ChromaStore, "delete", in_writes),
        timed_method(Catalog, "put_file", in_writes),
    ]
    start = time.perf_counter()
    report = index_paths(files, cfg, progress=False)
    seconds = time.perf_counter() - start
    for u in undo:
        u()
    peak = peak_rss_mb()
    start = time.perf_counter()
    again = index_paths(files, cfg, progress=False)
    noop_seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "embed_seconds": in_model[0],
        "write_seconds": in_writes[0],
        "report": report.to_dict(),
        "peak_rss_mb": peak,
        "noop_seconds": noop_seconds,
        "noop_report": again.to_dict(),
    }


def embedded_texts(store: Path) -> list[str]:
    """The distinct chunk texts in our store: exactly what our pipeline embedded."""
    from index.catalog import Catalog
    from index.pipeline import CATALOG_FILE

    catalog = Catalog(store / CATALOG_FILE)
    try:
        return catalog.distinct_chunk_texts()
    finally:
        catalog.close()


def measure_encoder(texts: list[str], embedder: str) -> float:
    """Seconds for the bare model on `texts`, with the batch size our pipeline uses."""
    from index.embedders import EmbedderConfig, SentenceTransformerEmbedder, get_embedder

    cfg = EmbedderConfig(name=embedder)
    emb = get_embedder(cfg)
    emb.embed(["warm-up"])
    start = time.perf_counter()
    if isinstance(emb, SentenceTransformerEmbedder):
        emb.model.encode(
            texts,
            batch_size=cfg.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    else:  # the ONNX session is the bare model; embed() is its thin batching loop
        emb.embed(texts)
    return time.perf_counter() - start
