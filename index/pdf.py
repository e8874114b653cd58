"""PDF text through pypdf: pages reflowed into paragraphs, a producer-made title ignored.

Two things are added on top of the text layer: pages that carry an image and no usable text
are read by OCR (index/ocr.py), and ruled tables become one "column: value; ..." line per row
(index/pdf_tables.py). PDFium looks at what a page draws (about 2 ms) only when its text is
garbage or sits in columns; other pages cost nothing more than before. What OCR read, and
which pages it could not read and why, goes into the `PdfResult` the caller passes.

pypdf logs and warns about damaged files ("EOF marker not found"); that goes into the
file's one-line error, never to stderr, where it would break `--json` output.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from index.clean import Line, is_title_like, normalise_line
from index.errors import LoadError
from index.ocr import OcrConfig, OcrWord, is_garbage, ocr_image, unavailable
from index.pdf_tables import cut_table, find_tables, looks_tabular, may_have_table, row_lines
from index.reflow import reflow_pages

# PDFium is not thread-safe, not even across documents: every call into it from the index
# holds this lock (a watched folder may be indexed in a thread while the UI renders a page).
PDFIUM_LOCK = threading.RLock()


# A typeset PDF draws "fi", "ff", "ffi" ... as one glyph, and its text layer gives the glyph's
# code point: "conﬁguration ﬁle" is then no word of the question's "configuration file", for
# the lexical index, the embedder (whose vocabulary has no ligatures) and the verifier alike.
# The author wrote the letters; the cleaned text keeps them (after reflow, which measures line
# widths in the glyphs as drawn). Seen in 3 of the 6 PDFs in /usr/share/doc here: 270 in the
# bzip2 manual, 166 in fontconfig's, 64 in the CRC paper.
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
     "\ufb05": "st", "\ufb06": "st"}
)  # fmt: skip


@dataclass
class PdfResult:
    """What reading one PDF found besides its lines (filled by `read_pdf`)."""

    ocr_words: dict[int, list[OcrWord]] = field(default_factory=dict)  # page -> words read
    ocr_skipped: list[int] = field(default_factory=list)  # pages that needed OCR and lack it
    ocr_why: str = ""  # why they were skipped, with the fix
    tables: int = 0  # tables written as rows


def read_pdf(
    data: bytes, source: str, ocr: OcrConfig | None = None, result: PdfResult | None = None
) -> tuple[list[Line], str | None]:
    from pypdf import PdfReader

    if b"%PDF-" not in data[:1024]:  # checked here so pypdf does not log about random bytes
        raise LoadError(source, "not a PDF (no %PDF- header); the file may be corrupt or misnamed")
    with _quiet_pypdf() as said:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise LoadError(source, "PDF is password-protected; save a decrypted copy")
            texts = [_page_text(page) for page in reader.pages]
            meta_title = (reader.metadata.title or "") if reader.metadata else ""
        except LoadError:
            raise
        except Exception as e:  # pypdf raises many exception types on damaged input
            why = "; ".join(dict.fromkeys([f"{type(e).__name__}: {e}", *said[:2]]))
            raise LoadError(
                source, f"not a readable PDF ({why}); the file may be corrupt"
            ) from None
    result = result if result is not None else PdfResult()
    pages, read, tables = _pages(data, texts, ocr or OcrConfig(), result)
    lines = _with_tables(_with_ocr(reflow_pages(pages), read), tables)
    lines = [replace(line, text=line.text.translate(_LIGATURES)) for line in lines]
    if result.ocr_skipped and not any(line.text.strip() for line in lines):
        raise LoadError(
            source, f"PDF has no text layer, only images, and OCR did not run: {result.ocr_why}"
        )
    meta_title = normalise_line(str(meta_title))
    # Producer-made titles ("Microsoft Word - x.docx", "untitled") are worse than the text's.
    if not is_title_like(meta_title) or re.search(r"\.\w{2,4}$|untitled", meta_title, re.I):
        meta_title = ""
    return lines, meta_title or None


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[list[str]]:
    """Collect what pypdf logs or warns ("EOF marker not found") instead of letting it reach
    stderr, where it would break `--json` output and the one line per bad file."""
    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(" ".join(record.getMessage().split()))

    log = logging.getLogger("pypdf")
    handler, propagate = Collect(logging.WARNING), log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
        said += [" ".join(str(w.message).split()) for w in caught]
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def _page_text(page) -> str:  # noqa: ANN001 - a pypdf PageObject
    # Layout mode keeps indentation and vertical gaps, which paragraph reflow reads; it fails
    # on some fonts and encodings, where the plain text is still worth having.
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:  # pypdf raises many exception types on odd fonts
        return page.extract_text() or ""


def _pages(
    data: bytes, texts: list[str], cfg: OcrConfig, result: PdfResult
) -> tuple[list[list[str]], dict[int, list[str]], dict[str, list[str]]]:
    """Each page's layout lines for reflow (tables cut out, OCR'd pages emptied), the OCR'd
    pages' paragraphs by page number, and each table's row lines by the marker in its place.

    OCR'd text stays out of reflow: Tesseract finds paragraphs itself, and its lines, counted
    in characters, would skew the line widths reflow measures on the text pages."""
    pages = [t.splitlines() for t in texts]
    read: dict[int, list[str]] = {}
    # PDFium opens only the pages worth a look (most text pages are not): a layer that may
    # need OCR, or text in columns that may be a ruled table.
    look: dict[int, str] = {}
    for i, text in enumerate(texts):
        if cfg.mode == "always" or is_garbage(text):
            look[i] = "ocr"
        elif looks_tabular(pages[i]):
            look[i] = "table"
    candidates: list[int] = []
    try:
        import pypdfium2 as pdfium

        with PDFIUM_LOCK:
            doc = pdfium.PdfDocument(data) if look else None
    except ImportError:  # a base dependency; without it the text layer is all there is
        return pages, read, {}
    except pdfium.PdfiumError:  # pypdf read what PDFium cannot: keep pypdf's text
        return pages, read, {}
    why_not = None  # why OCR cannot run here; asked once per file, outside the lock
    if "ocr" in look.values():
        never = "--ocr never was given; re-index with --ocr auto"
        why_not = never if cfg.mode == "never" else unavailable(cfg.lang)
    try:
        for i, why in look.items():
            image, skip = None, why_not
            with PDFIUM_LOCK, _page(doc, i) as page:
                if page is None:
                    continue
                if why == "table":
                    if may_have_table(page):
                        candidates.append(i + 1)
                    continue
                if cfg.mode != "always" and not _has_image(page):
                    continue  # no image: nothing to read
                if skip is None:
                    try:
                        image = page.render(scale=cfg.dpi / 72).to_pil()
                    except pdfium.PdfiumError as e:
                        skip = f"PDFium could not render the page ({e})"
            # Tesseract runs outside the lock: it takes seconds and needs no PDFium.
            _ocr(image, skip, i + 1, cfg, pages, read, result)
    finally:
        if doc is not None:
            with PDFIUM_LOCK:
                doc.close()
    tables: dict[str, list[str]] = {}
    for number, found in find_tables(data, candidates).items() if candidates else ():
        for rows in found:
            marker = _marker(len(tables))
            cut = cut_table(pages[number - 1], rows, marker)
            if cut is not None and (lines := row_lines(rows)):
                pages[number - 1] = cut
                tables[marker] = lines
    result.tables = len(tables)
    return pages, read, tables


def _has_image(page) -> bool:  # noqa: ANN001 - a pypdfium2 PdfPage
    import pypdfium2.raw as pdfium_c

    return (
        next(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2), None) is not None
    )


@contextlib.contextmanager
def _page(doc, i: int) -> Iterator:  # noqa: ANN001 - a pypdfium2 PdfDocument
    """Page `i` of `doc` (None past its end: pypdf and PDFium may count pages differently)."""
    if i >= len(doc):
        yield None
        return
    page = doc[i]
    try:
        yield page
    finally:
        page.close()


def _ocr(
    image,  # noqa: ANN001 - a PIL image of the page, or None when OCR cannot run
    why: str | None,
    number: int,
    cfg: OcrConfig,
    pages: list[list[str]],
    read: dict[int, list[str]],
    result: PdfResult,
) -> None:
    """OCR page `number` into `read` (its text layer leaves `pages`), or note why not."""
    if why is None:
        try:
            found = ocr_image(image, cfg)
        except Exception as e:  # pytesseract raises its own and OS errors per page
            why = f"tesseract failed ({type(e).__name__}: {' '.join(str(e).split())[:200]})"
        else:
            pages[number - 1] = []
            read[number] = found.lines
            result.ocr_words[number] = found.words
            return
    # The text layer stays as it was (today's behaviour); the summary names the page.
    result.ocr_skipped.append(number)
    result.ocr_why = why


def _marker(k: int) -> str:
    # Letters, not digits: reflow treats lines that differ only in digits as running headers.
    return "\ue000table" + "".join(chr(97 + int(d)) for d in str(k)) + "\ue000"


def _with_ocr(lines: list[Line], read: dict[int, list[str]]) -> list[Line]:
    """Reflowed lines with each OCR'd page's paragraphs put in at its place."""
    out: list[Line] = []
    todo = sorted(read)

    def put(number: int) -> None:
        out.append(Line("", page=number))
        out.extend(Line(text, page=number) for text in read[number])
        out.append(Line("", page=number))

    for line in lines:
        if todo and line.page is not None and line.page > todo[0]:
            while todo and line.page > todo[0]:
                put(todo.pop(0))
            line = replace(line, join=None)  # a paragraph does not run across a scanned page
        out.append(line)
    for number in todo:
        put(number)
    return out


def _with_tables(lines: list[Line], tables: dict[str, list[str]]) -> list[Line]:
    """Reflowed lines with each table marker replaced by its rows, one paragraph per row."""
    if not tables:
        return lines
    out: list[Line] = []
    for line in lines:
        rows = tables.get(line.text)
        if rows is None:
            out.append(line)
            continue
        for k, row in enumerate(rows):
            out += [Line("", page=line.page)] if k else []
            out.append(Line(row, page=line.page))
    return out
