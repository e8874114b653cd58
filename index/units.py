"""The units the extractive reader reads: sentences, with API signatures joined to their text.

One definition for both sides: the read path splits a retrieved chunk into these units
(rag/features.py), and indexing can embed the same units ahead of time (index/ingest.py), so
a unit's stored vector is found by the text the reader asks for.
"""

from __future__ import annotations

import re

from index.text import sentence_spans

_BULLET_RE = re.compile(r"[•◦▪▫●‣∙⁃*-]\s+")
# A unit that opens on a conjunction or verb in lower case continues a sentence that a code
# block interrupted ("The sequence / prog = re.compile(p) / is equivalent to / ... / but using
# re.compile ... is more efficient"): a fragment, never quoted as evidence.
_CONTINUATION = re.compile(r"(?:but|and|or|nor|is|are|was|were|which|that)\b")


# An API entry's signature line ("pairwise(iterable)", "json.loads(s, *, cls=None)", a bare
# dotted or snake_case name such as "sqlite_version_info", or a constant): the sentence after it
# describes that name, which it never repeats. A bare plain word ("pass", "threadsafety") is too
# often code or a heading to count.
# A command-line option entry is one too ("-k --keep", "-o FILE, --output=FILE", "--dry-run"):
# manuals and man pages put the option on its own line (an HTML <dt>, a Markdown term) and
# describe it in the paragraph after ("Keep (don't delete) input files ..."), which never names
# it, so the flag a question asks for would be in no unit.
_OPTION = r"--?[A-Za-z0-9][\w-]*(?:[= ][<\[]?[A-Za-z_][\w|-]*[>\]]?)?"
# Valgrind's manual gives each option's default after it: "--trace-children=<yes|no> [default:
# no]", "--fullpath-after=<string> [default: don't show source paths]".
_DEFAULT = r"(?:[ \t]+\[default:[^\]\n]{0,80}\])?"
_SIGNATURE = re.compile(
    r"[A-Za-z_][\w.]*\([^()\n]{0,400}\)(?:\s*->\s*[\w.\[\], ]{1,40})?"
    r"|[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+"
    # a constant or an environment variable ("csv.QUOTE_ALL", "BC_LINE_LENGTH")
    r"|(?:[a-z]\w*\.)*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"
    rf"|{_OPTION}(?:,?[ \t]+{_OPTION}){{0,3}}{_DEFAULT}"
    # A Texinfo manual's definition line, its category set at the right margin ("int
    # memeql_sec (const void *a, const void *b, size t n ) [Function]", Nettle's PDF).
    r"|[^\n\[\]]{1,200}\([^()\n]{0,300}\)\s*\[(?:Function|Macro|Variable|Constant|Data type|"
    r"Command|User Option|Method)\]"
)


# The history line index/markup.py writes under a Node.js API heading ("Added in: v17.0.0.").
_HISTORY = re.compile(r"(?:Added in|Changed in|Deprecated since|Removed in): ")


def _heads(text: str, a: int, b: int, nxt: tuple[int, int]) -> bool:
    """Does the line text[a:b] head the unit `nxt`: a signature its description, or any short
    heading ("Promises API") the history line under it, which names nothing itself?"""
    if _SIGNATURE.fullmatch(text, a, b):
        return not _SIGNATURE.fullmatch(text, *nxt) and not _is_heading(text, *nxt)
    return (
        _HISTORY.match(text, nxt[0]) is not None
        and b - a <= 80
        and not _HISTORY.match(text, a)
        and text[b - 1] not in ".!?:;"
    )


def _is_heading(text: str, a: int, b: int) -> bool:
    """A few words without a closing stop ("Floating Point Notes"): the next section's title,
    not a description. The last line of decimal's signal hierarchy, a code block,
    "FloatOperation(DecimalException, exceptions.TypeError)", was shown joined to it as
    "FloatOperation(...): Floating Point Notes"."""
    return text[b - 1] not in ".!?:;)" and len(text[a:b].split()) <= _HEADING_WORDS


_HEADING_WORDS = 6


def with_signatures(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A signature line and the first sentence after it become one unit ("pairwise(iterable)
    Return successive overlapping pairs ..."), still one contiguous slice of the text; so do a
    heading and the history line under it ("Promises API" "Added in: v17.0.0.")."""
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(spans):
        a, b = spans[k]
        if (
            k + 1 < len(spans)
            and _heads(text, a, b, spans[k + 1])
            and text[b : spans[k + 1][0]].count("\n") <= 2
            and not text[b : spans[k + 1][0]].strip()
        ):
            out.append((a, spans[k + 1][1]))
            k += 2
            continue
        out.append((a, b))
        k += 1
    return out


def reading_units(text: str) -> list[tuple[int, int]]:
    """(start, end) of each unit of `text`, in order; each a slice of `text`."""
    out = []
    prompt = -1  # end of the last doctest prompt line's unit
    for a, b in with_signatures(text, sentence_spans(text)):
        if text.startswith(">>>", a) or (prompt >= 0 and "\n\n" not in text[prompt:a]):
            prompt = b  # a doctest line or its output: interpreter input, not a statement
            continue
        prompt = -1
        if _CONTINUATION.match(text, a, b):
            continue
        # A list item's bullet ("• If the glob fails, ...") is not part of its sentence.
        bullet = _BULLET_RE.match(text, a, b)
        if bullet:
            a = bullet.end()
        if b - a >= 2:
            out.append((a, b))
    return out


def one_line(unit: str) -> str:
    """A unit as shown: it spans lines only when it is a signature and its description
    ("pairwise(iterable)\n\nReturn successive ..."), shown as "pairwise(iterable): Return ..."."""
    head, sep, rest = unit.partition("\n")
    if sep and not head.rstrip().endswith((".", "!", "?", ":", ";")):
        return " ".join(f"{head.rstrip()}: {rest}".split())
    # One line, or two sentences of lines that each end (a table's rows, read on together).
    return " ".join(unit.split())
