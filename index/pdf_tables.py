"""PDF tables as row-wise text: one line per row, "column: value; column: value".

A table read from a PDF's text layer is a run-on of cells ("City Country Qarvik Norland ..."),
and a chunk holding one row cannot say what its numbers are. pdfplumber finds ruled tables
(its "lines" strategy: cell borders drawn as lines or rectangles) and gives their cells; each
body row is then written with its column names, so a chunk holding a row is self-contained.
The table's own lines are cut out of the page's layout text (no word twice) and a marker put
in their place, which `read_pdf` swaps for the row lines after paragraph reflow.

The lines are written by the formatter DOCX, HTML and CSV tables use (index/tables.py: the
header line once, then "name: value" rows, its header rules); `row_lines` only turns
pdfplumber's grid (None where a cell was merged away) into that formatter's cells.

pdfplumber (pdfminer) costs 1.7-2.7x pypdf per page (the two real manuals here: 2.1 s vs
1.2 s, 5.0 s vs 1.9 s), so it only sees pages that could hold a ruled table: text in columns
(`looks_tabular`, free) and, only then, rules drawn on at least 3 heights and 2 columns
(`may_have_table`: the page's paths through PDFium, about 2 ms), which a box around a code
sample or an underline does not have. On those two manuals pdfplumber finds no table (their
columns are code listings and contents pages) and the pre-check passes none of their pages.
Tables drawn without rules are left as today's text.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence

from index import tables

Rows = list[list[str | None]]

_COLUMNS = re.compile(r"\S {3,}\S")
_THIN = 3.0  # points: a path this thin is a rule
_MIN_RULE = 8.0  # points: shorter rules are underlines and glyph parts, not cell borders


def looks_tabular(lines: list[str]) -> bool:
    """Whether a page's layout text has >= 2 lines with a gap of 3+ spaces inside: a table's
    rows do (cells side by side); on 205 pages of text PDFs 26% pass, and only those pay for
    PDFium opening the page (`may_have_table`)."""
    return sum(bool(_COLUMNS.search(line.strip())) for line in lines) >= 2


def may_have_table(page) -> bool:  # noqa: ANN001 - a pypdfium2 PdfPage
    """Whether the page draws rules on >= 3 heights and >= 2 columns (a ruled table's least)."""
    import pypdfium2.raw as pdfium_c

    rows: set[int] = set()
    cols: set[int] = set()
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        wide, tall = right - left >= _MIN_RULE, top - bottom >= _MIN_RULE
        if wide and top - bottom <= _THIN:
            rows.add(round(bottom))
        elif tall and right - left <= _THIN:
            cols.add(round(left))
        elif wide and tall:  # a rectangle: a cell, or the frame of a grid drawn as one path
            rows |= {round(bottom), round(top)}
            cols |= {round(left), round(right)}
            if pdfium_c.FPDFPath_CountSegments(obj.raw) > 5:
                rows.add(round((top + bottom) / 2))  # inner rules inside one path: look closer
        if len(rows) >= 3 and len(cols) >= 2:
            return True
    return False


def find_tables(data: bytes, numbers: Sequence[int]) -> dict[int, list[Rows]]:
    """The tables (rows of cells, None for a merged-away cell) on pages `numbers` (1-based).

    A damaged file that pypdf could read but pdfminer cannot gives no tables: its text is
    then indexed as before rather than the file being lost.
    """
    import pdfplumber

    found: dict[int, list[Rows]] = {}
    with _quiet_pdfminer():
        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                for n in numbers:
                    if n > len(pdf.pages):
                        continue
                    tables = [t.extract() for t in pdf.pages[n - 1].find_tables()]
                    # A 1-column or 1-row "table" is a frame around text, not a table.
                    tables = [t for t in tables if len(t) >= 2 and max(map(len, t)) >= 2]
                    if tables:
                        found[n] = tables
        except Exception:  # pdfminer raises many exception types on damaged input
            return {}
    return found


def row_lines(rows: Rows) -> list[str]:
    """One line per row by the shared table formatter (index/tables.py).

    pdfplumber gives None for a position merged into another cell. In the first row that can
    only be the cell on its left (a header over several columns names each of them); below
    it, a cell merged from above or from the left cannot be told apart, so it is left empty,
    as an empty value is (not written).
    """
    grid: list[list[tables.Cell]] = []
    for i, row in enumerate(rows):
        cells: list[tables.Cell] = []
        for text in row:
            if text is None and i == 0 and cells:
                cells.append(cells[-1])  # the same cell (same key): written once
            else:
                cells.append(tables.Cell(tables.normalise_cell(text or ""), object()))
        grid.append(cells)
    return tables.row_lines(grid)


def cut_table(lines: list[str], rows: Rows, marker: str) -> list[str] | None:
    """`lines` (a page's layout text) with the table's lines replaced by `marker`, or None when
    the table's words are not found there as a block of lines (the text is then kept as is).

    The block is the run of lines whose words all belong to the table (each cell word used
    once) that uses the most of them; it must hold at least 60% of the table's words.
    """
    need = Counter(w for r in rows for c in r if c for w in c.split())
    total = sum(need.values())
    best = (0, 0, 0)  # consumed, start, end
    for i, line in enumerate(lines):
        if line.strip():
            end, consumed = _run(lines, i, need)
            if consumed > best[0]:
                best = (consumed, i, end)
    consumed, start, end = best
    if not total or consumed < 0.6 * total:
        return None
    return [*lines[:start], "", marker, "", *lines[end:]]


def _run(lines: list[str], start: int, need: Counter) -> tuple[int, int]:
    left = need.copy()
    consumed, end = 0, start
    for j in range(start, len(lines)):
        words = Counter(lines[j].split())
        if any(left[w] < n for w, n in words.items()):
            break
        left.subtract(words)
        if words:
            consumed += sum(words.values())
            end = j + 1
    return end, consumed


@contextlib.contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    # pdfminer logs warnings about odd fonts to stderr; the file's text is still fine.
    log = logging.getLogger("pdfminer")
    level = log.level
    log.setLevel(logging.ERROR + 10)
    try:
        yield
    finally:
        log.setLevel(level)
