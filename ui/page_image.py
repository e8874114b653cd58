"""The cited page of a PDF as an image, with the cited words highlighted on it.

Offsets stay the contract: a citation is `cleaned_text[start:end]` of its source, on page `page`.
The image is derived from that: the page is rendered with pypdfium2, the cited text is found
among the words of the page's own text layer, and the lines those words sit on are painted
over with a semi-transparent box. Our cleaned text went through pypdf and paragraph reflow, so
it is matched on letters and digits alone (case, spacing, punctuation and line-end hyphens
differ between the two extractions); else by runs of its words (find_words).

Pages without a text layer (scans) can pass their OCR word boxes instead (`ocr_words=`: objects
shaped like `index.types.WordBox`, boxes in fractions of the page): the words whose cleaned-text
offsets overlap the citation's are highlighted, or, without offsets, the cited text is matched
on them as on a text layer.

pypdfium2 is not thread-safe and Gradio answers in threads, so every PDFium call holds one lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import difflib
import io
import logging
import math
import os
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from index.errors import ConfigError, RagError
from rag.answer import Citation

log = logging.getLogger("rag.ui")

PAGE_WIDTH_PX = 800  # render width: the page's lines stay legible at this size
FILL = (255, 208, 0, 90)  # semi-transparent, so the words under it stay readable
OUTLINE = (222, 140, 0, 255)
PAD = 2  # pixels around each line's box
MIN_RUN = 3  # words in the longest matching run before a partial match counts
MAX_GAP = 3  # unmatched words between two matching runs that still join them
LOOKAHEAD = 2  # pages after a chunk's first page where a sentence of it may be (~256 tokens)

_LOCK = threading.Lock()


class PageImageError(RagError):
    """The page image cannot be made (file gone, not a PDF, no such page)."""


@dataclass(frozen=True)
class Box:
    """A rectangle in image pixels, origin top left."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def union(self, o: Box) -> Box:
        return Box(min(self.x0, o.x0), min(self.y0, o.y0), max(self.x1, o.x1), max(self.y1, o.y1))


@dataclass(frozen=True)
class Word:
    """One word on the rendered page and its box in image pixels."""

    text: str
    box: Box


