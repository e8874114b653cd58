"""Pipelined ingestion (index/ingest.py): parsing runs ahead of the encoder, within a bound,
and the store comes out the same whatever runs the parsing, after a crash in a reader and
after an interruption."""

import multiprocessing
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import index.ingest as ingest
from index.check import check_store
from index.embedders import Embedder
from index.pipeline import IndexConfig, Indexer, index_paths, open_store

EXPLODES = "explode.txt"
DIES = "dies.txt"
REAL_PARSE = ingest.parse_file


def parse_or_explode(job, tokens=None):
    """A reader bug on one file. Module level, so a spawned pool worker can import it."""
    if Path(job.path).name == EXPLODES:
        raise ZeroDivisionError("a reader bug")
    if Path(job.path).name == DIES:
        if multiprocessing.parent_process() is None:  # the reader thread: not this process
            raise RuntimeError("the parser process died")
        os._exit(3)  # a crash in native code (a PDF library) kills the worker outright
    return REAL_PARSE(job, tokens)


class Wrapped(Embedder):
    """The real embedder, with a hook run before each encoder call."""

    def __init__(self, real: Embedder, before):
        self.real, self.before = real, before
        self.name, self.max_tokens = real.name, real.max_tokens

    @property
    def dim(self) -> int:
        return self.real.dim

    @property
    def budget(self) -> int:
        return self.real.budget

    def count_tokens(self, texts):
        return self.real.count_tokens(texts)

    def embed(self, texts):
        self.before(texts)
        return self.real.embed(texts)


def snapshot(cfg: IndexConfig) -> dict:
    """Chunk id -> (text, vector as Chroma holds it)."""
    catalog, chroma = open_store(cfg)
    try:
        got = chroma.collection.get(include=["documents", "embeddings"])
        texts = dict(catalog.db.execute("SELECT id, text FROM chunks").fetchall())
    finally:
        catalog.close()
    out = {}
    for cid, doc, vec in zip(got["ids"], got["documents"], got["embeddings"], strict=True):
        assert texts[cid] == doc  # Chroma and the catalog agree on every text
        out[cid] = (doc, np.asarray(vec, dtype=np.float32))
    assert set(out) == set(texts)
    return out


def small_files(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    files = []
    for i in range(n):
        f = folder / f"note_{i:02d}.txt"
        f.write_text(f"Note number {i} is about the harbour of town {i * 7919}. It rains there.\n")
        files.append(f)
    return files


@pytest.mark.slow
def test_process_pool_store_equals_thread_store_and_a_reader_crash_is_one_files_error(
    tmp_path, corpus_copy, embedder, monkeypatch
):
    (corpus_copy / EXPLODES).write_text("This file makes the reader fail.\n")
    (corpus_copy / DIES).write_text("This file kills the process that reads it.\n")
    monkeypatch.setattr(ingest, "parse_file", parse_or_explode)
    stores = {}
    for workers in (1, 2):
        cfg = IndexConfig(store=tmp_path / f"w{workers}", workers=workers, batch_chunks=16)
        r = index_paths([corpus_copy], cfg, progress=False)
        errors = {Path(e["source"]).name: e["error"] for e in r.errors}
        assert set(errors) == {EXPLODES, DIES}, r.errors
        assert "ZeroDivisionError: a reader bug" in errors[EXPLODES]
        assert "the parser process died" in errors[DIES]
        assert (r.added, r.unchanged) == (5, 0)  # the other files are all indexed
        assert check_store(cfg).ok
        stores[workers] = snapshot(cfg)
    one, two = stores[1], stores[2]
    assert len(one) > 20 and set(one) == set(two)
    for cid, (text, vec) in one.items():
        assert two[cid][0] == text
        assert np.allclose(two[cid][1], vec, atol=1e-6)


def test_the_reader_runs_ahead_of_a_slow_encoder_but_within_the_queue_bound(
    tmp_path, embedder, monkeypatch
):
    files = small_files(tmp_path / "notes", 14)
    loaded, committed, ahead = [0], [0], []
    real_load = ingest.load_document

    def counting_load(*args, **kwargs):
        loaded[0] += 1
        return real_load(*args, **kwargs)

    def slow(texts):
        ahead.append(loaded[0] - committed[0])
        time.sleep(0.15)

    monkeypatch.setattr(ingest, "load_document", counting_load)
    queue_files = 2
    # batch_chunks=1: every file is encoded on its own, so the encoder is the slow stage.
    cfg = IndexConfig(store=tmp_path / "store", batch_chunks=1, queue_files=queue_files)
    indexer = Indexer(cfg, progress=False, embedder=Wrapped(embedder, slow))
    try:
        r = indexer.run(files, on_file=lambda src: committed.__setitem__(0, committed[0] + 1))
    finally:
        indexer.close()
    assert (r.added, r.errors) == (14, [])
    assert len(ahead) == 14
    # The queue, one file the reader holds while it waits, and the file being encoded.
    assert max(ahead) <= queue_files + 2, ahead
    assert max(ahead) >= 2, ahead  # it did read ahead while the encoder worked


def test_an_interrupt_in_the_encoder_leaves_a_consistent_store_a_rerun_completes(
    tmp_path, corpus_copy, embedder
):
    calls = [0]

    def interrupt_on_third(texts):
        calls[0] += 1
        if calls[0] == 3:
            raise KeyboardInterrupt

    cfg = IndexConfig(store=tmp_path / "store", batch_chunks=8, queue_files=2)
    indexer = Indexer(cfg, progress=False, embedder=Wrapped(embedder, interrupt_on_third))
    try:
        with pytest.raises(KeyboardInterrupt):
            indexer.run([corpus_copy])
    finally:
        indexer.close()
    assert not [t for t in threading.enumerate() if t.name == "rag-index-parse"]
    assert check_store(cfg).ok  # the two finished batches, whole; nothing half-written
    catalog, _ = open_store(cfg)
    try:
        done = len(catalog.files())
    finally:
        catalog.close()
    assert 1 <= done < 5

    r = index_paths([corpus_copy], cfg, progress=False)
    assert (r.added, r.unchanged, r.errors) == (5 - done, done, [])
    assert check_store(cfg).ok
    fresh = IndexConfig(store=tmp_path / "fresh")
    index_paths([corpus_copy], fresh, progress=False)
    assert set(snapshot(cfg)) == set(snapshot(fresh))
