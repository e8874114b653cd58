"""OCR for PDF pages without a usable text layer: Tesseract through pytesseract.

Which pages (`--ocr auto`, the default): a page is OCR'd when it carries an image and its text
layer is empty or garbage. Garbage is measured, not guessed (`text_quality`):

- `bad` share: U+FFFD, private-use and control characters among the visible ones.
  Fonts without a usable ToUnicode map extract as exactly these. Measured on real text: 0.0 on
  all 53 pages of the two PDF manuals on this machine (libtasn1, shared-mime-info), at most
  0.0005 on 2,251 page-sized windows (3,000 characters) of the Python library docs. Above
  `MAX_BAD_SHARE` (0.1, 200x that) the layer is broken, not text with a few odd symbols.
- `word` share: letters and digits among the visible characters, dot leaders and rules left
  out (contents pages score 0.33 with them). Lowest measured: 0.90 on the manuals' pages, 0.45
  on the Python docs' windows (struct format tables; 1st percentile 0.71). A layer of glyph ids
  shown as ASCII punctuation ("!\"#$%&") scores near 0. Below `MIN_WORD_SHARE` (0.3) is garbage.
- fewer than `MIN_VISIBLE` (20) visible characters: a scan with a stray page number.

A page without an image is never OCR'd in auto mode: there is nothing to read on it. `always`
OCRs every page; `never` none, and the pages auto would have OCR'd are reported as skipped.

Word boxes are kept (`index.types.WordBox`): fractions of the rendered page (x right, y down),
mapped to offsets in the cleaned text once the document is built (`attach_words`), so a
citation on an OCR'd page maps to a region of the page image (`words_in`).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, replace
from functools import lru_cache

from index.errors import ConfigError
from index.types import Document, WordBox

OCR_MODES = ("auto", "always", "never")
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng and pip install pytesseract"
MAX_BAD_SHARE = 0.1
MIN_WORD_SHARE = 0.3
MIN_VISIBLE = 20
_LEADERS = ".·_-–—=*"  # dot leaders and rules: layout, neither words nor garbage
# U+FFFD, private use (BMP and planes 15-16), control characters other than whitespace.
_BAD = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0e-\x1f\x7f-\x9f]")
_NOT_WORD = re.compile(r"[\W_]+")  # what is left is letters and digits
_SEARCH_WINDOW = 200  # characters a word may sit after the previous one in the cleaned text


@dataclass(frozen=True)
class OcrConfig:
    mode: str = "auto"  # auto | always | never
    lang: str = "eng"  # Tesseract language(s), "eng+deu" for several
    dpi: int = 300  # Tesseract's own recommendation for body text

    def __post_init__(self) -> None:
        if self.mode not in OCR_MODES:
            raise ConfigError(f"--ocr {self.mode!r} is not one of: {', '.join(OCR_MODES)}")
        if not re.fullmatch(r"[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*", self.lang):
            raise ConfigError(f"--ocr-lang {self.lang!r} is not a Tesseract language like eng")


@dataclass(frozen=True)
class OcrWord:
    """A word Tesseract read, its box as fractions of the page (x right, y down)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class OcrPage:
    lines: list[str]  # one per Tesseract paragraph, "" between them
    words: list[OcrWord]  # in reading order


def text_quality(text: str) -> tuple[int, float, float]:
    """(visible characters, bad share, word share) of a page's text layer; see the module doc.

    Counted by regular expressions and str methods, not a Python loop per character: this
    runs on every page of every PDF (a per-character loop was 6% of loading text PDFs)."""
    visible = len("".join(text.split()))
    if not visible:
        return 0, 0.0, 0.0
    bad = len(_BAD.findall(text))
    leaders = sum(text.count(c) for c in _LEADERS)
    body = visible - leaders or visible
    return visible, bad / visible, len(_NOT_WORD.sub("", text)) / body


def is_garbage(text: str) -> bool:
    """True when the text layer is empty or unusable (see the module doc for the thresholds)."""
    n, bad, words = text_quality(text)
    return n < MIN_VISIBLE or bad > MAX_BAD_SHARE or words < MIN_WORD_SHARE


