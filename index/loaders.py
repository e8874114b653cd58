"""Turn a file into a `Document`: cleaned text, a human title, article sections, PDF pages.

Each format reader only extracts `Line`s (plus a title when the format names one); cleaning,
titles, sections and page spans are shared, so every format gets the same treatment.
Problems a user can fix are raised as `LoadError` with a one-line reason.
"""

from __future__ import annotations

import codecs
import hashlib
import re
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
from index.errors import LoadError
from index.formats import read_csv, read_docx, read_epub, read_pptx, read_tsv
from index.markup import _code, read_markdown
from index.ocr import OcrConfig, attach_words
from index.pdf import PdfResult, read_pdf
from index.rst import read_rst
from index.tables import html_table_lines
from index.types import Document, Page, Section

SUPPORTED_SUFFIXES: set[str] = {
    ".txt", ".md", ".markdown", ".rst", ".html", ".htm", ".pdf", ".docx", ".pptx", ".epub",
    ".csv", ".tsv",
}  # fmt: skip

# Bump by hand whenever a change in index/ (readers, cleaning, rST/Markdown/PDF handling) changes
# the cleaned text of some file. Each file's catalog record stores its hash under this version,
# so the next ordinary `rag index` re-cleans every file recorded under another one; chunk texts
# that come out the same keep their cached vectors (the catalog keys vectors by text).
CLEANING_VERSION = "2026-12-03g"


def file_hash(data: bytes) -> str:
    """The content hash a file's catalog record stores: cleaning version and sha256 of bytes."""
    return f"{CLEANING_VERSION}:{hashlib.sha256(data).hexdigest()}"


def cleaned_now(content_hash: str) -> bool:
    """Whether a record was written by the current cleaning (older records hold a bare sha256)."""
    return content_hash.startswith(CLEANING_VERSION + ":")


def bytes_hash(content_hash: str) -> str:
    """The sha256 of the file's bytes alone, whatever cleaning version wrote the record."""
    return content_hash.rpartition(":")[2]


Extracted = tuple[list[Line], str | None]  # lines, and the title the format declares if any

