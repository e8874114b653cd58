"""The cited page of a PDF as an image, with the cited words highlighted on it.

Offsets stay the contract: a citation is `cleaned_text[start:end]` of its source, on page `page`.
The image is derived from that: the page is rendered with pypdfium2, the cited text is found
among the words of the page's own text layer (ui/page_match.py), and the lines those words sit
on are painted over with a semi-transparent box.

Pages without a usable text layer (scans) use OCR word boxes instead: the ones the index stored
(`index.types.WordBox`, fractions of the page, picked by the citation's span), else, for a store
indexed before word boxes were kept, Tesseract's, read again here once per file version and
matched on the cited text as a text layer is.

pypdfium2 is not thread-safe and Gradio answers in threads while `--watch` may be indexing, so
every PDFium call holds the index's lock (index.pdf.PDFIUM_LOCK); Tesseract runs outside it.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from index.errors import ConfigError, RagError
from index.ocr import OcrConfig, is_garbage, ocr_image, unavailable
from index.pdf import PDFIUM_LOCK
from rag.answer import Citation
from ui.page_match import Box, OcrWord, Word, find_words, highlight_boxes, norm, ocr_boxes

log = logging.getLogger("rag.ui")

PAGE_WIDTH_PX = 800  # render width: the page's lines stay legible at this size
FILL = (255, 208, 0, 90)  # semi-transparent, so the words under it stay readable
OUTLINE = (222, 140, 0, 255)
PAD = 2  # pixels around each line's box
LOOKAHEAD = 2  # pages after a chunk's first page where a sentence of it may be (~256 tokens)


class PageImageError(RagError):
    """The page image cannot be made (file gone, not a PDF, no such page)."""


@dataclass(frozen=True)
class PageImage:
    """A rendered page with the cited words highlighted; `boxes` are in the image's pixels."""

    source: str
    page: int
    width: int
    height: int
    data: bytes
    mime: str
    boxes: tuple[Box, ...]
    match: str  # find_words' "exact" | "close" | "partial" | "none", or "no text" (no words)


def _pdfium():
    try:
        import pypdfium2
        import pypdfium2.raw
    except ImportError:
        raise ConfigError(
            "showing PDF pages needs pypdfium2: pip install pypdfium2 (or pip install -e '.[ui]')"
        ) from None
    return pypdfium2, pypdfium2.raw


@contextlib.contextmanager
def _opened(path: str, number: int, width_px: int):
    """(pypdfium2.raw, page, (width, height) of its render), under the lock."""
    pdfium, raw = _pdfium()
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as e:
            raise PageImageError(f"cannot open {path} as a PDF ({e})") from None
        try:
            if not 1 <= number <= len(pdf):
                raise PageImageError(
                    f"{path} has {len(pdf)} pages, not a page {number}; re-index the folder"
                )
            page = pdf[number - 1]
            scale = width_px / max(1.0, page.get_width())
            # The size pypdfium2's render() gives at this scale, so words and image agree.
            size = (math.ceil(page.get_width() * scale), math.ceil(page.get_height() * scale))
            yield raw, page, scale, size
        finally:
            pdf.close()


@lru_cache(maxsize=64)
def _text_layer(path: str, number: int, mtime_ns: int, width_px: int) -> tuple[Word, ...]:
    """The words of page `number` (1-based), boxes in pixels of its render; per file version.
    None from a layer the index would OCR instead (empty or garbage: index/ocr.py)."""
    with _opened(path, number, width_px) as (raw, page, _, size):
        textpage = page.get_textpage()
        if is_garbage(textpage.get_text_range()):
            return ()
        return tuple(_text_words(raw, textpage, _device_transform(raw, page, *size)))


@lru_cache(maxsize=16)
def _ocr_layer(path: str, number: int, mtime_ns: int) -> tuple[OcrWord, ...]:
    """A scanned page's words read again by Tesseract, as the index read them (index/ocr.py),
    for a store indexed before word boxes were kept. None when Tesseract is missing or fails."""
    cfg = OcrConfig()
    if unavailable(cfg.lang):
        return ()
    try:
        with _opened(path, number, PAGE_WIDTH_PX) as (_, page, _, _):
            image = page.render(scale=cfg.dpi / 72).to_pil()
        # Outside the lock: Tesseract takes seconds and needs no PDFium.
        return tuple(ocr_image(image, cfg).words)
    except PageImageError:
        raise
    except Exception as e:  # pytesseract raises its own and OS errors: the page stays plain
        log.warning("cannot OCR page %s of %s (%s: %s)", number, path, type(e).__name__, e)
        return ()


@lru_cache(maxsize=8)
def _render(path: str, number: int, mtime_ns: int, width_px: int):  # noqa: ANN202 - PIL image
    """Page `number` as an RGB image `width_px` wide; cached per file version."""
    with _opened(path, number, width_px) as (_, page, scale, size):
        image = page.render(scale=scale).to_pil().convert("RGB")
    return image if image.size == size else image.resize(size)


def _device_transform(raw, page, width: int, height: int):  # noqa: ANN001 - pypdfium2 objects
    """Page coordinates (points, origin bottom left) -> image pixels, by PDFium itself, so
    crop boxes and /Rotate are honoured: an affine map fitted on three points."""
    dx, dy = ctypes.c_int(), ctypes.c_int()

    def dev(x: float, y: float) -> tuple[int, int]:
        raw.FPDF_PageToDevice(page.raw, 0, 0, width, height, 0, x, y, dx, dy)
        return dx.value, dy.value

    # 1000-point steps keep the integer rounding of PDFium's answer negligible.
    o, ex, ey = dev(0, 0), dev(1000, 0), dev(0, 1000)
    a, b = (ex[0] - o[0]) / 1000, (ey[0] - o[0]) / 1000
    c, d = (ex[1] - o[1]) / 1000, (ey[1] - o[1]) / 1000

    def to_px(left: float, bottom: float, right: float, top: float) -> Box:
        xs = [o[0] + a * x + b * y for x, y in ((left, bottom), (right, top))]
        ys = [o[1] + c * x + d * y for x, y in ((left, bottom), (right, top))]
        return Box(min(xs), min(ys), max(xs), max(ys))

    return to_px


