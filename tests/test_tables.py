"""Tables as row-wise text: DOCX (built with python-docx) and HTML, through load_document."""

from pathlib import Path

import docx
from docx.oxml import OxmlElement

from index.loaders import load_document
from index.tables import Cell, looks_like_header, row_lines


def _fill(table, rows: list[list[str]]) -> None:
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value


def test_docx_table_rows_in_document_order_with_header_repeated(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Quarterly report", 0)
    d.add_paragraph("Before the table.")
    _fill(
        d.add_table(rows=3, cols=3),
        [["Region", "Revenue", "Head"], ["Europe", "12.4", "Anna Berg"], ["Asia", "9.1", ""]],
    )
    d.add_paragraph("After the table.")
    d.save(tmp_path / "r.docx")
    doc = load_document(tmp_path / "r.docx")
    assert doc.text == (
        "Quarterly report\n\nBefore the table.\n\n"
        "Region; Revenue; Head\n"
        "Region: Europe; Revenue: 12.4; Head: Anna Berg\n"
        "Region: Asia; Revenue: 9.1\n\n"  # a blank cell is left out, not "Head: "
        "After the table."
    )


def test_docx_two_columns_need_a_marked_header(tmp_path: Path) -> None:
    d = docx.Document()
    # A key/value list: no header mark, two columns -> cells alone.
    _fill(d.add_table(rows=2, cols=2), [["Name", "Alice"], ["Age", "30"]])
    d.add_paragraph("Between.")
    # A table style that formats the first row (Word's "Header Row" option) marks a header.
    _fill(
        d.add_table(rows=2, cols=2, style="Light Grid Accent 1"),
        [["Name", "Role"], ["Alice", "CEO"]],
    )
    d.add_paragraph("Between again.")
    # "Repeat as header row" (w:tblHeader) marks one too.
    table = d.add_table(rows=2, cols=2)
    _fill(table, [["City", "Mayor"], ["Oslo", "Hanna"]])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    d.save(tmp_path / "kv.docx")
    text = load_document(tmp_path / "kv.docx").text
    assert "Name; Alice\nAge; 30" in text
    assert "Name; Role\nName: Alice; Role: CEO" in text
    assert "City: Oslo; Mayor: Hanna" in text


def test_docx_merged_and_nested_cells(tmp_path: Path) -> None:
    d = docx.Document()
    table = d.add_table(rows=3, cols=3)
    _fill(table, [["Team", "Lead", "Budget"], ["Search", "Ann", "7"], ["", "Bob", "4"]])
    table.cell(1, 0).merge(table.cell(2, 0))  # "Search" spans two rows
    inner = table.cell(2, 2).add_table(rows=2, cols=1)
    _fill(inner, [["Q1: 1"], ["Q2: 3"]])
    d.save(tmp_path / "m.docx")
    text = load_document(tmp_path / "m.docx").text
    lines = text.splitlines()
    # The vertically merged cell is repeated, so each row line says which team it is.
    assert "Team: Search; Lead: Ann; Budget: 7" in lines
    assert "Team: Search; Lead: Bob; Budget: 4 Q1: 1 / Q2: 3" in lines


def test_html_table_with_header_caption_spans_and_nesting(tmp_path: Path) -> None:
    path = tmp_path / "t.html"
    path.write_text(
        "<html><body><h1>Sales</h1><p>Intro.</p><table><caption>By region</caption>"
        "<thead><tr><th>Region</th><th colspan=2>Units</th></tr></thead>"
        "<tr><td rowspan=2>Europe</td><td>12</td><td>3</td></tr>"
        "<tr><td>9</td><td><table><tr><td>x</td><td>y</td></tr></table></td></tr>"
        "<tr><td></td><td></td><td></td></tr>"  # a blank row disappears
        "</table><p>Outro.</p></body></html>",
        encoding="utf-8",
    )
    assert load_document(path).text == (
        "Sales\n\nIntro.\n\nBy region\nRegion; Units\n"
        "Region: Europe; Units: 12; Units: 3\n"
        "Region: Europe; Units: 9; Units: x; y\n\nOutro."
    )


def test_html_table_without_header_and_layout_table(tmp_path: Path) -> None:
    path = tmp_path / "t.html"
    long = "A long paragraph of page text. " * 20
    path.write_text(
        "<html><body><table><tr><td>Oslo</td><td>Norway</td></tr>"
        "<tr><td>Bern</td><td>Switzerland</td></tr></table>"
        f"<table><tr><td><p>{long}</p></td><td><p>Sidebar words.</p></td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    text = load_document(path).text
    assert text.startswith("Oslo; Norway\nBern; Switzerland\n\n")
    # A table laying out a page is read as blocks, not as "column: value" rows.
    assert "A long paragraph" in text and "Sidebar words." in text and ":" not in text


def test_row_lines_rules() -> None:
    def grid(*rows: list[str]) -> list[list[Cell]]:
        return [[Cell(t) for t in r] for r in rows]

    assert looks_like_header(grid(["Name", "City", "Age"], ["Ann", "Oslo", "31"]))
    assert not looks_like_header(grid(["2021", "2022", "2023"], ["1", "2", "3"]))
    assert not looks_like_header(grid(["Name", "Name", "Age"], ["a", "b", "1"]))
    assert not looks_like_header(grid(["Name", "City", "Age"]))  # nothing follows
    marked = [[Cell("Name", header=True), Cell("Age", header=True)], [Cell("Ann"), Cell("31")]]
    assert row_lines(marked) == ["Name; Age", "Name: Ann; Age: 31"]
    # A header cell left blank: the value stands alone.
    assert row_lines(grid(["", "Age"], ["Ann", "31"]), 1) == ["Age", "Ann; Age: 31"]
    # A horizontally merged cell is written once, under both column names.
    k = object()
    merged = [grid(["A", "B", "C"])[0], [Cell("x", k), Cell("x", k), Cell("y")]]
    assert row_lines(merged, 1) == ["A; B; C", "A / B: x; C: y"]


def test_html_spans_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "spans.html"
    # A huge span is capped; the row under it is still read.
    huge = "<tr><td colspan=1000000 rowspan=99999>x</td></tr><tr><td>y</td></tr>"
    # Every cell spanning 100x100 would make a grid of millions: read as blocks instead.
    wide = "<tr>" + "<td colspan=100 rowspan=100>c</td>" * 2000 + "</tr><tr><td>z</td></tr>"
    path.write_text(
        f"<table><tr><th>A</th><th>B</th></tr>{huge}</table><table>{wide}</table>",
        encoding="utf-8",
    )
    text = load_document(path).text
    assert text.startswith("A; B\nA / B: x\nA / B: x; y\n\n")
    assert "c; c" not in text and text.endswith("z")
