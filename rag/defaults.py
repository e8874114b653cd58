"""A question that asks for a default is answered by the "Default:" of the entry it reads.

API reference closes an option's entry with its default: Node.js writes "**Default:** `8`."
(read as "Default: 8."), and the entry may run several sentences before it ("historySize
{number} Maximum number of history lines retained. To disable the history set this value to 0.
... Default: 30."). The reader ranks the entry's description first, since it holds the
question's words; the label, which repeats none of them, it never ranks. So when the question
asks for a default, the best pick whose entry (the rest of its line) states the default of a
name the question asks about, as a "Default:" label or in Sphinx's prose ("width (default 80)
specifies ...", "n which defaults to three"), is read through to it, and the value is the
answer. On the technical sets (eval/tech_questions*.jsonl) this answered E's tabSize, crlfDelay
and StringDecoder encoding and F's pprint width, A-D unchanged; SQuAD 2.0's paragraphs state
no default this way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from index.text import is_stopword, sentence_spans

# "... by default?", and the user's way of asking it: what happens without a value ("If I just
# do new StringDecoder() without telling it an encoding ...", "if I don't set historySize",
# "if I leave indent alone", "out of the box").
_ASKS_DEFAULT = re.compile(
    r"\bdefault(?:s|ed)?\b|\bout of the box\b|\bleave\s+[\w.]+\s+alone\b"
    r"|\b(?:without|don'?t|do\s+not|never)\s+(?:\w+\s+){0,2}?"
    r"(?:set|setting|pass|passing|give|giving|specify|specifying|override|overriding|tell"
    r"|telling|provide|providing)\b|\bwithout\s+(?:any\s+)?(?:arguments|args|parameters|options)\b",
    re.I,
)
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
        found = _stated(text, p.start, stop, question)
        if found is None:
            continue
        value, end = found
        end = max(end, p.end)
        read = replace(p, end=end, text=text[p.start : end], answer=value)
        return (read, *picks[:k], *picks[k + 1 :])
    return picks


def _stated(text: str, start: int, stop: int, question: str) -> tuple[str, int] | None:
    """The first default in text[start:stop] of something the question names: its value, and
    the end of the sentence that states it."""
    cues = sorted([*_LABEL.finditer(text, start, stop), *_PROSE.finditer(text, start, stop)],
                  key=lambda m: m.start())  # fmt: skip
    for cue in cues:
        if not _of_asked(text, cue, question):
            continue
        spans = sentence_spans(text, cue.start(), stop)
        end = spans[0][1] if spans else stop
        if cue.re is _LABEL:
            value = text[cue.end() : end].rstrip().removesuffix(".").strip("`* ")
        else:
            term = _TERM.match(text, cue.end(), stop)
            value = "" if term is None or term.group().lower() in _NO_TERM else term.group()
        if value:
            return value, end
    return None


# Words between a name and the cue that states its default ("n which defaults to three").
_BETWEEN = frozenset("which that it and also is the value".split())


def _of_asked(text: str, cue: re.Match, question: str) -> bool:
    """Is the default at `cue` one of what the question names? Its subject is the name before
    "(default" ("width (default 80)") or before "defaults to" ("n which defaults to three"),
    and for a "Default:" label the name opening its entry's line ("tabSize {integer} ...
    Default: 8."): "Optional argument n (default 3)" is no answer to "What's the default cutoff
    score in get_close_matches?", nor "else the default is False" to a question about n."""
    line = text.rfind("\n", 0, cue.start()) + 1
    # An entry opens with its name before a colon, a type or a parenthesis ("tabSize
    # {integer} ...", "order: If true ..."), not with a sentence's verb ("Set context to ...").
    first = re.match(r"([\w.]+)\s*[:{(—–]", text[line : cue.start()])
    subjects = [first.group(1)] if first else []
    if cue.re is not _LABEL:
        before = re.findall(r"[\w.]+", text[max(0, cue.start() - 60) : cue.start()])
        while before and before[-1].lower() in _BETWEEN:
            before.pop()
        # The name just before the cue, else the entry's ("order: If true (the default is
        # False), __lt__ ... are generated.").
        subjects = before[-1:] + subjects
    return any(
        not is_stopword(x)
        and re.search(rf"(?<![\w.]){re.escape(x)}(?!\w)", question, re.I) is not None
        for x in subjects
    )
