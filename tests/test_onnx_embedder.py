"""The ONNX encoders (fp32, the default, and int8) against the torch model they are exported
from, and the index benchmark.

Floors are set from measurements (see each test), with room for load-dependent noise only;
the ONNX models are deterministic, so a drop below them means the export or quantisation broke.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from eval.bench import build_parser
from index.chunking import chunk_document
from index.embedders import EmbedderConfig, bundled_minilm_path, get_embedder
from index.loaders import load_document
from index.onnx_embedder import (
    OnnxEmbedder,
    OnnxInt8Embedder,
    _hash_model,
    ensure_int8_model,
    ensure_model,
    model_digest,
)
from index.pipeline import IndexConfig, index_paths
from index.reader import IndexReader

from .conftest import CORPUS, EVAL

pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def int8():
    return get_embedder(EmbedderConfig(name="minilm-int8"))


@pytest.fixture(scope="module")
def torch_minilm():
    return get_embedder(EmbedderConfig(name="minilm-torch"))


@pytest.fixture(scope="module")
def chunk_texts(embedder) -> list[str]:
    texts = []
    for f in sorted(CORPUS.iterdir()):
        doc = load_document(f)
        texts += [c.text for c in chunk_document(doc, embedder.count_tokens, embedder.budget)]
    return texts


@pytest.fixture(scope="module")
def vectors(embedder, int8, chunk_texts) -> tuple[np.ndarray, np.ndarray]:
    return embedder.embed(chunk_texts), int8.embed(chunk_texts)


def test_default_minilm_is_onnx_with_torch_vectors(embedder, torch_minilm, chunk_texts):
    assert type(embedder) is OnnxEmbedder and embedder.name == torch_minilm.name
    assert (embedder.dim, embedder.max_tokens, embedder.budget) == (384, 256, 254)
    # Chunking depends on token counts: they must match, or a re-index would re-chunk.
    texts = [*chunk_texts, "Alibaba’s Qwen model", "", "x " * 600]
    assert embedder.count_tokens(texts) == torch_minilm.count_tokens(texts)
    # Measured on the 40 dev chunks: worst cosine 0.9999999; the floor is the bar.
    # Over-long text too: both truncate to 256 word pieces the same way.
    cos = (embedder.embed(texts) * torch_minilm.embed(texts)).sum(axis=1)
    assert cos.min() >= 0.9999, cos.min()


def test_store_built_with_torch_is_read_by_onnx(tmp_path, corpus_copy, torch_minilm, embedder):
    # The store records the model, not the runtime: no rebuild when the default changes.
    store = tmp_path / "store"
    index_paths([str(corpus_copy)], IndexConfig(store, embedder=EmbedderConfig("minilm-torch")))
    reader = IndexReader(IndexConfig(store, embedder=EmbedderConfig("minilm")))
    try:
        question = "Who is the CEO of Alibaba Group?"
        assert isinstance(reader.embedder, OnnxEmbedder)
        hits = reader.dense(reader.embed_query(question), 5)
        torch_hits = reader.dense(torch_minilm.embed([question])[0], 5)
        assert [h.id for h in hits] == [h.id for h in torch_hits]
    finally:
        reader.close()
    report = index_paths([str(corpus_copy)], IndexConfig(store, embedder=EmbedderConfig()))
    assert report.embedded == 0 and report.unchanged == 5  # same chunks, nothing re-embedded


def test_same_interface_as_fp32(embedder, int8):
    assert isinstance(int8, OnnxInt8Embedder)
    assert int8.name == "minilm-int8:all-MiniLM-L6-v2"
    assert (int8.dim, int8.max_tokens, int8.budget) == (384, 256, 254)
    texts = ["Alibaba’s Qwen model", "", "x " * 600]
    assert int8.count_tokens(texts) == embedder.count_tokens(texts)
    assert int8.embed([]).shape == (0, 384)
    v = int8.embed(texts)
    assert v.dtype == np.float32 and v.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_int8_vectors_close_to_fp32(vectors):
    # Measured on these 40 chunks: mean cosine 0.995, worst 0.990; on 600 Python-docs chunks
    # mean 0.994, worst 0.985.
    # Per-tensor quantisation (onnxruntime's default) gives mean 0.93, worst 0.86, so the
    # floors catch a quantisation recipe gone wrong while leaving margin for the worst chunk.
    fp32, q = vectors
    cos = (fp32 * q).sum(axis=1)
    assert cos.mean() >= 0.985, cos.mean()
    assert cos.min() >= 0.97, cos.min()


def test_int8_batching_barely_changes_vectors(int8, chunk_texts):
    # Dynamic quantisation scales activations per batch tensor, so a text's vector depends a
    # little on its batch neighbours (measured: cosine 0.995 on average, 0.991 at worst,
    # alone vs batched, as small as the int8 error itself). Masked pooling keeps padding out
    # of the mean; anything near the fp32 floors below would mean padding leaks in.
    some = chunk_texts[:8]
    together = int8.embed(some)
    alone = np.vstack([int8.embed([t]) for t in some])
    assert (together * alone).sum(axis=1).min() >= 0.98
    np.testing.assert_array_equal(int8.embed(some), together)  # same batch, same vectors


def test_int8_retrieval_matches_fp32(embedder, int8, vectors):
    questions = [
        json.loads(line)["question"]
        for line in (EVAL / "seed_qa_dev.jsonl").read_text().splitlines()
        if line.strip()
    ]
    fp32_docs, int8_docs = vectors
    top_fp32 = np.argmax(embedder.embed(questions) @ fp32_docs.T, axis=1)
    top_int8 = np.argmax(int8.embed(questions) @ int8_docs.T, axis=1)
    agree = float((top_fp32 == top_int8).mean())
    # Measured: 20 of 22 questions get the same top chunk (the other two are near-ties
    # between neighbouring chunks of the same article); 18 of 22 still counts as "most".
    assert agree >= 0.8, agree


def test_int8_path_does_not_import_torch(int8):
    # Once the model is cached, the int8 embedder needs only onnxruntime and tokenizers: no
    # torch (about 300 MB of RSS and seconds of start-up). `int8` makes sure it is cached.
    code = (
        "import sys; from index.embedders import EmbedderConfig, get_embedder; "
        "get_embedder(EmbedderConfig(name='minilm-int8')).embed(['hello']); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_cache_is_keyed_and_reused(int8, embedder):
    model_dir = bundled_minilm_path()
    fp32 = ensure_model(model_dir)
    assert fp32.name == "model.onnx" and fp32.parent.name == model_digest(model_dir)
    assert model_digest(model_dir) == _hash_model(model_dir)  # the remembered digest is right
    first = ensure_int8_model(model_dir)
    assert first.name == "model.int8.onnx" and first.parent.name == model_digest(model_dir)
    assert (first.parent / "model.onnx").is_file()
    stamp = first.stat().st_mtime_ns
    assert ensure_int8_model(model_dir) == first
    assert first.stat().st_mtime_ns == stamp  # not exported or quantised again
    assert not list(first.parent.glob("*.tmp"))  # no leftovers from the atomic writes


def test_bench_index_small(tmp_path: Path):
    src = tmp_path / "docs"
    src.mkdir()
    for f in sorted(CORPUS.iterdir())[:2]:
        (src / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (src / "notes.md").write_text("# Notes\n\nChroma stores the vectors. " * 40)
    args = build_parser().parse_args(["index", "--source", str(src), "--limit-files", "5"])
    result = args.func(args)
    for phase in ("encoder", "ours", "baseline", "baseline_default"):
        assert set(result[phase]) >= {"seconds", "chunks_per_s", "tokens_per_s"}
        assert all(result[phase][k] > 0 for k in ("seconds", "chunks_per_s", "tokens_per_s"))
    for key in ("encoder_efficiency", "ratio", "peak_rss_mb"):
        assert result[key] > 0, key
    assert 0 < result["noop_fraction"] < 1
    assert 0 < result["baseline_default_truncated_fraction"] < 1
    assert result["baseline_truncated_fraction"] == 0.0  # chunked to the model's limit
    assert result["ours"]["tokens"] == result["encoder"]["tokens"]  # the same work
    assert result["files"] == 3
    json.dumps(result)  # the --json output is plain data
    assert os.environ["HF_HUB_OFFLINE"] == "1"


@pytest.mark.slow
def test_bench_scale_small(tmp_path: Path):
    store = tmp_path / "store"
    args = build_parser().parse_args(
        ["scale", "--source", str(CORPUS), "--chunks", "100", "--seed-chunks", "30",
         "--queries", "4", "--recall-queries", "3", "--store", str(store)]
    )  # fmt: skip
    result = args.func(args)
    from index.catalog import Catalog

    catalog = Catalog(store / "catalog.sqlite")
    try:
        assert catalog.count_chunks() == 100  # 30 seed chunks, repeated and cut at 100
        assert catalog.db.execute("SELECT count(*) FROM vectors").fetchone()[0] == 100
    finally:
        catalog.close()
    assert result["seed_chunks"] == 30 and result["questions"] >= 1
    for mode in ("dense", "lexical", "hybrid", "embed_query"):
        assert 0 < result[f"{mode}_ms"]["p50"] <= result[f"{mode}_ms"]["p95"]
    assert result["store"]["total_mb"] > 0 and result["peak_rss_mb"] > 0
    sweep = result["hnsw_ef_search"]
    assert set(sweep) == {"10", "30", "100", "200"}
    assert all(0 < v["recall_at_30"] <= 1 for v in sweep.values() if "error" not in v)
    json.dumps(result)