class OcrWord(Protocol):
    """What `page_image` reads of an OCR word (`index.types.WordBox`): its text, its box in
    fractions of the page (origin top left) and, when known, its [start, end) in the cleaned
    text."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


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


# --- matching --------------------------------------------------------------------------------


def norm(text: str) -> str:
    """Letters and digits only, case-folded, ligatures expanded ("ﬁ" -> "fi")."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def tokens(text: str) -> list[str]:
    """The normalised words of `text` (a hyphen or any punctuation splits a word)."""
    out, cur = [], []
    for ch in unicodedata.normalize("NFKC", text).casefold():
        if ch.isalnum():
            cur.append(ch)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def find_words(words: Sequence[str], cited: str) -> tuple[range, str]:
    """The indices of `words` (a page's words, in reading order) that hold `cited`, and how.

    "exact": the cited letters and digits appear in the page's, in order and contiguous.
    Otherwise the longest run of cited words found on the page, joined with the runs around
    it that follow within `MAX_GAP` words on both sides (a footnote marker the cleaning
    dropped, a word split differently): "close" when those runs reach from (about) the first
    cited word to the last, "partial" when they hold `MIN_RUN` words or more than half of
    them; else "none", empty.
    """
    page = [norm(w) for w in words]
    target = norm(cited)
    if target:
        stream = "".join(page)
        at = stream.find(target)
        if at != -1:
            ends, pos = [], 0
            for w in page:
                pos += len(w)
                ends.append(pos)
            first = next(i for i, e in enumerate(ends) if e > at)
            last = next(i for i, e in enumerate(ends) if e >= at + len(target))
            return range(first, last + 1), "exact"
    want = tokens(cited)
    if not want or not page:
        return range(0), "none"
    sm = difflib.SequenceMatcher(None, page, want, autojunk=False)
    blocks = [b for b in sm.get_matching_blocks() if b.size]
    if not blocks:
        return range(0), "none"

    def near(x, y) -> bool:  # noqa: ANN001 - difflib Match
        return x.a + x.size + MAX_GAP >= y.a and x.b + x.size + MAX_GAP >= y.b

    lo = hi = max(range(len(blocks)), key=lambda i: blocks[i].size)
    while lo > 0 and near(blocks[lo - 1], blocks[lo]):
        lo -= 1
    while hi + 1 < len(blocks) and near(blocks[hi], blocks[hi + 1]):
        hi += 1
    covered = sum(b.size for b in blocks[lo : hi + 1])
    spans = blocks[hi].b + blocks[hi].size - blocks[lo].b  # cited words from first to last run
    found = range(blocks[lo].a, blocks[hi].a + blocks[hi].size)
    if covered < MIN_RUN and 2 * covered <= len(want):
        return range(0), "none"
    return found, "close" if len(want) - spans <= max(1, len(want) // 10) else "partial"


def line_boxes(boxes: Sequence[Box]) -> list[Box]:
    """Boxes in reading order merged into one per line (a box that starts left of where the
    line got to, or does not share its height, starts a new line)."""
    lines: list[Box] = []
    for b in boxes:
        if b.x1 <= b.x0 or b.y1 <= b.y0:
            continue
        if lines:
            cur = lines[-1]
            mid = (b.y0 + b.y1) / 2
            if cur.y0 <= mid <= cur.y1 and b.x0 >= cur.x1 - (b.y1 - b.y0):
                lines[-1] = cur.union(b)
                continue
        lines.append(b)
    return lines


def highlight_boxes(words: Sequence[Word], cited: str) -> tuple[list[Box], str]:
    """The per-line boxes over the words that hold `cited` (same units as the word boxes),
    and how they were found. The seam for OCR words as much as for a text layer."""
    found, how = find_words([w.text for w in words], cited)
    return line_boxes([words[i].box for i in found]), how


# --- rendering -------------------------------------------------------------------------------


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
    with _LOCK:
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
    """The words of page `number` (1-based), boxes in pixels of its render; per file version."""
    with _opened(path, number, width_px) as (raw, page, _, size):
        return tuple(_text_words(raw, page.get_textpage(), _device_transform(raw, page, *size)))


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


def ocr_boxes(
    words: Sequence[OcrWord], cited: str, span: tuple[int, int] | None, width: int, height: int
) -> tuple[list[Box], str]:
    """Per-line pixel boxes over the OCR words of a citation: by offsets when the words carry
    them (exact by construction), else by matching the cited text on the words."""
    px = [
        Word(w.text, Box(w.x0 * width, w.y0 * height, w.x1 * width, w.y1 * height)) for w in words
    ]
    offsets = [(getattr(w, "start", None), getattr(w, "end", None)) for w in words]
    if span is not None and all(a is not None and b is not None for a, b in offsets):
        hit = [px[i] for i, (a, b) in enumerate(offsets) if a < span[1] and b > span[0]]
        if hit:
            return line_boxes([w.box for w in hit]), "exact"
    return highlight_boxes(px, cited)


def _mtime_ns(source: str) -> int:
    try:
        return os.stat(source).st_mtime_ns
    except OSError as e:
        raise PageImageError(
            f"{source} cannot be read ({e.strerror}); it was moved or deleted since indexing"
        ) from None


def locate(source: str, page: int, cited: str, width_px: int = PAGE_WIDTH_PX) -> int:
    """The page that holds `cited`: `page` or one of the `LOOKAHEAD` after it, the first where
    all of it is, else where most of it is. The index's page is where the cited chunk starts,
    and the cited sentence inside the chunk may sit on a later page."""
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
    text layer is used when it has words, else `ocr_words`. Raises PageImageError (one line)
    when the file is gone, unreadable or shorter than `page`.
    """
    mtime_ns = _mtime_ns(source)
    words = _text_layer(source, page, mtime_ns, width_px)
    image = _render(source, page, mtime_ns, width_px)
    if words:
        boxes, how = highlight_boxes(words, cited)
    elif ocr_words:
        boxes, how = ocr_boxes(ocr_words, cited, span, image.width, image.height)
    else:
        boxes, how = [], "no text"
    boxes = [Box(b.x0 - PAD, b.y0 - PAD, b.x1 + PAD, b.y1 + PAD) for b in boxes]
    data, mime = _encode(draw(image, boxes))
    return PageImage(source, page, image.width, image.height, data, mime, tuple(boxes), how)


def citation_figure(c: Citation, ocr_words: Sequence[OcrWord] = ()) -> PageImage | str | None:
    """What the citation view shows for `c`: its page image when it cites a PDF page, a
    one-line reason when that cannot be made, None for other formats. Never raises: a page
    that cannot be drawn must not cost the user the answer. `ocr_words` are page `c.page`'s."""
    if c.page is None or not c.source.lower().endswith(".pdf"):
        return None
    try:
        page = c.page if ocr_words else locate(c.source, c.page, c.text)
        return page_image(c.source, page, c.text, (c.start, c.end), ocr_words)
    except RagError as e:
        return str(e)
    except Exception as e:  # PDFium or Pillow on a damaged file: the log has the traceback
        log.exception("cannot draw page %s of %s", c.page, c.source)
        return f"cannot draw page {c.page} of {c.source} ({type(e).__name__}: {e})"
