"""Turn a file into a `Document`: cleaned text, a human title, article sections, PDF pages.

Each format reader only extracts `Line`s (plus a title when the format names one); cleaning,
titles, sections and page spans are shared, so every format gets the same treatment.
Problems a user can fix are raised as `LoadError` with a one-line reason.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable
from pathlib import Path

from index.clean import (
    BYLINE,
    END,
    START,
    KeptLine,
    Line,
    clean_lines,
    code_spans,
    is_byline,
    is_title_like,
)
from index.compressed import GZ, gunzip, inner_name, is_gzip
from index.errors import LoadError
from index.formats import read_csv, read_docx, read_epub, read_pptx, read_tsv
from index.html import read_html
from index.limits import Limits
from index.lists import inline_lists, join_terms
from index.markup import read_markdown
from index.ocr import OcrConfig, attach_words
from index.pdf import PdfResult, read_pdf
from index.rst import read_rst
from index.types import Document, Page, Section

SUPPORTED_SUFFIXES: set[str] = {
    ".txt", ".md", ".markdown", ".rst", ".html", ".htm", ".pdf", ".docx", ".pptx", ".epub",
    ".csv", ".tsv",
}  # fmt: skip

# Bump by hand whenever a change in index/ (readers, cleaning, rST/Markdown/PDF handling) changes
# the cleaned text of some file. Each file's catalog record stores its hash under this version,
# so the next ordinary `rag index` re-cleans every file recorded under another one; chunk texts
# that come out the same keep their cached vectors (the catalog keys vectors by text).
CLEANING_VERSION = "2026-12-04d"


def file_hash(data: bytes) -> str:
    """The content hash a file's catalog record stores: cleaning version and sha256 of bytes."""
    return f"{CLEANING_VERSION}:{hashlib.sha256(data).hexdigest()}"


def cleaned_now(content_hash: str) -> bool:
    """Whether a record was written by the current cleaning (older records hold a bare sha256)."""
    return content_hash.startswith(CLEANING_VERSION + ":")


def bytes_hash(content_hash: str) -> str:
    """The sha256 of the file's bytes alone, whatever cleaning version wrote the record."""
    return content_hash.rpartition(":")[2]


def document_suffix(path: str | Path) -> str:
    """The lower-case suffix that says how a file is read, the one place that decides it:
    '.pdf' for 'a.pdf' and 'a.pdf.gz', '' for 'changelog.gz', and '.rst' for 'page.rst.txt'
    (Sphinx ships its sources so: reStructuredText, whatever the last suffix says)."""
    name = inner_name(path).lower()
    return ".rst" if name.endswith(".rst.txt") else Path(name).suffix


def unsupported(path: str | Path) -> str | None:
    """One-line reason a file's type is not read, naming the supported ones; None if it is."""
    suffix = document_suffix(path)
    if suffix in SUPPORTED_SUFFIXES:
        return None
    inside = f" inside a {GZ} file" if is_gzip(path) else ""
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    return f"{UNSUPPORTED} {suffix or '(none)'!r}{inside}; supported: {supported}"


UNSUPPORTED = "unsupported file type"  # how `unsupported` reasons start (rag index groups them)


Extracted = tuple[list[Line], str | None]  # lines, and the title the format declares if any

