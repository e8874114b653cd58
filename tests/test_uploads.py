"""index/uploads.py: the one upload path of the API and the page (real store, real files)."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from index.catalog import Catalog
from index.errors import RagError
from index.lock import StoreLock
from index.pipeline import CATALOG_FILE, IndexConfig
from index.uploads import remove_document, safe_name, store_upload
from ui import app as ui_app

A = b"The Varnholt Tower is 212 metres tall and stands in the town of Oslund.\n"
B = b"The Brisk Canal was dug in 1822 to link the town of Oslund with the sea.\n"


@pytest.fixture
def cfg(tmp_path: Path) -> IndexConfig:
    return IndexConfig(store=tmp_path / "store", lock_wait=30)


def sources(cfg: IndexConfig) -> dict:
    cat = Catalog(cfg.store / CATALOG_FILE)
    try:
        return {s: cat.doc_text(s) for s in cat.files()}
    finally:
        cat.close()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../x.txt", "x.txt"),
        ("..\\..\\windows\\x.txt", "x.txt"),
        ("/etc/passwd.txt", "passwd.txt"),
        (".hidden.md", "hidden.md"),
        ("..", "upload"),
        ("", "upload"),
        (None, "upload"),
        ("a\nb\x00c.txt", "abc.txt"),
        ("  spaced   name .txt ", "spaced name .txt"),
    ],
)
def test_safe_name_keeps_one_harmless_component(name, safe):
    assert safe_name(name) == safe


def test_a_long_name_keeps_its_suffix_and_fits_a_file_system():
    name = safe_name("é" * 300 + ".rst.txt")
    assert name.endswith(".rst.txt") and len(name.encode()) <= 200


def test_an_escaping_name_lands_inside_uploads(cfg, tmp_path):
    r = store_upload(io.BytesIO(A), "../../../escape.txt", cfg)
    assert r.status == "added", r.detail
    assert Path(r.source).parent == (cfg.store / "uploads").resolve()
    assert list(tmp_path.rglob("escape.txt")) == [cfg.store / "uploads" / "escape.txt"]
    assert (cfg.store / "uploads" / "escape.txt").read_bytes() == A


def test_same_name_other_content_is_kept_apart_and_same_content_is_a_no_op(cfg):
    first = store_upload(io.BytesIO(A), "notes.txt", cfg)
    second = store_upload(io.BytesIO(B), "notes.txt", cfg)
    again = store_upload(io.BytesIO(A), "notes.txt", cfg)
    again_b = store_upload(io.BytesIO(B), "notes.txt", cfg)
    assert (first.status, second.status) == ("added", "added")
    assert first.stored_as == "notes.txt" and second.stored_as.startswith("notes~")
    assert "a different file named 'notes.txt' exists" in second.detail
    assert (again.status, again.source) == ("unchanged", first.source)
    assert (again_b.status, again_b.source) == ("unchanged", second.source)
    texts = sources(cfg)
    assert len(texts) == 2 and {t.strip() for t in texts.values()} == {
        A.decode().strip(),
        B.decode().strip(),
    }
    assert sorted(p.name for p in (cfg.store / "uploads").iterdir()) == sorted(
        [first.stored_as, second.stored_as]
    )  # no temporary files left behind


def test_size_cap_refuses_without_storing(cfg, tmp_path):
    r = store_upload(io.BytesIO(b"x" * 1001), "big.txt", cfg, max_bytes=1000)
    assert r.status == "error" and "upload limit" in r.detail and "--max-upload-mb" in r.detail
    f = tmp_path / "big.md"
    f.write_bytes(b"y" * 1001)
    r = ui_app.upload_file(f, cfg, max_bytes=1000)  # the page's path: refused before reading
    assert r.status == "error" and "upload limit" in r.detail
    assert not (cfg.store / "uploads").exists() or not any((cfg.store / "uploads").iterdir())


def test_unsupported_and_unreadable_uploads_are_one_line_errors(cfg):
    r = store_upload(io.BytesIO(b"MZ\x00\x00"), "tool.exe", cfg)
    assert r.status == "error" and "unsupported file type '.exe'" in r.detail
    r = store_upload(io.BytesIO(b"%PDF-1.4 not really"), "broken.pdf", cfg)
    assert r.status == "error" and "\n" not in r.detail
    assert not (cfg.store / "uploads" / "broken.pdf").exists()


def test_the_page_and_the_api_share_the_rules(cfg, tmp_path):
    f = tmp_path / "notes.txt"
    f.write_bytes(A)
    assert ui_app.upload_file(f, cfg).status == "added"
    f.write_bytes(B)
    r = ui_app.upload_file(f, cfg)
    assert r.status == "added" and "exists" in r.detail  # not "updated": both are kept
    assert len(sources(cfg)) == 2


def test_concurrent_uploads_queue_instead_of_refusing(cfg):
    results = []

    def up(i: int) -> None:
        text = f"Record {i}: the lighthouse keeper number {i} was named Keeper{i}.\n".encode()
        results.append(store_upload(io.BytesIO(text), f"keeper{i}.txt", cfg))

    threads = [threading.Thread(target=up, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(r.status for r in results) == ["added"] * 4, [r.detail for r in results]
    assert len(sources(cfg)) == 4


def test_another_writer_makes_an_upload_wait_then_fail_with_one_line(tmp_path):
    cfg = IndexConfig(store=tmp_path / "store", lock_wait=0.3)
    with StoreLock(cfg.store):  # this process as another `rag index` would hold it
        r = store_upload(io.BytesIO(A), "notes.txt", cfg)
    assert r.status == "error" and "being written by pid" in r.detail and "\n" not in r.detail
    assert not (cfg.store / "uploads" / "notes.txt").exists()


def test_remove_document_deletes_an_upload_but_not_other_files(cfg, tmp_path):
    up = store_upload(io.BytesIO(A), "notes.txt", cfg)
    outside = tmp_path / "kept.txt"
    outside.write_bytes(B)
    from index.pipeline import index_paths

    index_paths([outside], cfg, progress=False)
    assert remove_document(up.source, cfg)["file_deleted"] is True
    done = remove_document(os.path.abspath(outside), cfg)
    assert done["file_deleted"] is False and outside.exists() and done["chunks"] == 1
    assert sources(cfg) == {}
    with pytest.raises(RagError, match="no indexed document"):
        remove_document(up.source, cfg)
