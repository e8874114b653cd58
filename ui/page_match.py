"""Where a cited passage lies on a page: its words matched on the page's words, then their boxes
merged line by line. No PDF, image or OCR library here: ui/page_image.py supplies the words
(the page's text layer, or OCR word boxes) and draws the result.

Our cleaned text went through pypdf and paragraph reflow, and the page's words come from
PDFium or Tesseract, so the two differ in case, spacing, punctuation and line-end hyphens:
matching is on letters and digits alone, and falls back to runs of whole words.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

MIN_RUN = 3  # words in the longest matching run before a partial match counts
MAX_GAP = 3  # unmatched words between two matching runs that still join them


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