_BOMS = [  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def load_document(
    path: str | Path, ocr: OcrConfig | None = None, pdf: PdfResult | None = None
) -> Document:
    """Load one supported file. Raises LoadError when the file cannot be used as is.

    PDFs: `ocr` says which pages OCR reads (default auto); `pdf` receives what it did."""
    p = Path(path)
    source = str(p.resolve())
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise LoadError(
            source, f"unsupported file type {suffix or '(none)'!r}; supported: {supported}"
        )
    data = _read_bytes(p, source)
    if not data:
        raise LoadError(source, "file is empty (0 bytes)")
    # Sphinx ships its sources as page.rst.txt: reStructuredText, whatever the last suffix says.
    reader = _read_rst if p.name.lower().endswith(".rst.txt") else _READERS[suffix]
    pdf = pdf if pdf is not None else PdfResult()
    lines, title = read_pdf(data, source, ocr, pdf) if suffix == ".pdf" else reader(data, source)
    text, kept = clean_lines(lines)
    if not text:
        if suffix == ".pdf":
            reason = "PDF has no extractable text (scanned images?); run OCR on it first"
        else:
            reason = "no text left after removing markup, whitespace and boilerplate"
        raise LoadError(source, reason)
    title = title or _first_title(kept) or p.stem
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


# ---------------------------------------------------------------- HTML


# Chrome and controls: a <button>'s label ("Copy item path" inside rustdoc's <h1>) is no text,
# nor a control outside a form (Node.js's ES-module/CommonJS toggle inside a code block).
_DROP_TAGS = [
    "script", "style", "noscript", "template", "nav", "aside", "iframe", "svg", "form", "button",
    "input", "select", "textarea",
]  # fmt: skip
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "table",
    "tr", "blockquote", "pre", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "footer", "address", "hr", "body",
}  # fmt: skip
# ARIA landmark roles of the chrome _DROP_TAGS drops (<nav>, <aside>, a search form), and the
# widget roles of a site's controls (a theme picker's role="menu", a toolbar).
_DROP_ROLES = frozenset({"navigation", "search", "complementary", "menu", "menubar", "toolbar"})
_PERMALINK_MARKS = frozenset({"¶", "#", "§", "🔗"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)


def _decode_html(data: bytes, source: str) -> str:
    try:
        return decode_text(data, source)
    except LoadError:
        # A charset the page itself declares is not a guess; use it if Python knows it.
        m = _META_CHARSET.search(data[:4096])
        if not m or b"\x00" in data:
            raise
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            raise LoadError(
                source, f"not valid {m.group(1).decode('ascii')} as its <meta charset> claims"
            ) from None


def read_html(data: bytes, source: str) -> Extracted:
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, PreformattedString

    soup = BeautifulSoup(_decode_html(data, source), "html.parser")
    # A heading's permalink ("¶" after every Sphinx heading and signature) is no text.
    for a in soup.find_all("a", href=True):
        if a["href"].startswith("#") and a.get_text().strip() in _PERMALINK_MARKS:
            a.decompose()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    # The same chrome marked by ARIA landmark roles instead (Sphinx's related-links bar and
    # sidebar are <div role="navigation">), and a pre-HTML5 <div class="footer">.
    for tag in soup.find_all(role=lambda r: r in _DROP_ROLES):
        if not tag.decomposed:
            tag.decompose()
    for tag in soup.find_all(lambda t: t.has_attr("hidden") or t.get("aria-hidden") == "true"):
        if not tag.decomposed:
            tag.decompose()  # not shown to a reader
    banners = [
        *soup.find_all(["header", "footer"]),
        *soup.find_all(role=lambda r: r in ("banner", "contentinfo")),
        *soup.find_all(class_="footer"),
        *soup.find_all(id="footer"),
    ]
    for tag in banners:
        # Page-level banners go; an article's own <header> usually holds its <h1>.
        if tag.decomposed or not tag.find_parent(["article", "main"]):
            tag.decompose()
    # The title, read once chrome and controls are gone ("Copy item path" in rustdoc's <h1>; the
    # site's name as the <h1> of Node.js's page banner): the article's own <h1> first, then
    # the article's first heading of any level (mdBook's chapter is an <h2> in <main>, its
    # <h1> the book's name in the menu bar), then the page's <title>; inline tags must not
    # split words.
    h1s = soup.find_all("h1")
    h1 = next((h for h in h1s if h.find_parent(["article", "main"])), None)
    body = soup.find(["main", "article"])
    h1 = h1 or (body.find(list(_HEADINGS)) if body else None) or (h1s[0] if h1s else None)
    title = None
    for tag in (h1, soup.find("title")):
        if tag and (title := " ".join(tag.get_text().split())):
            break
    if soup.head:
        soup.head.decompose()  # <title> and <meta> are not body text
    articles = soup.find_all("article")
    article_heads = set()
    if len(articles) >= 2:
        article_heads = {id(h) for a in articles if (h := a.find(list(_HEADINGS)))}

    lines: list[Line] = []
    buf: list[str] = []

    def flush(level: int | None = None) -> None:
        text = "".join(buf)
        buf.clear()
        lines.extend(Line(t, level=level) for t in text.split("\n"))
        lines.append(Line(""))

    # An explicit stack, not recursion: a page of 1,000 nested <div>s is valid HTML and must
    # not hit Python's recursion limit. ("close", level) ends a block after its children.
    stack: list[tuple] = [("open", c) for c in reversed(list(_content_root(soup).children))]
    while stack:
        item = stack.pop()
        if item[0] == "close":
            flush(item[1])
            continue
        child = item[1]
        if isinstance(child, PreformattedString):
            continue  # comments, doctype, CDATA
        if isinstance(child, NavigableString):
            buf.append(re.sub(r"\s+", " ", str(child)))
        elif child.name == "br":
            buf.append("\n")
        elif child.name == "pre":
            # A code block, kept verbatim as code (indentation, a line of only "}", blank lines
            # inside it), as the Markdown and rST readers keep theirs: not prose lines.
            flush()
            # One block may show a snippet in several variants, each its own <code> (Node.js
            # docs: the ES module and CommonJS forms): each starts on a line of its own.
            parts = [c for c in child.children if not isinstance(c, str) or c.strip()]
            variants = len(parts) > 1 and all(c.name == "code" for c in parts)
            text = "\n".join(c.get_text() for c in parts) if variants else child.get_text()
            _code(text.split("\n"), lines)
        elif child.name == "table" and (rows := html_table_lines(child)) is not None:
            flush()  # a data table: one "column: value; ..." line per row (index/tables.py)
            lines.extend(Line(t) for t in rows)
            lines.append(Line(""))
        else:
            if child.name in _BLOCK_TAGS:
                flush()
                level = 0 if id(child) in article_heads else _HEADINGS.get(child.name)
                stack.append(("close", level))
            stack.extend(("open", c) for c in reversed(list(child.children)))
    return lines, title or None


def _content_root(soup):
    """The page's one <main> (or role="main") when it holds most of its text, else the body: what
    lies outside it is the site's (mdBook's keyboard-shortcut help and menu bar carry no role)."""
    page = soup.body or soup
    # "Most": the main part holds a median 83% of a Python 3.11 library page's text (5th
    # percentile 51%; the lowest, 10%, are contents pages, mostly sidebar) and 98% of a Rust
    # book chapter's; under half, the page is read whole, its chrome dropped tag by tag.
    mains = soup.find_all("main") + soup.find_all(role="main")
    if len(mains) != 1:
        return page
    inside = len(" ".join(mains[0].get_text().split()))
    return mains[0] if inside >= 0.5 * len(" ".join(page.get_text().split())) else page


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


def _first_title(kept: list[KeptLine]) -> str | None:
    for i, line in enumerate(kept[:15]):
        part_of_paragraph = line.joined or (i + 1 < len(kept) and kept[i + 1].joined)
        if not part_of_paragraph and is_title_like(line.text):
            return line.text
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
