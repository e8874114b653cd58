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
# Node.js's label, whose value runs to the end of its sentence ("Default: checking isTTY on the
# output stream upon instantiation."); and Sphinx prose, whose value is one term ("width
# (default 80) specifies ...", "Defaults to None.", "The default is ','.").
_LABEL = re.compile(r"(?<![\w-])Default:\s*")
_PROSE = re.compile(
    r"(?<![\w-])(?:\(default:?\s+|[Dd]efaults?\s+(?:is|to|value\s+is)\s+"
    r"|[Tt]he\s+default\s+(?:value\s+)?is\s+)"
)
_TERM = re.compile(r"""'[^'\n]{0,40}'|"[^"\n]{0,40}"|\([^()\n]{1,40}\)|[\w.+-]*\w(?:\(\))?""")
_NO_TERM = frozenset("the a an what this that these those".split())


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
        found = _stated(text, p.start, stop)
        if found is None or not _of_asked(text, found[0], question):
            continue
        cue, value = found
        spans = sentence_spans(text, cue, stop)
        end = spans[0][1] if spans else stop
        end = max(end, p.end)
        read = replace(p, end=end, text=text[p.start : end], answer=value)
        return (read, *picks[:k], *picks[k + 1 :])
    return picks


def _stated(text: str, start: int, stop: int) -> tuple[int, str] | None:
    """Where the first default stated in text[start:stop] begins, and its value."""
    label, prose = _LABEL.search(text, start, stop), _PROSE.search(text, start, stop)
    if label is not None and (prose is None or label.start() < prose.start()):
        spans = sentence_spans(text, label.start(), stop)
        end = spans[0][1] if spans else stop
        value = text[label.end() : end].rstrip().removesuffix(".").strip("`* ")
        return (label.start(), value) if value else None
    if prose is None:
        return None
    term = _TERM.match(text, prose.end(), stop)
    if term is None or term.group().lower() in _NO_TERM:
        return None
    return prose.start(), term.group()


def _of_asked(text: str, cue: int, question: str) -> bool:
    """Is the default at `cue` one of what the question names? Its subject is the name before
    "(default" ("width (default 80)"), else the name opening its entry's line ("tabSize
    {integer} ... Default: 8."): "Optional argument n (default 3)" is no answer to "What's the
    default cutoff score in get_close_matches?"."""
    if text.startswith("(", cue):
        before = re.findall(r"[\w.]+", text[max(0, cue - 40) : cue])
        subject = before[-1] if before else ""
    else:
        line = text.rfind("\n", 0, cue) + 1
        first = re.match(r"[\w.]+", text[line:cue])
        subject = first.group() if first else ""
    named = re.compile(rf"(?<![\w.]){re.escape(subject)}(?!\w)", re.I)
    return bool(subject) and named.search(question) is not None
