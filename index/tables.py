"""Tables as row-wise text: one line per row, "column: value; column: value".

A table flattened cell after cell reads as word soup ("Region Revenue Europe 12.4 Asia 9.1"),
and a chunk that holds row 40 but not the header cannot say what "9.1" is. So every body row
repeats its column names: any chunk holding a row is self-contained, a question about one cell
retrieves that row, and the citation is that row. A table without a header row is written as
its cells alone ("Europe; 12.4").

Merged cells: a cell spanning several columns is written once (under the column names it
covers, joined by " / "); a cell spanning several rows is repeated in each of them, so each row
line still says it. A nested table is flattened into its cell, its rows joined by " / ".

DOCX and HTML build a grid of `Cell`s here; the format readers own everything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

# A cell that is only a number, money, percentage or date is data, never a column name.
_NUMERIC = re.compile(r"[\d\s.,%$€£¥+\-−–()/:]+")
_MAX_NAME_CHARS = 60  # a longer first-row cell is content, not a column name
MAX_SPAN = 100  # colspan/rowspan are capped: colspan="1000000" must not build a huge grid
MAX_DEPTH = 8  # nested tables deeper than this are read as plain text
LAYOUT_CELL_CHARS = 400  # an HTML table with a cell this long lays out a page; not data
LAYOUT_CELL_NODES = 200  # ... or with this many tags and strings in one cell


class Cell(NamedTuple):  # a tuple, not a frozen dataclass: a CSV makes millions of these
    """One grid position. Positions sharing `key` are one merged cell (written once per row)."""

    text: str
    key: object = None
    header: bool = False  # marked as a header cell by the format (<th>, DOCX header row)


def normalise_cell(text: str) -> str:
    return " ".join(text.split())


def row_lines(grid: Sequence[Sequence[Cell]], header_rows: int | None = None) -> list[str]:
    """One line per row. `header_rows` leading rows name the columns; None: decide from the
    cells (rows the format marks as headers, else the first row when it looks like names)."""
    grid = [list(r) for r in grid if any(c.text for c in r)]
    if not grid:
        return []
    if header_rows is None:
        header_rows = _marked_header_rows(grid) or int(looks_like_header(grid))
    names = _column_names(grid[:header_rows])
    out = [_cells_alone(r) for r in grid[:header_rows]]
    out += [_labelled(r, names) if names else _cells_alone(r) for r in grid[header_rows:]]
    return [line for line in out if line]


def looks_like_header(grid: Sequence[Sequence[Cell]]) -> bool:
    """An unmarked first row names the columns when it has 3+ distinct short, non-numeric,
    non-sentence cells and rows follow. Two-column tables are left alone: "Name | Alice" over
    "Age | 30" is as often a key/value list, and "Name: Age; Alice: 30" would be wrong."""
    if len(grid) < 2:
        return False
    first = [c.text for c in _merged(grid[0])]
    if len(first) < 3 or len(set(first)) < len(first):
        return False
    return all(
        t and len(t) <= _MAX_NAME_CHARS and not _NUMERIC.fullmatch(t) and not t.endswith(".")
        for t in first
    )


def _marked_header_rows(grid: list[list[Cell]]) -> int:
    n = 0
    while n < len(grid) - 1 and all(c.header or not c.text for c in grid[n]):
        n += 1
    return n


def _merged(row: Sequence[Cell]) -> Iterator[Cell]:
    """The row's cells with a horizontally merged cell once (consecutive positions, one key)."""
    prev = object()
    for c in row:
        if c.key is None or c.key is not prev:
            yield c
        prev = c.key


def _column_names(header: list[list[Cell]]) -> list[str]:
    if not header:
        return []
    width = max(len(r) for r in header)
    names = []
    for j in range(width):
        # Two header rows ("2023" over "Q1") name a column together, top first.
        parts = [r[j].text for r in header if j < len(r) and r[j].text]
        names.append(" ".join(dict.fromkeys(parts)))
    return names


def _cells_alone(row: Sequence[Cell]) -> str:
    return "; ".join(c.text for c in _merged(row) if c.text)


def _labelled(row: Sequence[Cell], names: list[str]) -> str:
    pairs: list[str] = []
    j = 0
    while j < len(row):
        cell, k = row[j], j + 1
        while k < len(row) and cell.key is not None and row[k].key is cell.key:
            k += 1
        label = " / ".join(dict.fromkeys(n for n in names[j:k] if n))
        if cell.text:
            pairs.append(f"{label}: {cell.text}" if label and label != cell.text else cell.text)
        j = k
    return "; ".join(pairs)


# ---------------------------------------------------------------- DOCX (python-docx)


def docx_table_lines(table, depth: int = 0) -> list[str]:  # noqa: ANN001 - docx Table
    """Row lines of a python-docx table, header decided from Word's own marks first."""
    grid = []
    for row in table.rows:
        # A row may start after the first column; a python-docx without grid_cols_before: not.
        cells = [Cell("")] * getattr(row, "grid_cols_before", 0)
        for c in row.cells:
            # vertically merged continuations come back as the top cell; key on its element
            cells.append(Cell(_docx_cell_text(c, depth), c._tc))
        grid.append(cells)
    marked = _docx_header_rows(table)
    return row_lines(grid, marked or None)


def _docx_cell_text(cell, depth: int) -> str:  # noqa: ANN001 - docx _Cell
    from docx.table import Table

    parts = []
    for block in cell.iter_inner_content():
        if isinstance(block, Table):
            if depth < MAX_DEPTH:
                parts.append(" / ".join(docx_table_lines(block, depth + 1)))
            else:
                parts += [c.text for r in block.rows for c in r.cells]
        else:
            parts.append(block.text)
    return normalise_cell(" ".join(parts))


