"""A change of cleaning code (index.loaders.CLEANING_VERSION) re-cleans unchanged files at the
next ordinary run, once, without re-embedding chunk texts that came out the same."""

import hashlib

import pytest

import index.loaders as loaders
from index.catalog import FileRecord
from index.pipeline import IndexConfig, Indexer, open_store
from index.watch import describe

from .test_ingest_pipeline import Wrapped

TEXT = (
    "# Tides\n\nThe tide rises twice a day along the northern coast of the bay.\n\n"
    "Fishing boats leave at dawn and return before the afternoon wind picks up.\n"
)


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tides.md").write_text(TEXT, encoding="utf-8")
    return docs


def run(cfg: IndexConfig, folder, embedder, calls: list):
    """One `rag index` run; `calls` receives the texts of each encoder call."""
    indexer = Indexer(cfg, progress=False, embedder=Wrapped(embedder, calls.append))
    try:
        return indexer.run([folder])
    finally:
        indexer.close()


def stored(cfg: IndexConfig) -> tuple[dict[str, FileRecord], list[str]]:
    catalog, _ = open_store(cfg)
    try:
        return catalog.files(), catalog.chunk_texts()
    finally:
        catalog.close()


def test_new_cleaning_version_recleans_once_without_re_embedding(
    tmp_path, folder, embedder, monkeypatch
):
    cfg = IndexConfig(store=tmp_path / "store")
    calls: list = []
    r = run(cfg, folder, embedder, calls)
    assert (r.added, r.updated, r.unchanged, r.errors) == (1, 0, 0, [])
    assert r.embedded > 0 and calls
    files, texts = stored(cfg)
    (rec,) = files.values()
    assert rec.content_hash.startswith(loaders.CLEANING_VERSION + ":")

    # Cleaning code changed: the unchanged file is re-processed, its same chunk texts are not
    # embedded again.
    monkeypatch.setattr(loaders, "CLEANING_VERSION", "test-next")
    calls.clear()
    r = run(cfg, folder, embedder, calls)
    assert (r.added, r.updated, r.unchanged, r.embedded, r.errors) == (0, 1, 0, 0, [])
    assert r.recleaned == 1  # reported apart: the user changed nothing
    assert calls == []
    files2, texts2 = stored(cfg)
    assert files2[rec.source].content_hash == "test-next:" + loaders.bytes_hash(rec.content_hash)
    assert texts2 == texts

    # Same version again: skipped by size and mtime.
    r = run(cfg, folder, embedder, calls)
    assert (r.added, r.updated, r.unchanged, r.embedded) == (0, 0, 1, 0)
    assert calls == []


def test_record_of_older_code_is_reprocessed_once(tmp_path, folder, embedder, monkeypatch):
    cfg = IndexConfig(store=tmp_path / "store")
    calls: list = []
    # Code from before the cleaning version stored the bare sha256 of the bytes.
    with monkeypatch.context() as m:
        m.setattr(loaders, "file_hash", lambda data: hashlib.sha256(data).hexdigest())
        assert run(cfg, folder, embedder, calls).added == 1
    (rec,) = stored(cfg)[0].values()
    assert ":" not in rec.content_hash

    calls.clear()
    r = run(cfg, folder, embedder, calls)
    assert (r.updated, r.recleaned, r.unchanged, r.embedded) == (1, 1, 0, 0)
    assert calls == []
    (rec2,) = stored(cfg)[0].values()
    assert rec2.content_hash == f"{loaders.CLEANING_VERSION}:{rec.content_hash}"

    r = run(cfg, folder, embedder, calls)
    assert (r.updated, r.unchanged) == (0, 1)


def test_rename_is_recognised_across_cleaning_versions():
    before = {"/d/a.md": FileRecord("/d/a.md", "abc", 10, 1, "t", 2)}
    after = {"/d/b.md": FileRecord("/d/b.md", f"{loaders.CLEANING_VERSION}:abc", 10, 2, "t", 2)}
    lines = [c.line(["/d"]) for c in describe(before, after, ["/d/b.md"], [])]
    assert lines == ["renamed a.md -> b.md"]
