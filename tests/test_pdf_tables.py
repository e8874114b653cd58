"""PDF tables as one "column: value; ..." line per row (index/pdf_tables.py, index/pdf.py)."""

from pathlib import Path

import pytest

from index.loaders import load_document
from index.pdf import PdfResult
from index.pdf_tables import cut_table, looks_tabular, may_have_table, row_lines

TASN = Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf")
MIME = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")

ROWS = [
    ["City", "Country", "Population", "Founded"],
    ["Qarvik", "Norland", "412,000", "1203"],
    ["Belmora", "Ostria", "98,500", "1587"],
    ["Tessaly Cove", "Marenne", "1,250,000", "948"],
]
INTRO = (
    "The towns below were surveyed in 2019 by the coastal office. Each entry lists the "
    "country, the population at the last census and the year the town was founded."
)
OUTRO = "All figures are rounded. The survey is repeated every ten years."


def build_table_pdf(path: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    style = getSampleStyleSheet()
    table = Table(ROWS)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story = [
        Paragraph("Harbour towns of the northern coast", style["Title"]),
        Paragraph(INTRO, style["Normal"]),
        Spacer(1, 12),
        table,
        Spacer(1, 12),
        Paragraph(OUTRO, style["Normal"]),
    ]
    SimpleDocTemplate(str(path), pagesize=letter).build(story)
    return path


# ---------------------------------------------------------------- row formatting


def test_rows_repeat_the_header_names():
    # The shared formatter (index/tables.py) writes the header once as its own line too.
    assert row_lines(ROWS) == [
        "City; Country; Population; Founded",
        "City: Qarvik; Country: Norland; Population: 412,000; Founded: 1203",
        "City: Belmora; Country: Ostria; Population: 98,500; Founded: 1587",
        "City: Tessaly Cove; Country: Marenne; Population: 1,250,000; Founded: 948",
    ]


def test_rows_without_a_header_are_their_cells():
    # A first row holding a number is data: no column names are made up from it.
    rows = [["Qarvik", "412,000"], ["Belmora", "98,500"]]
    assert row_lines(rows) == ["Qarvik; 412,000", "Belmora; 98,500"]
    # An empty header cell also means the first row is not a header.
    assert row_lines([["Item", ""], ["Rope", "3 m"]]) == ["Item", "Rope; 3 m"]


def test_rows_merged_cells_empty_values_and_wrapped_cells():
    rows = [
        ["Name", "Size", None, "Use"],  # "Size" merged over two columns names both
        ["Rope\nladder", "3 m", None, "boarding"],  # merged from above or the left: empty
        [None, None, None, None],
        ["Hook", "", "12 cm", "mooring"],
    ]
    assert row_lines(rows) == [
        "Name; Size; Use",
        "Name: Rope ladder; Size: 3 m; Use: boarding",
        "Name: Hook; Size: 12 cm; Use: mooring",
    ]
    assert row_lines([]) == [] and row_lines([[None, ""]]) == []
    # The shared header rule: two distinct names are as often a key/value list, so a
    # two-column table (here "Size" over two columns) is written as its cells alone.
    two = [["Name", "Size", None], ["Hook", "", "12 cm"]]
    assert row_lines(two) == ["Name; Size", "Hook; 12 cm"]


# ---------------------------------------------------------------- cutting the run-on text


def test_cut_table_replaces_the_block_of_table_lines():
    lines = [
        "Population survey",
        "",
        "   City          Country      Population",
        "   Qarvik        Norland      412,000",
        "   Tessaly       Marenne      1,250,000",
        "   Cove",
        "",
        "All figures are rounded.",
    ]
    rows = [
        ["City", "Country", "Population"],
        ["Qarvik", "Norland", "412,000"],
        ["Tessaly\nCove", "Marenne", "1,250,000"],
    ]
    assert cut_table(lines, rows, "@T@") == [
        "Population survey", "", "", "@T@", "", "", "All figures are rounded.",
    ]  # fmt: skip
    assert looks_tabular(lines)  # only such pages are opened by PDFium for the pre-check
    assert not looks_tabular(["A paragraph of prose,", "wrapped  once with two spaces."])
    # A heading that repeats a column name stays: the best block is the table's own lines.
    assert cut_table(["Country", *lines[2:6]], rows, "@T@")[0] == "Country"
    # Table words not found as a block (another extraction order): the text stays as it is.
    assert cut_table(["Qarvik Norland 412,000 unrelated words"], rows, "@T@") is None


# ---------------------------------------------------------------- real PDFs


def test_precheck_finds_a_ruled_table_and_skips_real_manuals(tmp_path: Path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(build_table_pdf(tmp_path / "t.pdf"))
    assert may_have_table(pdf[0])
    # The manuals draw underlines and boxes around code (up to 26 paths a page), no table:
    # pdfplumber finds none on them, and the pre-check spares it every one of their pages.
    for path in (TASN, MIME):
        doc = pdfium.PdfDocument(path)
        assert not any(may_have_table(doc[i]) for i in range(len(doc))), path


def test_table_pdf_reads_as_rows_without_double_text(tmp_path: Path):
    result = PdfResult()
    doc = load_document(build_table_pdf(tmp_path / "towns.pdf"), pdf=result)
    assert result.tables == 1
    for row in row_lines(ROWS):
        assert doc.text.count(row) == 1, row
        assert f"\n\n{row}\n\n" in doc.text  # its own paragraph: a chunk never cuts it
    # The run-on layout text of the table is gone: each cell word occurs once.
    assert doc.text.count("Qarvik") == 1 and doc.text.count("Norland") == 1
    assert "Population Founded" not in doc.text
    # The rest of the page is today's reflowed text, in order around the table.
    assert doc.text.index(INTRO) < doc.text.index("City: Qarvik") < doc.text.index(OUTRO)
    assert doc.page_at(doc.text.index("City: Belmora")) == 1


@pytest.mark.slow
def test_question_about_one_cell_cites_its_row(tmp_path: Path):
    from index.pipeline import IndexConfig, index_paths
    from rag.pipeline import AskConfig, Pipeline

    docs = tmp_path / "docs"
    docs.mkdir()
    build_table_pdf(docs / "towns.pdf")
    cfg = IndexConfig(store=tmp_path / "store")
    report = index_paths([docs], cfg, progress=False)
    assert report.added == 1 and not report.errors and not report.ocr_skipped
    p = Pipeline(AskConfig(index=cfg))
    try:
        a = p.ask("What is the population of Belmora?")
    finally:
        p.close()
    assert not a.abstained, a.text
    row = "City: Belmora; Country: Ostria; Population: 98,500; Founded: 1587"
    assert [c.text for c in a.citations] == [row], a.to_dict()
    assert "98,500" in f"{a.answer} {a.text}"
    assert load_document(docs / "towns.pdf").text[a.citations[0].start : a.citations[0].end] == row