_BOMS = [  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def load_document(
    path: str | Path,
    ocr: OcrConfig | None = None,
    pdf: PdfResult | None = None,
    limits: Limits | None = None,
) -> Document:
    """Load one supported file. Raises LoadError when the file cannot be used as is.

    PDFs: `ocr` says which pages OCR reads (default auto); `pdf` receives what it did.
    A `.gz` file is read as the file it compresses; `limits` (default: `rag index`'s) bounds
    its decompressed size. The source stays the `.gz` path."""
    p = Path(path)
    source = str(p.resolve())
    if problem := unsupported(p):
        raise LoadError(source, problem)
    suffix = document_suffix(p)
    data = _read_bytes(p, source)
    if not data:
        raise LoadError(source, "file is empty (0 bytes)")
    if is_gzip(p):
        data = gunzip(data, source, (limits or Limits()).bound(suffix))
        if not data:
            raise LoadError(source, "file is empty once decompressed (0 bytes)")
    pdf = pdf if pdf is not None else PdfResult()
    reader = _READERS[suffix]
    lines, title = read_pdf(data, source, ocr, pdf) if suffix == ".pdf" else reader(data, source)
    text, kept = clean_lines(inline_lists(join_terms(lines)))
    if not text:
        if suffix == ".pdf":
            reason = "PDF has no extractable text (scanned images?); run OCR on it first"
        else:
            reason = "no text left after removing markup, whitespace and boilerplate"
        raise LoadError(source, reason)
    title = title or _first_title(kept, text) or Path(inner_name(p)).stem
    doc = Document(
        source=source,
        text=text,
        title=title,
        sections=find_sections(kept, len(text), title),
        pages=find_pages(kept, len(text)),
        code=code_spans(kept),
    )
    attach_words(doc, pdf.ocr_words)  # OCR'd pages: word boxes at their cleaned-text offsets
    return doc


def _read_bytes(p: Path, source: str) -> bytes:
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise LoadError(source, "file not found") from None
    except IsADirectoryError:
        raise LoadError(source, "is a directory, not a file") from None
    except PermissionError:
        raise LoadError(source, "permission denied; make the file readable (chmod +r)") from None
    except OSError as e:
        raise LoadError(source, f"cannot read file ({e.strerror or e})") from None


def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16/32; never guess a legacy codec."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as e:
                raise LoadError(
                    source, f"invalid {encoding} text at byte offset {e.start}"
                ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise LoadError(
            source, f"binary file, not text (NUL byte at offset {nul}); convert it to UTF-8 text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise LoadError(
            source,
            f"not valid UTF-8: byte 0x{data[e.start]:02x} at offset {e.start} (line {line}); "
            "re-save the file as UTF-8",
        ) from None


# ---------------------------------------------------------------- plain text and markdown


def _read_txt(data: bytes, source: str) -> Extracted:
    return [Line(t) for t in decode_text(data, source).splitlines()], None


def _read_markdown(data: bytes, source: str) -> Extracted:
    return read_markdown(decode_text(data, source))


def _read_rst(data: bytes, source: str) -> Extracted:
    return read_rst(decode_text(data, source))


_READERS: dict[str, Callable[[bytes, str], Extracted]] = {
    ".txt": _read_txt,
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".rst": _read_rst,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,  # .docx, .pptx, .epub, .csv, .tsv: index/formats.py
    ".pptx": read_pptx,
    ".epub": read_epub,
    ".csv": read_csv,
    ".tsv": read_tsv,
}


# ---------------------------------------------------------------- titles, sections, pages


def _first_title(kept: list[KeptLine], text: str) -> str | None:
    """The first headline-shaped paragraph of the first 15 lines: a line, or a title wrapped
    over two (a PDF's centred "Everything we know about CRC but afraid to" / "forget", which
    reflow joins); a paragraph longer than a headline is prose."""
    runs: list[list[KeptLine]] = []
    for line in kept[:15]:
        if line.joined and runs:
            runs[-1].append(line)
        else:
            runs.append([line])
    if len(kept) > 15 and kept[15].joined:
        runs.pop()  # cut short: its length is unknown
    for run in runs:
        paragraph = " ".join(text[run[0].start : run[-1].end].split())
        if is_title_like(paragraph):
            return paragraph
    first = kept[0].text if kept else ""
    if len(first) <= 100:
        return first or None
    return first[:100].rsplit(" ", 1)[0] + "…"


def find_sections(kept: list[KeptLine], length: int, title: str) -> list[Section]:
    """Article sections covering [0, length) without gaps.

    Boundaries come from markup (the top heading level, when it occurs at least twice) and
    from scraped-page bylines (a title next to "Published / on / By" markers). With fewer
    than two boundaries the file is one article, titled with the document title.
    """
    starts: dict[int, str] = {}
    for first, head in _heading_boundaries(kept) + _byline_boundaries(kept):
        starts.setdefault(kept[first].start, kept[head].text)
    if len(starts) < 2:
        return [Section(title, 0, length)]
    offsets = sorted(starts)
    titles = [starts[o] for o in offsets]
    offsets[0] = 0  # text before the first title (a page preamble) belongs to the first article
    ends = offsets[1:] + [length]
    return [Section(t, s, e) for t, s, e in zip(titles, offsets, ends, strict=True)]


def _heading_boundaries(kept: list[KeptLine]) -> list[tuple[int, int]]:
    levels = [x.level for x in kept if x.level is not None and x.level <= 2]
    if not levels:
        return []
    top = min(levels)
    heads = [i for i, x in enumerate(kept) if x.level == top]
    return [(i, i) for i in heads] if len(heads) >= 2 else []


def _byline_boundaries(kept: list[KeptLine]) -> list[tuple[int, int]]:
    """(first line, title line) of each article announced by a byline.

    Aggregated news pages print each article as "[label] Title / Published / on / By", the
    first one sometimes as "Connect with us / Published / on / Title". So the title is the line
    before the byline, unless another marker opens the byline block (then it is the line after).
    """
    found: list[tuple[int, int]] = []
    for i, line in enumerate(kept):
        head = None
        if BYLINE in line.gap:
            opened = line.gap.index(BYLINE) > 0
            if i > 0 and not opened and is_title_like(kept[i - 1].text):
                head = i - 1
            elif is_title_like(line.text):
                head = i
        elif i > 0 and is_byline(line.text) and is_title_like(kept[i - 1].text):
            head = i - 1
        if head is not None and (not found or found[-1][1] != head):
            found.append((_label_start(kept, head), head))
    return found


def _label_start(kept: list[KeptLine], head: int) -> int:
    # A short category label ("Technology") between a "Continue Reading" and the next title
    # belongs to the article that follows, not to the one before.
    prev = head - 1
    if prev >= 0 and {START, END} & set(kept[prev].gap) and not {START, END} & set(kept[head].gap):
        text = kept[prev].text
        if len(text.split()) <= 3 and len(text) <= 30 and is_title_like(text):
            return prev
    return head


def find_pages(kept: list[KeptLine], length: int) -> list[Page]:
    """Each page's span in the cleaned text: from its first kept line to the next page's."""
    firsts: dict[int, int] = {}
    for line in kept:
        if line.page is not None:
            firsts.setdefault(line.page, line.start)
    numbers = sorted(firsts)
    if not numbers:
        return []
    bounds = [firsts[n] for n in numbers[1:]] + [length]
    starts = [0] + [firsts[n] for n in numbers[1:]]  # the first page also owns any lead-in
    return [Page(n, s, e) for n, s, e in zip(numbers, starts, bounds, strict=True)]
