"""A citation names the page that holds its span's start, from the page spans the catalog keeps
(index/catalog/manifest.py `pages`), not the page its chunk starts on; older stores fall back
to that."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index.catalog import CATALOG_FILE, Catalog, FileRecord
from index.types import Chunk, Page, WordBox
from tests.conftest import ask_store

PAGE1 = (
    "The harbour of Brisk has two piers and a fish market.",
    "Ferries leave the north pier for the islands at dawn.",
)
PAGE2 = ("The Kelmar lighthouse was built in 1894 by Ada Strand.",)


def build_pdf(path: Path) -> Path:
    """Two short pages: the whole text is one chunk that starts on page 1."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    for lines in (PAGE1, PAGE2):
        c.setFont("Helvetica", 12)
        for k, line in enumerate(lines):
            c.drawString(72, 700 - 16 * k, line)
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, Path]:
    from index.pipeline import IndexConfig, index_paths

    docs = tmp_path_factory.mktemp("docs")
    pdf = build_pdf(docs / "harbour.pdf")
    store = tmp_path_factory.mktemp("store")
    report = index_paths([docs], IndexConfig(store=store), progress=False)
    assert report.added == 1 and report.chunks == 1 and not report.errors, report
    return pdf, store


@pytest.mark.slow
def test_a_fact_on_page_2_of_a_chunk_starting_on_page_1_cites_page_2(store):
    pdf, path = store
    a = ask_store(path, "When was the Kelmar lighthouse built?")
    assert not a.abstained, a.text
    assert [s.page for s in a.sources] == [1]  # the one chunk starts on page 1
    cited = [c for c in a.citations if "Kelmar" in c.text]
    assert cited and all(c.page == 2 for c in cited), a.to_dict()
    assert a.to_dict()["citations"][0]["page"] == 2
    # A fact on page 1 still cites page 1.
    b = ask_store(path, "Where do the ferries to the islands leave from?")
    assert [c.page for c in b.citations if "Ferries" in c.text] == [1], b.to_dict()

    # An older store (no pages table) stays valid: opening it adds the table, empty, and its
    # citations name the chunk's page until the file is re-indexed.
    db = sqlite3.connect(path / CATALOG_FILE)
    db.execute("DROP TABLE pages")
    db.commit()
    db.close()
    old = ask_store(path, "When was the Kelmar lighthouse built?")
    assert [c.page for c in old.citations if "Kelmar" in c.text] == [1], old.to_dict()


def test_catalog_keeps_page_spans_and_word_boxes(tmp_path):
    cat = Catalog(tmp_path / CATALOG_FILE)
    text = "Cover.\n\nThe Zorbel bridge opened in 1937."
    words = (
        WordBox("Zorbel", 12, 18, 0.123456, 0.2, 0.25, 0.23),
        WordBox("bridge", 19, 25, 0.26, 0.2, 0.4, 0.23),
    )
    pages = [Page(1, 0, 6), Page(2, 8, len(text), words)]
    chunk = Chunk("a.pdf", "a", 0, len(text), text, page=1)
    with cat.transaction():
        cat.put_file(
            FileRecord("a.pdf", "h", 1, 1, "a", 1),
            text,
            [chunk],
            ["id1"],
            ["th"],
            np.zeros((1, 4), "f4"),
            "a",
            pages,
        )
    assert [cat.page_at("a.pdf", i) for i in (0, 5, 7, 8, 30)] == [1, 1, 1, 2, 2]
    assert cat.page_at("b.pdf", 3) is None  # no spans: the caller keeps the chunk's page
    assert cat.page_words("a.pdf", 1) == ()
    got = cat.page_words("a.pdf", 2)
    assert [(w.text, w.start, w.end) for w in got] == [("Zorbel", 12, 18), ("bridge", 19, 25)]
    assert got[0].x0 == 0.1235 and got[1] == words[1]  # fractions kept to 1/10,000
    # Re-indexing or removing the file replaces or drops its pages.
    with cat.transaction():
        cat.remove_file("a.pdf")
    assert cat.page_at("a.pdf", 30) is None and cat.page_words("a.pdf", 2) == ()
    cat.close()


def test_a_read_only_store_without_the_pages_table_is_read(tmp_path, monkeypatch):
    Catalog(tmp_path / CATALOG_FILE).close()
    db = sqlite3.connect(tmp_path / CATALOG_FILE)
    db.execute("DROP TABLE pages")  # as written before page spans were kept
    db.execute("DROP TABLE code")  # and before code blocks were (tests/test_code_blocks.py)
    db.commit()
    db.close()
    # Tests run as root, where chmod does not stop writes: the catalog asks os.access.
    monkeypatch.setattr("index.catalog.schema.os.access", lambda *a, **k: False)
    cat = Catalog(tmp_path / CATALOG_FILE)
    try:
        assert cat.readonly
        assert cat.page_at("a.pdf", 0) is None and cat.page_words("a.pdf", 1) == ()
        assert cat.code_in("a.pdf", 0, 100) == []
    finally:
        cat.close()
    assert "pages" not in {
        r[0]
        for r in sqlite3.connect(tmp_path / CATALOG_FILE).execute("SELECT name FROM sqlite_master")
    }  # reading wrote nothing
