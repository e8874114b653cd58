""".pptx, .epub, .csv/.tsv and .rst: real files built here, loaded, and indexed next to bad ones."""

import io
import zipfile
from pathlib import Path

import docx
import pytest
from pptx import Presentation
from pptx.util import Inches

from index import formats
from index.errors import LoadError
from index.loaders import SUPPORTED_SUFFIXES, load_document
from index.pipeline import IndexConfig, index_paths


def _load_error(path: Path) -> str:
    with pytest.raises(LoadError) as info:
        load_document(path)
    assert "\n" not in str(info.value) and info.value.path == str(path.resolve())
    return info.value.reason


# ---------------------------------------------------------------- builders


def make_pptx(path: Path) -> Path:
    deck = Presentation()
    deck.core_properties.title = "Plans for 2025"
    one = deck.slides.add_slide(deck.slide_layouts[1])  # title and content
    one.shapes.title.text = "Roadmap"
    one.placeholders[1].text = "Ship the search feature\nHire two engineers"
    # Added last but placed above the body: reading order is by position, not by z-order.
    box = one.shapes.add_textbox(Inches(1), Inches(1.2), Inches(6), Inches(0.4))
    box.text_frame.text = "Draft for the board"
    one.notes_slide.notes_text_frame.text = "Mention the budget of 3 million euros."
    two = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    two.shapes.title.text = "Team sizes"
    table = two.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(4), Inches(1.5)).table
    for r, row in enumerate([["Team", "Size"], ["Search", "7"], ["Ads", "4"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    deck.save(path)
    return path


_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)


def _xhtml(body: str, title: str = "The Book") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>{title}</title></head><body>{body}</body></html>"
    )


def make_epub(path: Path, chapters: dict[str, str] | None = None, epub2: bool = False) -> Path:
    """An EPUB 3 (or 2: an NCX table of contents instead of the nav document); manifest order
    differs from spine order; chapter two has no heading."""
    chapters = chapters or {
        "text/one.xhtml": _xhtml("<h1>The Harbour</h1><p>Mara rowed out at dawn.</p>"),
        "text/two.xhtml": _xhtml("<p>The lighthouse keeper was named Ilse Brandt.</p>"),
    }
    nav = _xhtml(
        '<nav xmlns:epub="http://www.idpf.org/2007/ops" epub:type="toc"><ol>'
        '<li><a href="text/one.xhtml">Chapter 1</a></li>'
        '<li><a href="text/two.xhtml#start">The Keeper</a></li></ol></nav>'
    )
    ncx = (
        '<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"><navMap>'
        '<navPoint id="p1"><navLabel><text>Chapter 1</text></navLabel>'
        '<content src="text/one.xhtml"/></navPoint>'
        '<navPoint id="p2"><navLabel><text>The Keeper</text></navLabel>'
        '<content src="text/two.xhtml#start"/></navPoint></navMap></ncx>'
    )
    toc = (
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        if epub2
        else '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    )
    opf = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Tides</dc:title>'
        f"</metadata><manifest>{toc}"
        '<item id="c2" href="text/two.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="c1" href="text/one.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="img" href="cover.png" media-type="image/png"/>'
        '</manifest><spine toc="ncx">'
        + ("" if epub2 else '<itemref idref="nav"/>')
        + '<itemref idref="img"/><itemref idref="c1"/><itemref idref="c2"/></spine></package>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", _CONTAINER)
        z.writestr("OEBPS/content.opf", opf)
        z.writestr("OEBPS/toc.ncx" if epub2 else "OEBPS/nav.xhtml", ncx if epub2 else nav)
        z.writestr("OEBPS/cover.png", b"\x89PNG\r\n\x1a\n")
        for name, body in chapters.items():
            z.writestr(f"OEBPS/{name}", body)
    return path


def make_docx_with_table(path: Path) -> Path:
    d = docx.Document()
    d.add_heading("Branch offices", 0)
    d.add_paragraph("Each office reports its headcount and its manager once a year.")
    rows = [
        ["City", "Manager", "Headcount", "Opened"],
        ["Lisbon", "Rui Costa", "41", "2015"],
        ["Tallinn", "Kadri Tamm", "17", "2019"],
        ["Osaka", "Haruto Sato", "64", "2011"],
    ]
    table = d.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("Headcounts include contractors.")
    d.save(path)
    return path


# ---------------------------------------------------------------- loading


def test_new_suffixes_are_supported() -> None:
    assert {".pptx", ".epub", ".csv", ".tsv", ".rst"} <= SUPPORTED_SUFFIXES


def test_pptx_slides_in_reading_order_with_notes_and_slide_pages(tmp_path: Path) -> None:
    doc = load_document(make_pptx(tmp_path / "deck.pptx"))
    assert doc.title == "Plans for 2025"
    assert doc.text == (
        "Roadmap\n\nDraft for the board\n\nShip the search feature\nHire two engineers\n\n"
        "Mention the budget of 3 million euros.\n\n"
        "Team sizes\n\nTeam; Size\nTeam: Search; Size: 7\nTeam: Ads; Size: 4"
    )
    assert doc.page_at(doc.text.index("3 million")) == 1  # notes stay on their slide
    assert doc.page_at(doc.text.index("Team: Ads")) == 2
    assert [(p.number, p.start) for p in doc.pages] == [(1, 0), (2, doc.text.index("Team s"))]
    assert [s.title for s in doc.sections] == ["Roadmap", "Team sizes"]


def test_pptx_group_members_in_reading_order_and_untitled_slides(tmp_path: Path) -> None:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank: no title placeholder
    group = slide.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(1), Inches(3), Inches(2), Inches(1)).text = "Lower in group"
    group.shapes.add_textbox(Inches(1), Inches(1), Inches(2), Inches(1)).text = "Upper in group"
    slide.shapes.add_textbox(Inches(1), Inches(0.1), Inches(2), Inches(0.5)).text = "Top box"
    deck.slides.add_slide(deck.slide_layouts[6])  # an empty slide adds nothing
    deck.save(tmp_path / "g.pptx")
    doc = load_document(tmp_path / "g.pptx")
    assert doc.text == "Top box\n\nUpper in group\nLower in group"
    assert [p.number for p in doc.pages] == [1]


@pytest.mark.parametrize("epub2", [False, True])
def test_epub_chapters_in_spine_order_become_sections(tmp_path: Path, epub2: bool) -> None:
    doc = load_document(make_epub(tmp_path / "tides.epub", epub2=epub2))
    assert doc.title == "Tides"
    # Chapter two has no heading: its table-of-contents label opens it.
    assert doc.text == (
        "The Harbour\n\nMara rowed out at dawn.\n\n"
        "The Keeper\n\nThe lighthouse keeper was named Ilse Brandt."
    )
    assert [(s.title, s.start) for s in doc.sections] == [
        ("The Harbour", 0),
        ("The Keeper", doc.text.index("The Keeper")),
    ]
    assert "Chapter 1" not in doc.text  # the nav document itself is not read as a chapter


def test_csv_and_tsv_rows_carry_their_header(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text('name,city,age\nAnn,Paris,31\n\nBob,"Rome, IT",\n', encoding="utf-8")
    doc = load_document(path)
    assert doc.title == "people"
    assert doc.text == "name; city; age\nname: Ann; city: Paris; age: 31\nname: Bob; city: Rome, IT"
    semi = tmp_path / "eu.csv"  # spreadsheets in many locales export ";"
    semi.write_text("Produkt;Preis\nBrot;2,50\nKäse;7,10\n", encoding="utf-8")
    assert load_document(semi).text.splitlines()[1] == "Produkt: Brot; Preis: 2,50"
    tsv = tmp_path / "numbers.tsv"
    tsv.write_text("1\t2\n3\t4\n", encoding="utf-8")  # numbers only: no header
    assert load_document(tsv).text == "1; 2\n3; 4"


def test_csv_over_the_row_bound_is_an_error_naming_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats, "MAX_CSV_ROWS", 3)
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(10)), encoding="utf-8")
    assert _load_error(path) == (
        "table too large: over 3 rows; split it into files of at most 3 rows each"
    )
    monkeypatch.setattr(formats, "MAX_CSV_ROWS", 100)
    monkeypatch.setattr(formats, "MAX_TABLE_CHARS", 10)
    assert _load_error(path) == (
        "table too large: over 10 characters of cells by row 6; split it into smaller files"
    )