def unavailable(lang: str) -> str | None:
    """Why OCR cannot run here (with the install line), or None when it can."""
    return _unavailable(lang, shutil.which("tesseract"))


@lru_cache(maxsize=8)
def _unavailable(lang: str, binary: str | None) -> str | None:
    # Cached per binary path: asking Tesseract for its languages is a process start per file.
    try:
        import pytesseract
    except ImportError:
        return f"pytesseract is not installed: {INSTALL}"
    if binary is None:
        return f"the tesseract program is not installed: {INSTALL}"
    try:
        have = set(pytesseract.get_languages(config=""))
    except Exception as e:  # pytesseract raises its own and OS errors when the binary fails
        return f"tesseract does not run ({type(e).__name__}: {e}); reinstall: {INSTALL}"
    missing = [x for x in lang.split("+") if x not in have]
    if missing:
        pkgs = " ".join(f"tesseract-ocr-{x}" for x in missing)
        return f"tesseract has no language data for {'+'.join(missing)}: apt-get install {pkgs}"
    return None


def ocr_image(image, cfg: OcrConfig) -> OcrPage:  # noqa: ANN001 - a PIL image of a page
    """Read a page rendered at `cfg.dpi`; raises what pytesseract raises."""
    import pytesseract

    width, height = image.size
    data = pytesseract.image_to_data(image, lang=cfg.lang, output_type=pytesseract.Output.DICT)
    paragraphs: list[list[str]] = []
    words: list[OcrWord] = []
    para_key = None
    for i, text in enumerate(data["text"]):
        text = text.strip()
        if data["level"][i] != 5 or not text:  # 5: a word; the other levels are its containers
            continue
        para = (data["block_num"][i], data["par_num"][i])
        if para != para_key:
            paragraphs.append([])
            para_key = para
        paragraphs[-1].append(text)
        x, y, w, h = (data[k][i] for k in ("left", "top", "width", "height"))
        words.append(OcrWord(text, x / width, y / height, (x + w) / width, (y + h) / height))
    lines: list[str] = []
    for para in paragraphs:
        lines += ["", _join(para)] if lines else [_join(para)]
    return OcrPage(lines, words)


def _join(words: list[str]) -> str:
    """One paragraph's words as one line. Tesseract finds the paragraphs itself, and reflow's
    line-width rules, made for text layers, would cut a scan's short pages at every short
    line. A line-end hyphen before a lowercase word is a broken word and goes."""
    out = words[0]
    for word in words[1:]:
        hyphen = out.endswith("-") and out[-2:-1].isalpha() and word[:1].islower()
        out = out[:-1] + word if hyphen else f"{out} {word}"
    return out


def attach_words(doc: Document, words: dict[int, list[OcrWord]]) -> None:
    """Give each OCR'd page of `doc` its word boxes at their offsets in the cleaned text.

    Cleaning only drops whole lines and collapses spaces, and reflow only joins lines (a
    line-end hyphen may go), so each word is found in order after the previous one; a word
    not found nearby (a dropped header line) is left out rather than matched far away.
    """
    if not words:
        return
    pages = []
    for page in doc.pages:
        found: list[WordBox] = []
        cursor = page.start
        for w in words.get(page.number, ()):
            needle = w.text[:-1] if w.text.endswith("-") and len(w.text) > 1 else w.text
            at = doc.text.find(needle, cursor, min(page.end, cursor + _SEARCH_WINDOW + len(needle)))
            if at < 0:
                continue
            cursor = at + len(needle)
            found.append(WordBox(w.text, at, cursor, w.x0, w.y0, w.x1, w.y1))
        pages.append(replace(page, words=tuple(found)) if found else page)
    doc.pages = pages


def words_in(doc: Document, start: int, end: int) -> list[WordBox]:
    """The OCR word boxes overlapping the cited span [start, end) of `doc.text`."""
    return [w for p in doc.pages for w in p.words if w.start < end and w.end > start]