def _text_words(raw, textpage, to_px) -> list[Word]:  # noqa: ANN001 - pypdfium2 objects
    """The page's words (runs of letters and digits) with the union of their character boxes."""
    words: list[Word] = []
    text, box = [], None
    for i in range(textpage.count_chars()):
        ch = chr(raw.FPDFText_GetUnicode(textpage.raw, i))
        if norm(ch):
            b = to_px(*textpage.get_charbox(i))
            text.append(ch)
            box = b if box is None else box.union(b)
            continue
        if text:
            words.append(Word("".join(text), box))
        text, box = [], None
    if text:
        words.append(Word("".join(text), box))
    return words


def _encode(image) -> tuple[bytes, str]:  # noqa: ANN001 - PIL image
    buf = io.BytesIO()
    # WebP keeps a text page legible at a fraction of PNG's size; every answer carries it.
    image.save(buf, "WEBP", quality=80, method=4)
    return buf.getvalue(), "image/webp"


def draw(image, boxes: Sequence[Box]):  # noqa: ANN001, ANN201 - PIL images
    """A copy of `image` with each box filled semi-transparently and outlined."""
    from PIL import Image, ImageDraw

    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    for b in boxes:
        pen.rectangle((b.x0, b.y0, b.x1, b.y1), fill=FILL, outline=OUTLINE, width=2)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _mtime_ns(source: str) -> int:
    try:
        return os.stat(source).st_mtime_ns
    except OSError as e:
        raise PageImageError(
            f"{source} cannot be read ({e.strerror}); it was moved or deleted since indexing"
        ) from None


def locate(source: str, page: int, cited: str, width_px: int = PAGE_WIDTH_PX) -> int:
    """The page that holds `cited`: `page` or one of the `LOOKAHEAD` after it, the first where
    all of it is, else where most of it is. Only for stores indexed before page spans were
    kept, whose citations name the page the cited chunk starts on."""
    mtime_ns = _mtime_ns(source)
    best, most = page, -1
    for p in range(page, page + LOOKAHEAD + 1):
        try:
            words = _text_layer(source, p, mtime_ns, width_px)
        except PageImageError:
            if p == page:
                raise
            break  # past the last page
        found, how = find_words([w.text for w in words], cited)
        if how in ("exact", "close"):
            return p
        if len(found) > most:
            best, most = p, len(found)
    return best


def page_image(
    source: str,
    page: int,
    cited: str,
    span: tuple[int, int] | None = None,
    ocr_words: Sequence[OcrWord] = (),
    width_px: int = PAGE_WIDTH_PX,
) -> PageImage:
    """Page `page` (1-based) of the PDF `source` with the cited text highlighted.

    `cited` is the citation's text and `span` its [start, end) in the cleaned text. The page's
    text layer is used when it has words, else `ocr_words`, else Tesseract's words for it.
    Raises PageImageError (one line) when the file is gone, unreadable or shorter than `page`.
    """
    mtime_ns = _mtime_ns(source)
    words = _text_layer(source, page, mtime_ns, width_px)
    image = _render(source, page, mtime_ns, width_px)
    if not words and not ocr_words:
        ocr_words = _ocr_layer(source, page, mtime_ns)
    if words:
        boxes, how = highlight_boxes(words, cited)
    elif ocr_words:
        boxes, how = ocr_boxes(ocr_words, cited, span, image.width, image.height)
    else:
        boxes, how = [], "no text"
    boxes = [Box(b.x0 - PAD, b.y0 - PAD, b.x1 + PAD, b.y1 + PAD) for b in boxes]
    data, mime = _encode(draw(image, boxes))
    return PageImage(source, page, image.width, image.height, data, mime, tuple(boxes), how)


PageWords = Callable[[str, int], Sequence[OcrWord]]  # (source, page) -> its stored word boxes


def citation_figure(c: Citation, page_words: PageWords | None = None) -> PageImage | str | None:
    """What the citation view shows for `c`: its page image when it cites a PDF page, a
    one-line reason when that cannot be made, None for other formats. Never raises: a page
    that cannot be drawn must not cost the user the answer. `page_words(source, page)` gives
    the OCR word boxes the index stored (`IndexReader.page_words`), so a scan is not OCR'd again.

    `c.page` is the page holding the cited span's start; when none of the cited words are on
    it (a store indexed before page spans were kept names the chunk's first page), the pages
    after it are searched (`locate`)."""
    if c.page is None or not c.source.lower().endswith(".pdf"):
        return None

    def draw_page(page: int) -> PageImage:
        words = tuple(page_words(c.source, page)) if page_words else ()
        return page_image(c.source, page, c.text, (c.start, c.end), words)

    try:
        figure = draw_page(c.page)
        if figure.match == "none" and (page := locate(c.source, c.page, c.text)) != c.page:
            figure = draw_page(page)
        return figure
    except RagError as e:
        return str(e)
    except Exception as e:  # PDFium or Pillow on a damaged file: the log has the traceback
        log.exception("cannot draw page %s of %s", c.page, c.source)
        return f"cannot draw page {c.page} of {c.source} ({type(e).__name__}: {e})"
