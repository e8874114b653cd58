"""Boilerplate stripping and whitespace normalisation for extracted text.

Loaders turn a file into `Line`s; `clean_lines` drops whole boilerplate lines, normalises
whitespace and records where each kept line sits in the cleaned text, so that callers can
compute sections and page spans without searching the text again.

Only whole lines are ever dropped, and only when they match a short, conservative pattern:
article text must survive byte for byte (citations and evaluation quotes are exact substrings).
Characters are never rewritten: curly quotes, non-breaking spaces and emoji stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Repeated captions and titles differ only in quote style or case, e.g. 'Cameo' vs ‘Cameo’.
from index.text import fold_key as _fold

# Kinds of boilerplate. Section detection reads them: a "byline" marker sits next to an
# article title, "start"/"end" markers open and close articles on aggregated pages.
START, BYLINE, END, OTHER, DUPLICATE = "start", "byline", "end", "other", "duplicate"

# `Line.kind` of verbatim code (literal blocks, fenced blocks, doctests): never normalised,
# never dropped as boilerplate, kept as its own paragraph and chunked as one unit.
CODE = "code"

_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d"

# Patterns are matched against the whole stripped line, case-insensitively.
_BOILERPLATE: list[tuple[str, str]] = [
    (START, r"connect with us|skip to (main )?content|top of page|menu"),
    (BYLINE, r"published|posted|updated|on|by"),
    (END, r"continue reading|read (more|the full (story|article))|trending( now)?"),
    (END, r"related( (posts|articles|stories|news))?:?|recent posts|see all"),
    (END, r"comments?( \(\d+( comments?)?\))?|\d+ comments?|leave an? (comment|reply)"),
    (END, r"\d+ views?\s*\d* comments?|bottom of page|back to top"),
    (OTHER, r"advertisements?|sponsored( content)?|scroll (down )?to continue( with content)?"),
    (OTHER, r"share( this)?( (article|story|post))?:?|click to (share|print|email)\b.{0,60}"),
    (OTHER, r"share (on|via) [\w ]{1,20}|tweet|pin it|print|email|like this:?|loading\.*"),
    (OTHER, r"(follow|like) us( on [\w ]{1,20})?|subscribe( now| to (our|the) [\w ]{1,20})?"),
    (OTHER, r"sign up (for|to) (our|the) [\w ]{1,20}newsletter.{0,60}"),
    (OTHER, r"((this (web)?site|we) uses? cookies|accept (all )?cookies)\b.{0,140}"),
    (OTHER, r"cookie (policy|settings|preferences)|accept( all)?|reject( all)?"),
    (OTHER, r"\d+\s*mins?\.? read"),
    (OTHER, rf"[{_EMOJI}\s]+\d+(\s+\d+)*"),  # view / like counters such as "👁️ 43 0"
]
_BOILERPLATE_RE = [(kind, re.compile(p, re.IGNORECASE)) for kind, p in _BOILERPLATE]
_MAX_BOILERPLATE_LEN = 160

# Markers sometimes lose their line break and stick to the end of a sentence
# ("...own AI projects.Connect with us"). Split only after sentence punctuation, no space.
_GLUED_RE = re.compile(
    r"(?<=[.!?”\"’)])(Connect with us|Continue Reading|Read more|Advertisements?"
    r"|Share this:|Like this:|Loading\.\.\.|Related)$"
)

# Lines carrying a date or author next to a title ("Published: Sep 12, 2023", "By Jane Doe").
# They are kept as text but mark an article start just like a bare "Published" line.
_BYLINE_RE = re.compile(
    r"((published|posted|updated)( on)?:?\s.{1,60}"
    r"|By\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3})",
)
_MONTHS = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_RE = re.compile(rf"({_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}})\W*")
_ABBREV_END_RE = re.compile(r"(\b([A-Z]\.){2,}|\b(Inc|Co|Ltd|Corp|Jr|Sr|St)\.)$")
_SPACES_RE = re.compile(r"[ \t\r\f\v]+")
_MIN_DEDUP_LEN = 15


@dataclass(frozen=True)
class Line:
    """One line of extracted text; an empty `text` is a paragraph break.

    `level` is a heading level known from markup (0 = document/article title such as a DOCX
    Title or an HTML <article> heading, 1 = h1, 2 = h2 ...); None for body text.
    `kind` is CODE for a line of a code block (kept verbatim; an empty CODE line is a blank
    line inside the block). `join`, when set, says this line continues the previous one in
    the same paragraph and is attached to it with that separator (" ", or "" after an undone
    hyphen) instead of a line break: reflowed PDF lines keep their own page this way.
    """

    text: str
    page: int | None = None
    level: int | None = None
    kind: str | None = None
    join: str | None = None


@dataclass(frozen=True)
class KeptLine:
    """A line that survived cleaning, with its [start, end) span in the cleaned text."""

    text: str
    start: int
    end: int
    page: int | None
    level: int | None
    gap: tuple[str, ...]  # kinds of the lines dropped just before this one, in order
    kind: str | None = None
    joined: bool = False  # attached to the previous kept line inside one paragraph


def normalise_line(text: str) -> str:
    """Collapse runs of ASCII whitespace and strip the ends; other characters are kept."""
    return _SPACES_RE.sub(" ", text).strip()


def boilerplate_kind(line: str) -> str | None:
    """The boilerplate kind of a whole (normalised) line, or None when it is content."""
    if not line or len(line) > _MAX_BOILERPLATE_LEN:
        return None
    if not any(c.isalnum() for c in line):
        return OTHER  # bullets, rules and stray punctuation left by the scraper
    for kind, pattern in _BOILERPLATE_RE:
        if pattern.fullmatch(line):
            return kind
    return None


def is_byline(line: str) -> bool:
    return len(line) <= 80 and _BYLINE_RE.fullmatch(line) is not None


def is_title_like(line: str) -> bool:
    """Short, headline-shaped text: no sentence-final period, not a byline or a bare date."""
    words = line.split()
    if not (2 <= len(line) <= 150 and 1 <= len(words) <= 20):
        return False
    if not (line[0].isalnum() or line[0] in "\"'“‘"):
        return False
    if line.endswith((",", ";", ":")) or (line.endswith(".") and not _ABBREV_END_RE.search(line)):
        return False
    if boilerplate_kind(line) or is_byline(line) or _DATE_RE.fullmatch(line):
        return False
    return any(c.isalpha() for c in line)


def _split_glued(text: str) -> list[str]:
    m = _GLUED_RE.search(text)
    if m and m.start() > 0:
        return [text[: m.start()], m.group(1)]
    return [text]


def clean_lines(lines: Iterable[Line]) -> tuple[str, list[KeptLine]]:
    """Drop boilerplate and repeated lines, normalise whitespace, and join the rest.

    Lines of one paragraph are joined by a newline (or by their `join` separator); paragraphs
    (blank lines, page changes, code blocks) by exactly one blank line. Code lines are kept
    verbatim. Returns the cleaned text and its kept lines with their spans.
    """
    parts: list[str] = []
    kept: list[KeptLine] = []
    gap: list[str] = []
    pos = 0
    blank = False
    code_blank = False  # a blank line seen inside the current code block
    last_fold = ""
    for line in lines:
        if line.kind == CODE:
            text = line.text.rstrip()
            if not text.strip():
                code_blank = bool(kept) and kept[-1].kind == CODE and not blank
                continue
            in_block = bool(kept) and kept[-1].kind == CODE and not blank
            sep = ("\n\n" if code_blank else "\n") if in_block else "\n\n"
            if kept:
                parts.append(sep)
                pos += len(sep)
            kept.append(KeptLine(text, pos, pos + len(text), line.page, None, tuple(gap), CODE))
            parts.append(text)
            pos += len(text)
            gap.clear()
            blank = code_blank = False
            last_fold = ""
            continue
        cont = line.join is not None
        pieces = [normalise_line(line.text)] if cont else _split_glued(normalise_line(line.text))
        for piece in pieces:
            if not piece:
                blank = True
                continue
            # A continuation is mid-paragraph text: a lone "by" or "on" there is not a byline.
            joined = cont and bool(kept) and not blank and kept[-1].kind != CODE
            kind = None if joined else boilerplate_kind(piece)
            if (
                kind is None
                and not joined
                and len(piece) >= _MIN_DEDUP_LEN
                and _fold(piece) == last_fold
            ):
                kind = DUPLICATE
                blank = False  # the repeat takes its paragraph break with it
            if kind is not None:
                gap.append(kind)
                continue
            if kept:
                new_page = line.page is not None and line.page != kept[-1].page
                if joined:
                    sep = line.join or ""
                elif blank or new_page or kept[-1].kind == CODE:
                    sep = "\n\n"
                else:
                    sep = "\n"
                parts.append(sep)
                pos += len(sep)
            kept.append(
                KeptLine(piece, pos, pos + len(piece), line.page, line.level, tuple(gap),
                         None, joined)
            )  # fmt: skip
            parts.append(piece)
            pos += len(piece)
            gap.clear()
            blank = code_blank = False
            last_fold = _fold(piece)
    return "".join(parts), kept


def code_spans(kept: list[KeptLine]) -> list[tuple[int, int]]:
    """[start, end) of each run of consecutive code lines in the cleaned text."""
    spans: list[tuple[int, int]] = []
    for i, line in enumerate(kept):
        if line.kind != CODE:
            continue
        if i > 0 and kept[i - 1].kind == CODE:
            spans[-1] = (spans[-1][0], line.end)
        else:
            spans.append((line.start, line.end))
    return spans


def clean_text(raw: str) -> str:
    """Clean plain text (one `Line` per input line)."""
    return clean_lines(Line(t) for t in raw.splitlines())[0]
