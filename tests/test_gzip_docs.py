"""Gzip-compressed documents (`manual.pdf.gz`, as Debian ships them): read as the file they
compress, decompressed within the size limits, one line per bad file (index/compressed.py)."""

from __future__ import annotations

import gzip
import io
import os
import tracemalloc
import zlib
from pathlib import Path

import pytest

from index.catalog import Catalog
from index.errors import LoadError
from index.limits import Limits
from index.loaders import SUPPORTED_SUFFIXES, document_suffix, load_document
from index.pipeline import CATALOG_FILE, IndexConfig, index_paths
from index.uploads import store_upload
from index.watch import coalesce

from .test_loaders import _write_pdf

TEXT = (
    "Tidewater Pumps\n\n"
    "The Tidewater pump station lifts 40 litres a second from the lower basin.\n"
    "It was rebuilt in 1987 after the spring flood.\n"
)
MARKDOWN = (
    "# Installing Kelp\n\nRun the installer, then:\n\n- open the settings\n- pick a mirror\n\n"
    "## Upgrading\n\nKelp 2.1 reads the old configuration file unchanged.\n"
)
RST = "Kelp manual\n===========\n\nKelp keeps its *settings* in ``~/.kelp``.\n"


def _gz_pair(tmp_path: Path, name: str, data: bytes) -> tuple[Path, Path]:
    plain, packed = tmp_path / "plain" / name, tmp_path / "packed" / f"{name}.gz"
    plain.parent.mkdir(exist_ok=True)
    packed.parent.mkdir(exist_ok=True)
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data))
    return plain, packed


def _load_error(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(LoadError) as info:
        load_document(path, limits=limits)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path.resolve()) + ": ")
    return info.value.reason


@pytest.mark.parametrize(
    ("name", "data"),
    [("notes.txt", TEXT.encode()), ("kelp.md", MARKDOWN.encode()), ("kelp.rst.txt", RST.encode())],
)
def test_a_gz_reads_as_the_file_it_compresses(tmp_path: Path, name: str, data: bytes) -> None:
    plain, packed = _gz_pair(tmp_path, name, data)
    want, got = load_document(plain), load_document(packed)
    assert got.text == want.text and got.text
    assert got.title == want.title
    assert [(s.title, s.start, s.end) for s in got.sections] == [
        (s.title, s.start, s.end) for s in want.sections
    ]
    assert got.source == str(packed.resolve())  # citations name the file on disk
    assert "#" not in got.text and "====" not in got.text  # the markup reader ran, not .txt's


def test_a_pdf_gz_reads_like_the_pdf(tmp_path: Path) -> None:
    plain = tmp_path / "report.pdf"
    _write_pdf(plain, ["Quarterly Results Overview", "Revenue grew by twelve percent."])
    packed = tmp_path / "report.pdf.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    want, got = load_document(plain), load_document(packed)
    assert "Revenue grew by twelve percent." in got.text
    assert got.text == want.text and got.title == want.title
    assert [(p.number, p.start, p.end) for p in got.pages] == [
        (p.number, p.start, p.end) for p in want.pages
    ]
    assert got.page_at(got.text.index("Revenue")) == 2


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("manual.pdf.gz", ".pdf"),
        ("README.TXT.GZ", ".txt"),
        ("page.rst.txt", ".rst"),
        ("page.rst.txt.gz", ".rst"),
        ("index.html.gz", ".html"),
        ("notes.md", ".md"),
        ("changelog.gz", ""),
        ("foo.1.gz", ".1"),
        ("archive.tar.gz", ".tar"),
    ],
)
def test_document_suffix_names_the_type_inside(name: str, suffix: str) -> None:
    assert document_suffix(Path("/usr/share/doc/x") / name) == suffix


@pytest.mark.parametrize(("name", "inner"), [("changelog.gz", "'(none)'"), ("foo.1.gz", "'.1'")])
def test_a_gz_of_an_unsupported_type_is_refused_naming_it(
    tmp_path: Path, name: str, inner: str
) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"kelp (2.1-1) unstable; urgency=low\n"))
    reason = _load_error(path)
    assert reason.startswith(f"unsupported file type {inner} inside a .gz file; supported: ")
    assert all(s in reason for s in SUPPORTED_SUFFIXES)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (gzip.compress(TEXT.encode() * 50)[:-40], "ended before the end-of-stream marker"),
        (b"Tidewater, not compressed at all\n", "Not a gzipped file"),
        (gzip.compress(TEXT.encode())[:-8] + b"\0\0\0\0\0\0\0\0", "CRC check failed"),
    ],
    ids=["truncated", "not-gzip", "bad-crc"],
)
def test_a_corrupt_gz_is_a_one_line_load_error(tmp_path: Path, data: bytes, why: str) -> None:
    path = tmp_path / "notes.txt.gz"
    path.write_bytes(data)
    reason = _load_error(path)
    assert reason.startswith("not a readable gzip file (") and why in reason