def test_rst_is_read_as_restructuredtext(tmp_path: Path) -> None:
    path = tmp_path / "guide.rst"
    path.write_text("Guide\n=====\n\nSome *emphasis* and ``code``.\n", encoding="utf-8")
    doc = load_document(path)
    assert doc.title == "Guide" and "Some emphasis and code." in doc.text and "*" not in doc.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bad.pptx", b"PK\x03\x04 not a zip", "not a readable .pptx"),
        ("bad.epub", b"not a zip at all", "not a readable .epub"),
        ("latin1.csv", "name\nJosé\n".encode("latin-1"), "not valid UTF-8"),
        ("empty.tsv", b"", "file is empty"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert reason in _load_error(path)


def test_epub_missing_chapter_and_drm(tmp_path: Path) -> None:
    path = make_epub(tmp_path / "book.epub")
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            if item.filename != "OEBPS/text/two.xhtml":
                dst.writestr(item, src.read(item))
    path.write_bytes(buf.getvalue())
    assert "spine names OEBPS/text/two.xhtml, which the file lacks" in _load_error(path)
    drm = make_epub(tmp_path / "drm.epub")
    with zipfile.ZipFile(drm, "a") as z:
        z.writestr(
            "META-INF/encryption.xml",
            '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
            'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
            '<enc:CipherReference URI="OEBPS/text/one.xhtml"/></enc:CipherData>'
            "</enc:EncryptedData></encryption>",
        )
    assert "DRM-protected" in _load_error(drm)
    crc = make_epub(tmp_path / "crc.epub")  # a chapter's bytes damaged after zipping
    crc.write_bytes(crc.read_bytes().replace(b"Mara rowed", b"Mara rowe?"))
    assert "not a readable .epub (BadZipFile: Bad CRC-32" in _load_error(crc)


# ---------------------------------------------------------------- through the real Indexer


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Path]:
    folder = tmp_path_factory.mktemp("formats")
    store = tmp_path_factory.mktemp("store")
    make_docx_with_table(folder / "offices.docx")
    make_pptx(folder / "deck.pptx")
    make_epub(folder / "tides.epub")
    (folder / "people.csv").write_text("name,city\nAnn,Paris\n", encoding="utf-8")
    (folder / "scores.tsv").write_text("team\tpoints\nRed\t12\n", encoding="utf-8")
    bad = {  # one bad file per format
        "broken.docx": b"PK\x03\x04 definitely not a zip",
        "broken.pptx": b"\x00\x01 random bytes",
        "broken.epub": b"PK\x03\x04 truncated",
        "latin1.csv": "name\nJosé\n".encode("latin-1"),
        "empty.tsv": b"",
        "utf16-no-bom.rst": "Title\n=====\n".encode("utf-16-le"),
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    report = index_paths([folder], IndexConfig(store=store))
    return folder, report.to_dict(), store


@pytest.mark.slow
def test_bad_file_per_format_is_reported_and_the_good_ones_indexed(indexed) -> None:
    folder, report, _ = indexed
    errors = {Path(e["source"]).name: e["error"] for e in report["errors"]}
    assert set(errors) == {
        "broken.docx", "broken.pptx", "broken.epub", "latin1.csv", "empty.tsv", "utf16-no-bom.rst",
    }  # fmt: skip
    assert all("\n" not in e and e for e in errors.values())
    assert report["added"] == 5 and report["chunks"] >= 5, errors


@pytest.mark.slow
def test_question_about_one_table_cell_cites_that_row(indexed) -> None:
    from rag import ask

    folder, _, store = indexed
    answer = ask("Who manages the Tallinn office?", store=str(store), llm="extractive")
    assert not answer.abstained, answer.text
    assert "Kadri Tamm" in answer.text
    cited = answer.citations[0]
    assert Path(cited.source).name == "offices.docx"
    row = "City: Tallinn; Manager: Kadri Tamm; Headcount: 17; Opened: 2019"
    assert cited.text == row  # the row line itself: header and cells together
    text = load_document(folder / "offices.docx").text
    assert text[cited.start : cited.end] == cited.text
