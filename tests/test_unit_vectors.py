"""Sentence vectors at index time (index/unit_vectors.py, `rag index --sentence-vectors`): the
reader finds the stored vectors instead of embedding, answers stay the same, an interrupted
fill completes on the next run, and the vectors follow their chunks."""

import json
from pathlib import Path

import numpy as np
import pytest

from index import unit_vectors
from index.pipeline import IndexConfig, Indexer, index_paths, open_store
from index.units import reading_units
from rag.cli import main
from rag.pipeline import AskConfig, Pipeline
from tests.conftest import EVAL
from tests.test_ingest_pipeline import Wrapped

QUESTIONS = [
    json.loads(line)["question"]
    for line in (EVAL / "seed_qa_dev.jsonl").read_text().splitlines()
    if line.strip()
][:6]


def stored(cfg: IndexConfig) -> dict[str, np.ndarray]:
    catalog, _ = open_store(cfg)
    try:
        ids = sorted(catalog.chunk_ids())
        chunks = catalog.chunks_by_id(ids)
        flat = catalog.unit_vectors(ids)
        dim = int(catalog.get_meta("dim"))
    finally:
        catalog.close()
    return {chunks[i].text: flat[i].reshape(-1, dim) for i in flat}


@pytest.mark.slow
def test_stored_vectors_are_the_embedders_and_answers_do_not_change(
    corpus_copy: Path, tmp_path: Path, embedder
):
    cfg = IndexConfig(store=tmp_path / "store", sentence_vectors=True)
    report = index_paths([corpus_copy], cfg, progress=False)
    by_text = stored(cfg)
    assert len(by_text) == report.chunks  # every chunk text has its units' vectors
    assert report.sentence_vectors == sum(len(reading_units(t)) for t in by_text)
    text = max(by_text, key=len)
    units = [text[a:b] for a, b in reading_units(text)]
    fresh = embedder.embed(units)
    cos = np.sum(fresh * by_text[text], axis=1) / np.linalg.norm(by_text[text], axis=1)
    assert cos.min() > 0.999  # float16 storage of the same vectors

    calls: list[list[str]] = []
    with_vectors = Pipeline(AskConfig(index=IndexConfig(store=cfg.store)))
    with_vectors.reader._embedder = Wrapped(embedder, calls.append)
    without = Pipeline(AskConfig(index=IndexConfig(store=cfg.store)))
    without.reader.unit_vectors = lambda sources: {}
    try:
        for q in QUESTIONS:
            a, b = with_vectors.ask(q), without.ask(q)
            assert (a.answer, a.text, a.abstained) == (b.answer, b.text, b.abstained), q
    finally:
        with_vectors.close()
        without.close()
    # The query is embedded per question; no sentence is (all were stored).
    assert all(len(c) == 1 for c in calls), [len(c) for c in calls]
    assert len(calls) >= len(QUESTIONS)


def test_interrupted_fill_completes_and_vectors_follow_chunks(
    corpus_copy: Path, tmp_path: Path, embedder, monkeypatch
):
    cfg = IndexConfig(store=tmp_path / "store")
    index_paths([corpus_copy], cfg, progress=False)
    assert stored(cfg) == {}  # off by default

    # Turned on for an existing store: the next run fills every chunk, even with no change.
    monkeypatch.setattr(unit_vectors, "BATCH_CHUNKS", 8)
    batches = []

    def interrupt_on_third(texts):
        batches.append(texts)
        if len(batches) == 3:
            raise KeyboardInterrupt

    indexer = Indexer(
        IndexConfig(store=cfg.store, sentence_vectors=True),
        progress=False,
        embedder=Wrapped(embedder, interrupt_on_third),
    )
    try:
        with pytest.raises(KeyboardInterrupt):
            indexer.run([corpus_copy])
    finally:
        indexer.close()
    assert len(stored(cfg)) == 16  # two batches committed, the third lost whole
    report = index_paths([corpus_copy], cfg, progress=False)  # the store kept the choice
    assert report.unchanged == 5 and len(stored(cfg)) == report.chunks

    # A no-op run neither embeds nor loads the model.
    def no_model(*a, **k):
        raise AssertionError("the model was loaded on a no-op run")

    monkeypatch.setattr("index.pipeline.get_embedder", no_model)
    assert index_paths([corpus_copy], cfg, progress=False).sentence_vectors == 0
    monkeypatch.undo()

    # A removed file's chunks take their vectors with them.
    victim = sorted(corpus_copy.iterdir())[0]
    victim.unlink()
    report = index_paths([corpus_copy], cfg, progress=False)
    assert report.removed == 1 and len(stored(cfg)) == report.chunks
    catalog, _ = open_store(cfg)
    try:
        n_rows = catalog.db.execute("SELECT count(*) FROM unit_vectors").fetchone()[0]
    finally:
        catalog.close()
    assert n_rows == report.chunks


def test_cli_turns_it_off_and_status_reports_it(corpus_copy: Path, tmp_path: Path, capsys):
    store = str(tmp_path / "store")
    args = ["index", str(corpus_copy), "--store", store, "--json"]
    assert main([*args, "--sentence-vectors"]) == 0
    assert json.loads(capsys.readouterr().out)["sentence_vectors"] > 0
    assert main(["status", "--store", store, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sentence_vectors"] is True
    assert main([*args, "--no-sentence-vectors"]) == 0
    capsys.readouterr()
    assert stored(IndexConfig(store=Path(store))) == {}
    assert main(["status", "--store", store, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sentence_vectors"] is False