def test_a_gz_of_nothing_is_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt.gz"
    path.write_bytes(gzip.compress(b""))
    assert "empty once decompressed" in _load_error(path)


def _bomb(path: Path, megabytes: int) -> None:
    """`megabytes` MB of zeros, gzip-compressed (about 1,000 to 1) without holding them whole."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    block = bytes(1_000_000)
    with open(path, "wb") as f:
        for _ in range(megabytes):
            f.write(packer.compress(block))
        f.write(packer.flush())


def test_a_gzip_bomb_is_refused_without_expanding_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    _bomb(path, 60)
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        reason = _load_error(path, Limits(max_file_mb=2))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reason == (
        "file too large once decompressed (over the limit of 2 MB); skipped; "
        "raise it with --max-file-mb"
    )
    assert peak < 10_000_000, peak  # 60 MB whole; the limit plus a step or two at most


def test_a_compressed_html_page_gets_the_html_limit(tmp_path: Path) -> None:
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(b"<p>" + b"kelp " * 400_000 + b"</p>"))  # 2 MB of HTML
    reason = _load_error(path, Limits(max_file_mb=50, max_html_mb=1))
    assert "HTML file too large once decompressed" in reason and "--max-html-mb" in reason
    assert "kelp" in load_document(path, limits=Limits(max_html_mb=3)).text


# ---------------------------------------------------------------- through the real indexer


def test_index_reads_good_gz_files_and_reports_bad_ones(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "pumps.txt.gz").write_bytes(gzip.compress(TEXT.encode()))
    (docs / "kelp.txt").write_text(MARKDOWN, encoding="utf-8")
    (docs / "broken.md.gz").write_bytes(gzip.compress(MARKDOWN.encode())[:-30])
    (docs / "changelog.gz").write_bytes(gzip.compress(b"kelp (2.1-1) unstable\n"))
    cfg = IndexConfig(store=tmp_path / "store")
    report = index_paths([docs], cfg, progress=False)

    errors = {Path(e["source"]).name: e["error"] for e in report.errors}
    assert set(errors) == {"broken.md.gz", "changelog.gz"}, errors
    assert errors["broken.md.gz"].startswith("not a readable gzip file (")
    assert errors["changelog.gz"].startswith("unsupported file type '(none)' inside a .gz file")
    assert report.added == 2 and report.chunks >= 2
    catalog = Catalog(cfg.store / CATALOG_FILE)
    try:
        packed = os.path.abspath(docs / "pumps.txt.gz")
        assert set(catalog.files()) == {packed, os.path.abspath(docs / "kelp.txt")}
        assert catalog.doc_text(packed) == load_document(docs / "pumps.txt.gz").text
        assert "lifts 40 litres a second" in catalog.doc_text(packed)
    finally:
        catalog.close()
    # A second run hashes the compressed bytes: nothing changed, nothing is re-read.
    again = index_paths([docs], cfg, progress=False)
    assert again.unchanged == 2 and again.added == again.updated == 0


def test_the_indexer_passes_its_limits_to_decompression(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    _bomb(docs / "bomb.txt.gz", 3)
    (docs / "pumps.txt").write_text(TEXT, encoding="utf-8")
    cfg = IndexConfig(store=tmp_path / "store", limits=Limits(max_file_mb=1))
    report = index_paths([docs], cfg, progress=False)
    assert report.added == 1
    assert [Path(e["source"]).name for e in report.errors] == ["bomb.txt.gz"]
    assert "over the limit of 1 MB" in report.errors[0]["error"]


# ---------------------------------------------------------------- uploads and the watcher


def test_an_uploaded_gz_keeps_its_type_when_its_name_is_taken(tmp_path: Path) -> None:
    cfg = IndexConfig(store=tmp_path / "store", lock_wait=30)
    first = store_upload(io.BytesIO(gzip.compress(TEXT.encode())), "pumps.txt.gz", cfg)
    other = TEXT.replace("1987", "1991").encode()
    second = store_upload(io.BytesIO(gzip.compress(other)), "pumps.txt.gz", cfg)
    assert (first.status, second.status) == ("added", "added"), second.detail
    assert first.stored_as == "pumps.txt.gz"
    assert second.stored_as.startswith("pumps~") and second.stored_as.endswith(".txt.gz")
    refused = store_upload(io.BytesIO(gzip.compress(b"x\n")), "changelog.gz", cfg)
    assert refused.status == "error" and "inside a .gz file" in refused.detail


def test_the_watcher_follows_supported_gz_files_only(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    root.mkdir()
    added = 1  # watchfiles.Change.added
    raw = {(added, str(root / n)) for n in ("a.pdf.gz", "changelog.gz", "b.1.gz", "c.rst.txt.gz")}
    got = coalesce(raw, [str(root)], str(tmp_path / "store"), [])
    assert got == {str(root / "a.pdf.gz"), str(root / "c.rst.txt.gz")}
