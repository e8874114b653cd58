"""Hybrid retrieval: dense (Chroma) and lexical (BM25) lists fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

from index.reader import IndexReader
from rag.answer import Source

RRF_K = 60  # the constant of Cormack et al. (2009); flattens the head of each list


@dataclass(frozen=True)
class RetrievalConfig:
    top_k: int = 6
    fetch_k: int = 30  # candidates taken from each list before fusion
    mode: str = "hybrid"  # "hybrid" | "dense" | "lexical"


def rrf(lists: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of ranked id lists; best first, ties by first appearance."""
    scores: dict[str, float] = {}
    for ranked in lists:
        for rank, cid in enumerate(ranked):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def retrieve(
    reader: IndexReader,
    query: str,
    cfg: RetrievalConfig,
    sources: list[str] | None = None,
    query_vec=None,
) -> list[Source]:
    dense_hits = []
    lexical_hits = []
    if cfg.mode in ("hybrid", "dense"):
        vec = reader.embed_query(query) if query_vec is None else query_vec
        dense_hits = reader.dense(vec, cfg.fetch_k, sources)
    if cfg.mode in ("hybrid", "lexical"):
        lexical_hits = reader.lexical(query, cfg.fetch_k, sources)
    dense = {h.id: h.score for h in dense_hits}
    lexical = {h.id: h.score for h in lexical_hits}
    ranked = rrf([[h.id for h in dense_hits], [h.id for h in lexical_hits]])
    chunks = reader.chunks([cid for cid, _ in ranked])
    fused = _distinct(ranked, chunks, cfg.top_k)
    if cfg.mode == "hybrid":
        # A chunk found only by BM25 still gets its cosine similarity, from the cached vector,
        # so every score shown to users is on one scale.
        lexical_only = [cid for cid, _ in fused if cid not in dense]
        for c, v in reader.catalog.chunks_with_vectors(lexical_only):
            dense[c.id] = float(v @ vec)
    out: list[Source] = []
    for cid, score in fused:
        c = chunks.get(cid)
        if c is None:  # the store and the catalog disagree; the next `rag index` repairs it
            continue
        out.append(
            Source(
                chunk_id=cid,
                source=c.source,
                title=c.title,
                start=c.start,
                end=c.end,
                text=c.text,
                score=score,
                dense=dense.get(cid),
                lexical=lexical.get(cid),
                page=c.page,
                code=tuple(
                    (max(a, c.start) - c.start, min(b, c.end) - c.start)
                    for a, b in reader.code_in(c.source, c.start, c.end)
                ),
            )
        )
    return out


def _distinct(ranked: list[tuple[str, float]], chunks: dict, top_k: int) -> list[tuple[str, float]]:
    """The first `top_k` ranked chunks, a chunk whose text an earlier one already has left out:
    a folder that holds a document twice ("report.pdf", "report (1).pdf", or one file reached by
    two paths) would otherwise fill the passages with copies of one text. The best-ranked copy
    is kept; a chunk the catalog does not hold stays in (retrieve skips it)."""
    out: list[tuple[str, float]] = []
    seen: set[str] = set()
    for cid, score in ranked:
        c = chunks.get(cid)
        key = " ".join(c.text.split()) if c is not None else cid
        if key in seen:
            continue
        seen.add(key)
        out.append((cid, score))
        if len(out) == top_k:
            break
    return out
