"""A question that asks for a default is answered by the "Default:" of the entry it reads.

API reference closes an option's entry with its default: Node.js writes "**Default:** `8`."
(read as "Default: 8."), and the entry may run several sentences before it ("historySize
{number} Maximum number of history lines retained. To disable the history set this value to 0.
... Default: 30."). The reader ranks the entry's description first, since it holds the
question's words; the label, which repeats none of them, it never ranks. So when the question
asks for a default, the best pick whose entry (the rest of its line) closes with a "Default:"
label is read through to it, and the label's value is the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from index.text import sentence_spans

_ASKS_DEFAULT = re.compile(r"\bdefault(?:s|ed)?\b", re.I)
_LABEL = re.compile(r"(?<![\w-])Default:\s*")


def asks_default(question: str) -> bool:
    return _ASKS_DEFAULT.search(question) is not None


def default_first(question: str, picks: tuple, sources: Sequence) -> tuple:
    """The reader's picks (rag.reader.Pick), the first whose entry states a default moved first
    and read through to that label, with its value as the answer; unchanged when the question
    asks for no default or no pick's entry states one."""
    if not picks or not asks_default(question):
        return picks
    for k, p in enumerate(picks):
        text = sources[p.source].text
        stop = text.find("\n", p.end)
        stop = len(text) if stop < 0 else stop
        label = _LABEL.search(text, p.start, stop)
        if label is None:
            continue
        spans = sentence_spans(text, label.start(), stop)
        end = spans[0][1] if spans else stop
        value = text[label.end() : end].rstrip().removesuffix(".").strip("`* ")
        if not value:
            continue
        end = max(end, p.end)
        read = replace(p, end=end, text=text[p.start : end], answer=value)
        return (read, *picks[:k], *picks[k + 1 :])
    return picks