def _docx_header_rows(table) -> int:  # noqa: ANN001 - docx Table
    """Leading rows Word marks as headers: "repeat as header row" (w:tblHeader), or a table
    style that formats the first row with the "Header Row" option on, or all-bold text."""
    from docx.oxml.ns import qn

    rows = list(table.rows)
    n = 0
    for row in rows[:-1]:
        pr = row._tr.trPr
        mark = pr.find(qn("w:tblHeader")) if pr is not None else None
        if mark is None or mark.get(qn("w:val"), "true") in ("0", "false", "off"):
            break
        n += 1
    if n or len(rows) < 2:
        return n
    if _style_formats_first_row(table) or _all_bold(rows[0]):
        return 1
    return 0


def _style_formats_first_row(table) -> bool:  # noqa: ANN001 - docx Table
    from docx.oxml.ns import qn

    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        return False
    on = look.get(qn("w:firstRow"))
    if on is None:  # older files: a hex bit mask, 0x0020 is "first row"
        on = "1" if int(look.get(qn("w:val"), "0") or "0", 16) & 0x20 else "0"
    if on not in ("1", "true", "on"):
        return False
    try:
        style = table.style
    except Exception:  # a style id the styles part lacks
        return False
    element = style.element if style is not None else None
    return element is not None and any(
        p.get(qn("w:type")) == "firstRow" for p in element.findall(qn("w:tblStylePr"))
    )


def _all_bold(row) -> bool:  # noqa: ANN001 - docx _Row
    runs = [r for c in row.cells for p in c.paragraphs for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


# ---------------------------------------------------------------- HTML (BeautifulSoup)


def html_table_lines(table, depth: int = 0) -> list[str] | None:  # noqa: ANN001 - bs4 Tag
    """Row lines of an HTML <table> (caption first), or None for a layout table (a page laid
    out in cells), which the caller reads as ordinary blocks."""
    rows = list(_html_rows(table))
    cells_by_row = [[c for c in tr.children if c.name in ("td", "th")] for tr in rows]
    if any(_lays_out(td) for r in cells_by_row for td in r):
        return None
    caption = table.find("caption", recursive=False)
    title = normalise_cell(caption.get_text(" ")) if caption else ""
    # Spans may widen the grid, not blow it up: colspan=100 on every cell of a 10 MB page, or
    # rowspans pushing each row right, would hold millions of positions. Past this budget the
    # table is read as blocks.
    budget = 10 * sum(len(r) for r in cells_by_row) + 1000
    grid: list[list[Cell]] = []
    carry: dict[int, tuple[Cell, int]] = {}  # column -> (cell, rows it still spans)
    for tr, tds in zip(rows, cells_by_row, strict=True):
        in_head = tr.parent is not None and tr.parent.name == "thead"
        row: list[Cell] = []
        queue = iter(tds)
        td = next(queue, None)
        while td is not None or carry and max(carry) >= len(row):
            j = len(row)
            if j in carry:
                cell, left = carry.pop(j)
                if left > 1:
                    carry[j] = (cell, left - 1)
                row.append(cell)
            elif td is None:
                row.append(Cell(""))  # a gap left of a cell spanning down from above
            else:
                cell = Cell(_html_cell_text(td, depth), td, in_head or td.name == "th")
                down = _span(td, "rowspan")
                for k in range(_span(td, "colspan")):
                    row.append(cell)
                    if down > 1:
                        carry[j + k] = (cell, down - 1)
                td = next(queue, None)
            budget -= len(row) - j
            if budget < 0:
                return None
        grid.append(row)
    lines = row_lines(grid)
    return [title, *lines] if title and lines else lines


def _html_rows(table) -> Iterator:  # noqa: ANN001 - bs4 Tag
    # This table's own rows only, from its children: searching all descendants for <tr> would
    # cost the whole subtree at every level of a page of nested tables.
    for child in table.children:
        if child.name == "tr":
            yield child
        elif child.name in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child.children if tr.name == "tr")


def _lays_out(td) -> bool:  # noqa: ANN001 - bs4 Tag
    """A cell holding a page's worth of text or markup: the table lays out a page. Looks at
    a bounded number of nodes, so 100,000 nested tables cost linear time, not quadratic."""
    # Not `td.descendants`: bs4 finds the subtree's last node first, a walk of all of it.
    chars, seen, stack = 0, 0, [td]
    while stack:
        node = stack.pop()
        seen += 1
        if node.name is None:
            chars += len(node)
        else:
            stack.extend(node.contents[:LAYOUT_CELL_NODES])
        if seen > LAYOUT_CELL_NODES or chars > LAYOUT_CELL_CHARS:
            return True
    return False


def _span(td, name: str) -> int:  # noqa: ANN001 - bs4 Tag
    try:
        return max(1, min(MAX_SPAN, int(str(td.get(name, "1")).strip() or 1)))
    except ValueError:
        return 1


def _html_cell_text(td, depth: int) -> str:  # noqa: ANN001 - bs4 Tag
    if depth < MAX_DEPTH:
        for inner in td.find_all("table"):
            if inner.find_parent("table") is not td.find_parent("table"):
                continue  # inside another nested table: that one flattens it
            lines = html_table_lines(inner, depth + 1)
            if lines is not None:
                inner.replace_with(" / ".join(lines))
    return normalise_cell(td.get_text(" "))
