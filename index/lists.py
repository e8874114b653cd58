"""A short list after its lead-in is one sentence: "The modules are: xmlrpc.client; xmlrpc.server".

Markup renders each list item as a paragraph of its own. An item of a few words ("Digest",
"urllib.parse for parsing URLs") is then a unit of its own that names nothing of what the
question asks, while the lead-in that does ("urllib is a package that collects several modules
for working with URLs:") answers nothing. The readers that know list structure (Markdown, rST,
HTML) mark each one-line item ITEM; here a lead-in ending in ":" and the run of short items
right after it become one paragraph, the items joined by "; ". A list of whole sentences, or
with any long item, stays as it is: each item is its own statement. 57 lead-in lists of the
Python 3.11 library pages qualify ("The modules are:", "The following methods are available:").
"""

from __future__ import annotations

import re
from dataclasses import replace

from index.clean import CODE, Line

ITEM = "item"
# An HTML definition list's term and the first line of its definition: "cleandead" and "remove
# files produced by previous builds ..." say one thing as "cleandead: remove files ...", as a
# browser shows them side by side. Alone, the definition never names its term.
TERM = "term"
DEFINITION = "definition"
# 98.7% of the 3,043 <dt> of 120 Python 3.11 library pages (Sphinx HTML) are at most this long
# (p50 20, p99 138 characters): a signature with its arguments; longer, a term is text of its own.
MAX_TERM_CHARS = 120
# 197 of the 253 one-line items of the lead-in lists in the Python 3.11 library pages (rST) have
# at most 8 words; from 7 words on, 44-60% are statements ending in a full stop, which never join.
MAX_ITEM_WORDS = 8
_CLOSES = re.compile(r"[.!?][\"')\]]*$")


def _lead_in(line: Line) -> bool:
    text = line.text.rstrip()
    plain = line.kind is None and line.level is None
    return plain and text.endswith(":") and not text.endswith("::")


def _short(text: str) -> bool:
    text = text.strip()
    return 0 < len(text.split()) <= MAX_ITEM_WORDS and not _CLOSES.search(text)


def inline_lists(lines: list[Line]) -> list[Line]:
    """`lines` with each lead-in and its short items as one paragraph; ITEM marks dropped."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        out.append(replace(line, kind=None) if line.kind == ITEM else line)
        if not _lead_in(line):
            continue
        items, j = [], i
        while j < len(lines) and (lines[j].kind == ITEM or not lines[j].text.strip()):
            if lines[j].kind == CODE:
                break
            if lines[j].kind == ITEM:
                items.append(lines[j])
            j += 1
        if len(items) < 2 or not all(_short(x.text) for x in items):
            continue
        out += [replace(x, kind=None, join=" " if n == 0 else "; ") for n, x in enumerate(items)]
        out.append(Line(""))
        i = j
    return out


def mark_block(lines: list[Line], start: int, kind: str = ITEM) -> None:
    """Mark `kind` (ITEM, TERM, DEFINITION) the line of text a list item or term block added to
    `lines` from `start`, if it added one; a definition's first line, whatever follows it."""
    text = [k for k in range(start, len(lines)) if lines[k].text.strip()]
    if not text or (len(text) > 1 and kind != DEFINITION):
        return
    if lines[text[0]].kind is None and lines[text[0]].level is None:
        lines[text[0]] = replace(lines[text[0]], kind=kind)


def join_terms(lines: list[Line]) -> list[Line]:
    """Each short TERM line with the DEFINITION line right after it as one paragraph."""
    out: list[Line] = []
    for line in lines:
        if line.kind == DEFINITION:
            k = len(out) - 1
            while k >= 0 and not out[k].text.strip() and out[k].kind != CODE:
                k -= 1
            term = out[k] if k >= 0 else None
            if term is not None and term.kind == TERM and len(term.text) <= MAX_TERM_CHARS:
                del out[k + 1 :]  # the paragraph break between them
                sep = " " if term.text.rstrip().endswith((":", ".")) else ": "
                out.append(replace(line, kind=None, join=sep))
                continue
        out.append(replace(line, kind=None) if line.kind == DEFINITION else line)
    return [replace(x, kind=None) if x.kind == TERM else x for x in out]
