"""Office, e-book and table formats: .docx, .pptx, .epub, .csv and .tsv as `Line`s.

Like every reader in index/loaders.py these only extract lines (plus a declared title); the
shared cleaning gives titles, sections and pages. A damaged file is a `LoadError` with a
one-line reason, never an exception that stops the run.

- .pptx: each slide's text in reading order (title, then shapes top to bottom, left to right),
  then its speaker notes; the slide number is the page. Slide titles are headings, so a deck
  gets one section per titled slide.
- .epub: read here from the zip (container.xml -> OPF manifest and spine -> XHTML), not
  through ebooklib, whose AGPL licence would bind the project; chapters in spine order, each a
  section titled by its first heading, else its table-of-contents label.
- .csv/.tsv: the header row, then one "column: value; ..." line per row (index/tables.py).
  Bounded by MAX_CSV_ROWS rows and MAX_TABLE_CHARS characters of row text, on top of
  --max-file-mb: a file over either is an error naming the fix (split it), not a silent
  prefix, because answers from part of a table would be wrong with nothing saying so.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

from index.clean import Line
from index.errors import LoadError
from index.html import read_html
from index.tables import Cell, docx_table_lines, normalise_cell, row_lines

Extracted = tuple[list[Line], str | None]

# 100,000 rows of 8 short columns (a 7.4 MB file) are 13.9 MB of row text, 20,156 chunks,
# 368 MB peak RSS to load and chunk (`python -m index.limits FILE`); embedding that many chunks
# takes minutes on two cores, so more rows belong in a database, not in a question-answer index.
MAX_CSV_ROWS = 100_000
MAX_TABLE_CHARS = 20_000_000  # characters in cells: wide rows reach it before the row bound
MAX_CHAPTER_BYTES = 10_000_000  # an XHTML chapter, uncompressed (as --max-html-mb's default)


def _missing(source: str, module: str, pip: str) -> LoadError:
    return LoadError(source, f"reading this format needs {module}: pip install '{pip}'")


# ---------------------------------------------------------------- DOCX


def read_docx(data: bytes, source: str) -> Extracted:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[Line] = []
        for block in document.iter_inner_content():  # paragraphs and tables in document order
            if isinstance(block, Table):
                lines += [Line(t) for t in docx_table_lines(block)]
            else:
                style = block.style.name if block.style is not None else ""
                level = _docx_level(style)
                lines += [Line(t, level=level) for t in block.text.splitlines()]
            lines.append(Line(""))
    except Exception as e:  # python-docx / zipfile / lxml errors on damaged input
        raise LoadError(
            source, f"not a readable .docx ({type(e).__name__}: {e}); the file may be corrupt"
        ) from None
    title = next((x.text.strip() for x in lines if x.level is not None and x.text.strip()), None)
    return lines, title


def _docx_level(style: str) -> int | None:
    if style == "Title":
        return 0
    m = re.fullmatch(r"Heading (\d)", style)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- PPTX


def read_pptx(data: bytes, source: str) -> Extracted:
    try:
        from pptx import Presentation
    except ImportError:
        raise _missing(source, "python-pptx", "python-pptx>=1.0") from None
    try:
        deck = Presentation(io.BytesIO(data))
        lines: list[Line] = []
        first_title = None
        for number, slide in enumerate(deck.slides, start=1):
            title_shape = slide.shapes.title
            if title_shape is not None and (title := normalise_cell(title_shape.text_frame.text)):
                lines += [Line(title, page=number, level=1), Line("", page=number)]
                first_title = first_title or title
            title_id = title_shape.shape_id if title_shape is not None else None
            for shape in _reading_order(s for s in slide.shapes if s.shape_id != title_id):
                lines += [Line(t, page=number) for t in _shape_text(shape)]
                lines.append(Line("", page=number))
            if slide.has_notes_slide and (notes := slide.notes_slide.notes_text_frame):
                lines += [Line(t, page=number) for t in notes.text.splitlines()]
            lines.append(Line("", page=number))
        declared = normalise_cell(deck.core_properties.title or "")
    except Exception as e:  # python-pptx / zipfile / lxml errors on damaged input
        raise LoadError(
            source, f"not a readable .pptx ({type(e).__name__}: {e}); the file may be corrupt"
        ) from None
    return lines, declared or first_title


def _reading_order(shapes):  # noqa: ANN001, ANN202 - python-pptx shapes
    # Top to bottom, then left to right; a shape without a position (rare) goes last.
    return sorted(shapes, key=lambda s: (s.top is None, s.top or 0, s.left or 0))


def _shape_text(shape) -> list[str]:  # noqa: ANN001 - a python-pptx shape
    from pptx.shapes.group import GroupShape

    # Not `shape.shape_type`: it raises on shapes python-pptx does not recognise.
    if isinstance(shape, GroupShape):  # its members, in their own reading order
        return [t for s in _reading_order(shape.shapes) for t in _shape_text(s)]
    if shape.has_table:
        return _pptx_table_lines(shape.table)
    if shape.has_text_frame:
        return [p.text for p in shape.text_frame.paragraphs]
    return []


def _pptx_table_lines(table) -> list[str]:  # noqa: ANN001 - a python-pptx Table
    grid: list[list[Cell]] = []
    origin: dict[tuple[int, int], object] = {}  # spanned position -> the merge origin's key
    for r, row in enumerate(table.rows):
        cells = []
        for c, cell in enumerate(row.cells):
            if cell.is_merge_origin:
                for dr in range(cell.span_height):
                    for dc in range(cell.span_width):
                        origin[(r + dr, c + dc)] = cell._tc
            key = origin.get((r, c), cell._tc)
            text = normalise_cell(cell.text) if not cell.is_spanned else ""
            cells.append(Cell(text, key))
        grid.append(cells)
    # A spanned position repeats its origin's text, so each row line is whole.
    texts = {c.key: c.text for row in grid for c in row if c.text}
    grid = [[Cell(texts.get(c.key, c.text), c.key) for c in row] for row in grid]
    return row_lines(grid, 1 if table.first_row and len(grid) > 1 else 0)


# ---------------------------------------------------------------- EPUB


_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "x": "http://www.w3.org/1999/xhtml",
}


def read_epub(data: bytes, source: str) -> Extracted:
    try:
        return _read_epub(data, source)
    except LoadError:
        raise
    except Exception as e:  # zipfile (bad CRC), zlib, expat errors on damaged input
        raise LoadError(
            source, f"not a readable .epub ({type(e).__name__}: {e}); the file may be corrupt"
        ) from None


def _read_epub(data: bytes, source: str) -> Extracted:
    book = zipfile.ZipFile(io.BytesIO(data))
    opf_path = _opf_path(book)
    opf = ElementTree.fromstring(_member(book, opf_path, source))
    base = posixpath.dirname(opf_path)
    manifest = {}  # id -> (path in the zip, media type, properties)
    for item in opf.iterfind("opf:manifest/opf:item", _NS):
        href = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
        manifest[item.get("id")] = (href, item.get("media-type", ""), item.get("properties", ""))
    _refuse_drm(book, source, {h for h, _, _ in manifest.values()})
    spine = opf.find("opf:spine", _NS)
    if spine is None:
        raise ValueError("its package file has no <spine>")
    labels = _toc_labels(book, manifest, spine.get("toc"), source)
    title = normalise_cell(opf.findtext("opf:metadata/dc:title", "", _NS)) or None

    lines: list[Line] = []
    for ref in spine.iterfind("opf:itemref", _NS):
        href, media, props = manifest.get(ref.get("idref"), ("", "", ""))
        if not href or "nav" in props.split() or "html" not in media:
            continue  # the table of contents repeats the chapter titles; images have no text
        lines += _chapter(book, href, labels.get(href), source)
    return lines, title


def _opf_path(book: zipfile.ZipFile) -> str:
    try:
        container = ElementTree.fromstring(book.read("META-INF/container.xml"))
        root = container.find("c:rootfiles/c:rootfile", _NS)
        if root is not None and root.get("full-path"):
            return root.get("full-path")
    except KeyError:
        pass  # no container: some tools skip it; take the package file itself
    opfs = [n for n in book.namelist() if n.lower().endswith(".opf")]
    if not opfs:
        raise ValueError("no META-INF/container.xml and no .opf package file")
    return opfs[0]


def _member(book: zipfile.ZipFile, name: str, source: str) -> bytes:
    info = book.getinfo(name)  # KeyError when the manifest names a missing file
    if info.file_size > MAX_CHAPTER_BYTES:  # zipfile stops reading at the declared size
        raise LoadError(
            source,
            f"EPUB member {name} is {info.file_size / 1e6:.1f} MB uncompressed, over the "
            f"{MAX_CHAPTER_BYTES / 1e6:g} MB limit; split the chapter",
        )
    return book.read(info)


def _refuse_drm(book: zipfile.ZipFile, source: str, content: set[str]) -> None:
    # Font obfuscation also lists files in encryption.xml; only encrypted text is a refusal.
    try:
        enc = ElementTree.fromstring(book.read("META-INF/encryption.xml"))
    except (KeyError, ElementTree.ParseError):
        return
    refs = {unquote(e.get("URI", "")) for e in enc.iter() if e.tag.endswith("CipherReference")}
    if refs & content and any(r.lower().endswith(("html", "htm")) for r in refs):
        raise LoadError(source, "EPUB is DRM-protected (its text is encrypted); remove the DRM")


def _toc_labels(book, manifest: dict, ncx_id: str | None, source: str) -> dict[str, str]:  # noqa: ANN001
    """Chapter path -> its table-of-contents label (EPUB 3 nav, else the EPUB 2 NCX)."""
    labels: dict[str, str] = {}
    try:
        for href, _, props in manifest.values():
            if "nav" in props.split():
                nav = ElementTree.fromstring(_member(book, href, source))
                for a in nav.iter(f"{{{_NS['x']}}}a"):
                    _add_label(labels, href, a.get("href", ""), "".join(a.itertext()))
        if not labels and ncx_id in manifest:
            href = manifest[ncx_id][0]
            ncx = ElementTree.fromstring(_member(book, href, source))
            for point in ncx.iter(f"{{{_NS['ncx']}}}navPoint"):
                text = point.findtext("ncx:navLabel/ncx:text", "", _NS)
                content = point.find("ncx:content", _NS)
                src = content.get("src", "") if content is not None else ""
                _add_label(labels, href, src, text)
    except (KeyError, ElementTree.ParseError):
        pass  # a broken table of contents costs chapter labels, not the book
    return labels


def _add_label(labels: dict[str, str], toc: str, link: str, text: str) -> None:
    target = unquote(link.split("#", 1)[0])
    if target and (text := normalise_cell(text)):
        path = posixpath.normpath(posixpath.join(posixpath.dirname(toc), target))
        labels.setdefault(path, text)


def _chapter(book: zipfile.ZipFile, href: str, label: str | None, source: str) -> list[Line]:
    try:
        lines, _ = read_html(_member(book, href, source), source)
    except KeyError:
        raise LoadError(source, f"EPUB spine names {href}, which the file lacks") from None
    except LoadError as e:
        raise LoadError(source, f"chapter {href}: {e.reason}") from None
    # The chapter's first heading is its section title (level 0, like an HTML <article>
    # heading); a chapter without one starts with its table-of-contents label.
    at = next((i for i, x in enumerate(lines) if x.level is not None and x.text.strip()), None)
    if at is not None:
        lines[at] = Line(lines[at].text, level=0)
    elif label:
        lines = [Line(label, level=0), Line(""), *lines]
    return [*lines, Line("")]


# ---------------------------------------------------------------- CSV / TSV


def read_csv(data: bytes, source: str) -> Extracted:
    return _read_delimited(data, source, None)


def read_tsv(data: bytes, source: str) -> Extracted:
    return _read_delimited(data, source, "\t")


def _read_delimited(data: bytes, source: str, delimiter: str | None) -> Extracted:
    from index.loaders import decode_text  # loaders imports this module: import at call time

    text = decode_text(data, source)
    if delimiter is None:
        try:  # "," is the default; European spreadsheets export ";"
            delimiter = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    grid: list[list[Cell]] = []
    chars = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells = [Cell(normalise_cell(v)) for v in row]
            if not any(c.text for c in cells):
                continue
            if len(grid) > MAX_CSV_ROWS:
                raise LoadError(
                    source,
                    f"table too large: over {MAX_CSV_ROWS:,} rows; split it into files of at "
                    f"most {MAX_CSV_ROWS:,} rows each",
                )
            chars += sum(len(c.text) for c in cells)
            if chars > MAX_TABLE_CHARS:
                raise LoadError(
                    source,
                    f"table too large: over {MAX_TABLE_CHARS:,} characters of cells by row "
                    f"{len(grid) + 1:,}; split it into smaller files",
                )
            grid.append(cells)
    except csv.Error as e:
        raise LoadError(source, f"not a readable delimited table ({e}); fix the quoting") from None
    # Headers are the convention; a first row of numbers only is data.
    header = 1 if grid and len(grid) > 1 and not all(_number(c.text) for c in grid[0]) else 0
    return [Line(t) for t in row_lines(grid, header)], Path(source).stem


def _number(text: str) -> bool:
    return not text or re.fullmatch(r"[-+]?[\d.,]+%?", text) is not None
