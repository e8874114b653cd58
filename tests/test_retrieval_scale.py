"""Retrieval at scale: BM25 ranked in rounds gives one pass's top k; Chroma without count()."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from index.catalog import Catalog, FileRecord, lexical
from index.types import Chunk

SYLLABLES = ["ba", "ko", "di", "lu", "me", "ta", "ri", "no", "se", "fu", "ga", "pe"]


def _vocabulary(n: int) -> list[str]:
    words = sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES})
    return words[:n]


def build_catalog(path) -> tuple[Catalog, list[str], list[str]]:
    """3,000 chunks as a large store looks to BM25: each of 20 common words is in 40% of
    the chunks, 1-5 times (as "python" is in the docs), and each of 600 rare words in a few,
    so a question's common words alone match thousands and take the rounds path."""
    rng = np.random.default_rng(7)
    vocab = _vocabulary(620)
    common, rare = vocab[:20], vocab[20:]
    cat = Catalog(path)
    with cat.transaction():
        for f in range(150):
            src = f"/bm25/f{f}.txt"
            texts = []
            for _ in range(20):
                words = list(rng.choice(rare, size=int(rng.integers(3, 12))))
                for w in common:
                    if rng.random() < 0.4:
                        words += [w] * int(rng.integers(1, 6))
                rng.shuffle(words)
                texts.append(" ".join(words))
            doc = "\n".join(texts)
            chunks, start = [], 0
            for t in texts:
                chunks.append(Chunk(src, "T", start, start + len(t), t))
                start += len(t) + 1
            hashes = [
                hashlib.sha256(f"{src}{i}{t}".encode()).hexdigest() for i, t in enumerate(texts)
            ]
            ids = [f"f{f}-{i}" for i in range(len(texts))]
            rec = FileRecord(src, hashes[0], len(doc), 0, "T", len(chunks))
            vecs = np.zeros((len(chunks), 4), dtype=np.float32)
            cat.put_file(rec, doc, chunks, ids, hashes, vecs, "T")
    return cat, common, rare


@pytest.fixture(scope="module")
def bm25_catalog(tmp_path_factory):
    cat, common, rare = build_catalog(tmp_path_factory.mktemp("bm25") / "catalog.sqlite")
    rng = np.random.default_rng(1)
    queries = []
    for _ in range(60):  # common words and rarer ones together, as in a question
        words = [*rng.choice(common, size=3, replace=False), *rng.choice(rare, size=2)]
        queries.append(" ".join(words))
    yield cat, queries
    cat.close()


@pytest.mark.parametrize("round_postings", [lexical.ROUND_POSTINGS, 1])
def test_rounds_give_the_one_pass_top_k(bm25_catalog, monkeypatch, round_postings):
    # One term per round (1) makes the bound decide after every round: a bound below
    # idf * (k1 + 1) stops too early there and misses chunks (8 of 60 lists kept at 1/6 of it).
    cat, queries = bm25_catalog
    monkeypatch.setattr(lexical, "ROUND_POSTINGS", round_postings)
    took_rounds = 0
    for q in queries:
        took_rounds += lexical._rounds(cat.db, lexical.phrases(q), 30) is not None
        for k in (5, 30):
            got = cat.lexical_search(q, k)
            want = cat.lexical_search(q, k, exhaustive=True)
            assert [i for i, _ in got] == [i for i, _ in want], q
            assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-9)
    assert took_rounds == len(queries)  # else this test would compare one pass with itself


def test_rounds_stopped_by_the_budget_keep_exact_scores(bm25_catalog, monkeypatch):
    # With almost no budget the rounds stop before any proof: the list may miss chunks, but
    # each score is still bm25() over the whole query, best first.
    cat, queries = bm25_catalog
    monkeypatch.setattr(lexical, "MAX_POSTINGS", 1)
    monkeypatch.setattr(lexical, "ROUND_POSTINGS", 50)
    for q in queries[:20]:
        full = dict(cat.lexical_search(q, 100_000, exhaustive=True))
        got = cat.lexical_search(q, 5)
        assert len(got) == 5
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        for cid, score in got:
            assert score == pytest.approx(full[cid], abs=1e-9)


def test_a_query_of_absent_or_no_terms_finds_nothing(bm25_catalog):
    cat, _ = bm25_catalog
    assert cat.lexical_search("zzzqqq xxyyzz", 10) == []
    assert cat.lexical_search("the of and", 10) == []


def test_chroma_query_without_count_returns_at_most_k_ids_and_scores(tmp_path):
    from index.store import ChromaStore

    store = ChromaStore(path=tmp_path / "chroma")
    assert store.query(np.ones(4, dtype=np.float32), 5) == []  # empty collection
    vecs = np.array([[1, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 1, 0, 0]], dtype=np.float32)
    metas = [{"source": "a"}, {"source": "b"}, {"source": "a"}]
    store.add(["x", "y", "z"], vecs, ["tx", "ty", "tz"], metas)
    hits = store.query(np.array([1, 0, 0, 0], dtype=np.float32), 10)
    assert [h.id for h in hits] == ["x", "y", "z"]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5) and hits[2].score < 0.1
    assert [h.id for h in store.query(vecs[0], 10, sources=["a"])] == ["x", "z"]


def test_chroma_query_searches_deep_and_keeps_the_exact_nearest_k(tmp_path):
    # HNSW reads max(ef_search, n_results) candidates: the store asks for SEARCH_DEPTH and keeps
    # the nearest k, so the fused top 30 is the exact one (index/store.py, s32).
    from index.store import SEARCH_DEPTH, ChromaStore

    store = ChromaStore(path=tmp_path / "chroma")
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(1500, 48)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = [f"c{i:04d}" for i in range(len(vecs))]
    store.add(ids, vecs, ids, [{"source": "s"}] * len(ids))
    asked = []
    real = store.collection.query

    def spy(**kw):
        asked.append(kw["n_results"])
        return real(**kw)

    store.collection.query = spy
    exact_hits = 0
    for q in rng.normal(size=(10, 48)).astype(np.float32):
        hits = store.query(q, 30)
        exact = [ids[i] for i in np.argsort(-(vecs @ (q / np.linalg.norm(q))))[:30]]
        assert len(hits) == 30 and [h.score for h in hits] == sorted(
            (h.score for h in hits), reverse=True
        )
        exact_hits += len({h.id for h in hits} & set(exact))
    assert asked == [SEARCH_DEPTH] * 10
    assert exact_hits >= 0.99 * 300  # recall of the exact top 30 over 10 queries
