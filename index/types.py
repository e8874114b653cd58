"""Plain data types shared by the write path and the read path."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """One article (or titled part) inside a document's cleaned text."""

    title: str
    start: int
    end: int


@dataclass(frozen=True)
class WordBox:
    """An OCR'd word: [start, end) in the cleaned text, and its box on the page image as
    fractions of the page's width and height (x0, y0 top left; y grows downwards)."""

    text: str
    start: int
    end: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    """A PDF page's span inside the cleaned text (1-based page number); `words` holds the word
    boxes of a page read by OCR (index/ocr.py), empty for a page with a text layer."""

    number: int
    start: int
    end: int
    words: tuple[WordBox, ...] = ()


@dataclass
class Document:
    """A loaded file: cleaned text plus the structure a citation needs.

    `sections` always covers the text (one section when the file holds one article);
    `pages` is empty unless the format has pages; `code` holds the [start, end) spans of
    verbatim code blocks, which chunking keeps whole instead of splitting into sentences.
    """

    source: str
    text: str
    title: str
    sections: list[Section] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    code: list[tuple[int, int]] = field(default_factory=list)

    def section_at(self, offset: int) -> Section | None:
        for s in self.sections:
            if s.start <= offset < s.end:
                return s
        return None

    def page_at(self, offset: int) -> int | None:
        for p in self.pages:
            if p.start <= offset < p.end:
                return p.number
        return None


@dataclass(frozen=True)
class Chunk:
    """A span of a document's cleaned text: `doc.text[start:end] == text`."""

    source: str
    title: str
    start: int
    end: int
    text: str
    page: int | None = None
    n_tokens: int = 0
