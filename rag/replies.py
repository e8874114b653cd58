"""A written reply as verification reads it: citation variants as markers, Markdown as sentences.

Capable models format their answers: "**Eddie Wu** is the CEO [1]. He set two priorities:" and
then a bullet per item ("- *User First* [1]"). Read line by line, the lead-in is a claim of its
own, each item a fragment ("AI-Driven" is too short to be a sentence and was skipped, so one
item of the answer silently vanished), and the asterisks are shown to the reader. Here a list of
short items after a line ending in ":" joins it ("He set two priorities: User First [1];
AI-Driven [1]."), other items become sentences, emphasis marks and headings go, and so does a list
of the sources at the end (their titles are no claims). Code spans are kept: `os.sep` is a name
the passages spell that way.
"""

from __future__ import annotations

import re

from index.text import (
    MARKER_RE,
    canonical_markers,
    marker_numbers,
    sentence_spans,
    strip_markers,
)

SHORT = 5  # words: "User First", "the Liberal Party of Australia"
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+(\S.*)$")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
# One star on each side of a word or phrase, not a multiplication ("2 * 3") or a glob ("*.py").
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*.])([^*\n]+?)(?<=\S)\*(?![\w*])")


# Reasoning models served through OpenAI-compatible servers (Qwen3, DeepSeek-R1 on Ollama,
# llama.cpp or LM Studio) may return their reasoning in the reply: "<think>...</think>" before
# the answer, or only the closing tag when the chat template opened the block.
_REASONING = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_OPEN_REASONING = re.compile(r"<(?:think|thinking|reasoning)>", re.I)
_CLOSE_REASONING = re.compile(r"^.*?</(?:think|thinking|reasoning)>", re.S | re.I)


def unfinished_reasoning(text: str) -> bool:
    """The reply is reasoning and nothing else (a block never closed, or closed with nothing
    after it): the model ran out of tokens thinking and wrote no answer, which is no refusal,
    as the documents may well say."""
    reasoned = _OPEN_REASONING.search(text) or re.search(r"</(?:think|thinking|reasoning)>", text)
    return bool(reasoned) and not without_reasoning(text)


def without_reasoning(text: str) -> str:
    text = _CLOSE_REASONING.sub("", _REASONING.sub("", text))
    if m := _OPEN_REASONING.search(text):  # never closed: all reasoning from there on
        text = text[: m.start()]
    return text.strip()


def plain_reply(text: str) -> str:
    """The reply without reasoning blocks, with citation variants as "[n]" markers, its Markdown
    flattened and "According to Source 1, X." read as "X. [1]"."""
    return attributions_as_markers(flatten_markdown(canonical_markers(without_reasoning(text))))


# A source named in the sentence instead of cited after it: "According to Source 1, X.",
# "As [2] reports, X.", "Source 3 states that X.", "[1] notes that X." The words are no part of
# the claim (verified, "Source" and "1" were missing from the passage; "As [2] reports," was
# shown as "As reports,"), and a marker opening a sentence is read as the previous one's.
_REF = (
    r"(?:the\s+)?(?:(?:source|document|passage|excerpt|doc)\s*#?\s*\[?(\d{1,3})\]?|\[(\d{1,3})\])"
)
_VERB = r"(?:says|states|reports|notes|mentions|explains|shows|indicates|confirms|describes)"
_LEAD_REF = re.compile(
    rf"^(?:according\s+to|as\s+(?:stated|noted|reported|mentioned|described|explained|shown)\s+"
    rf"(?:in|by)|per|as)\s+{_REF}(?:\s+(?:{_VERB}|puts\s+it))?\s*,\s*",
    re.I,
)
_SUBJECT_REF = re.compile(rf"^{_REF}\s+{_VERB}\s+(?:that\s+)?", re.I)
_END = re.compile(r"^(.*?)([.!?]?)((?:\s*\[[^\]]*\])*)\s*$", re.S)


def attributions_as_markers(text: str) -> str:
    out, last = [], 0
    for a, b in sentence_spans(text):
        out += [text[last:a], _attribution_as_marker(text[a:b])]
        last = b
    return "".join(out) + text[last:]


def _attribution_as_marker(sentence: str) -> str:
    m = _LEAD_REF.match(sentence) or _SUBJECT_REF.match(sentence)
    if m is None or m.end() == len(sentence):
        return sentence
    n = int(next(g for g in m.groups() if g))
    rest = sentence[m.end() :]
    if re.match(r"[a-z]+\s", rest):  # "that the company ..." -> "The company ..."
        rest = rest[0].upper() + rest[1:]
    if n in marker_numbers(rest):  # "Per source 4, the fee is $5 [4]."
        return rest
    body, stop, markers = _END.match(rest).groups()
    return f"{body}{stop} [{n}]{markers}"


# A list of the sources at the end of a reply ("Sources:" then "[1] Alibaba new CEO announces
# ..."): titles, which would be verified as claims and shown as part of the answer.
_SOURCES_HEAD = re.compile(
    r"^\s*(?:#+\s*)?(?:sources?|references?|citations?|cited sources|bibliography)\s*:?\s*"
    r"((?:\[\d{1,3}\][,;\s]*)*)$",
    re.I,
)
_SOURCE_LINE = re.compile(r"^\s*(?:[-*•]\s*)?(?:\[\d{1,3}\]|\d{1,2}[.)]\s)")


def _without_source_list(lines: list[str]) -> list[str]:
    for k, line in enumerate(lines):
        if _SOURCES_HEAD.match(line) and all(
            _SOURCE_LINE.match(x) for x in lines[k + 1 :] if x.strip()
        ):
            return lines[:k]
    return lines


# "Answer: Eddie Wu [1].", "**Short answer:** ...": a label, which verification would read as a
# word of the claim that no passage holds.
_LABEL = re.compile(
    r"^[ \t]*(?:(?:final|short|direct)\s+)?(?:answer|a|response)[ \t]*:[ \t]*", re.I | re.M
)


def flatten_markdown(text: str) -> str:
    text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    text = _ITALIC.sub(r"\1", text)
    text = _LABEL.sub("", text)
    lines = _without_source_list(text.splitlines())
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _BULLET.match(lines[i]):
            line = lines[i].strip()
            if line and not _HEADING.match(line):  # a heading is a label, not a claim
                out.append(line)
            i += 1
            continue
        items: list[str] = []
        while i < len(lines):
            m = _BULLET.match(lines[i])
            if m:
                items.append(m.group(1).strip())
            elif lines[i].strip():
                break  # a line that is no item ends the list; blank lines between items do not
            i += 1
        # Names or terms (as many words as a title, SHORT) complete the line before them; whole
        # sentences are verified one by one, so that one wrong item does not take the others.
        if out and out[-1].endswith(":") and all(len(_split(x)[0].split()) <= SHORT for x in items):
            out[-1] = f"{out[-1]} {'; '.join(_item(x) for x in items)}."
        else:
            out.extend(_sentence(x) for x in items)
    return "\n".join(out)


def _split(item: str) -> tuple[str, str]:
    """(the item's words without their closing stop, its trailing citation markers)."""
    body, _, markers = _END.match(item).groups()
    return body.rstrip(" .;,"), markers.strip()


def _item(item: str) -> str:
    body, markers = _split(item)
    return f"{body} {markers}" if markers else body


def _sentence(item: str) -> str:
    body, markers = _split(item)
    end = "" if body.endswith(("!", "?", ":")) else "."
    return f"{body}{end} {markers}".rstrip()


# --- a terse reply: "Eddie Wu [1]." ------------------------------------------------------------

TERSE = 5  # words: "Eddie Wu Yongming", "late 2022", "the Liberal Party of Australia"


def terse_answer(text: str) -> str | None:
    """The reply's answer when the reply is only a name, number or short phrase ("Eddie Wu
    [1].", "Late 2022."), else None. Such a reply states nothing a passage can support alone,
    and is too short to read as a sentence (verification skips fragments under three words)."""
    plain = " ".join(strip_markers(text).split()).rstrip(" .!")
    if not plain or len(plain.split()) > TERSE or len(sentence_spans(plain)) > 1:
        return None
    if plain.lower().rstrip(",") in ("yes", "no"):  # a verdict, not a phrase a passage holds
        return None
    return plain


# --- a reply as cited sentences ----------------------------------------------------------

_LEADING = re.compile(rf"^(?:{MARKER_RE.pattern})+")


# A marker inside a span, then a capital: the end of a quoted line that has no full stop ("...
# to the email list procps@freelists.org [1] That said, ..."), so two quotes are two claims.
_INNER_END = re.compile(rf"(?:{MARKER_RE.pattern})+(?=\s+[A-Z])")


def _at_inner_markers(text: str) -> list[str]:
    out = []
    for a, b in sentence_spans(text):
        start = a
        for m in _INNER_END.finditer(text, a, b):
            out.append(text[start : m.end()])
            start = m.end()
        out.append(text[start:b])
    return out


def split_cited(text: str) -> list[tuple[str, list[int]]]:
    """Answer text -> [(sentence without markers, cited numbers)].

    Markers written after the full stop ("It rose. [2] Then ...") belong to the sentence
    before them, not to the one they precede.
    """
    out: list[tuple[str, list[int]]] = []
    for raw in _at_inner_markers(text):
        lead = _LEADING.match(raw)
        if lead and out:
            out[-1][1].extend(marker_numbers(lead.group()))
            raw = raw[lead.end() :]
        nums = marker_numbers(raw)
        claim = strip_markers(raw).strip()
        if not claim:
            # A line holding only markers belongs to the sentence before it.
            if out and nums:
                out[-1][1].extend(nums)
            continue
        if out and len(claim.split()) < 3 and ":" in claim:
            # A label and its value closing an entry ("... (minimum 1). Default: 8. [1]") is
            # too short to verify alone, and dropped it would take the quoted answer with it.
            out[-1] = (f"{out[-1][0]} {claim}", out[-1][1] + nums)
            continue
        out.append((claim, nums))
    return [(claim, list(dict.fromkeys(nums))) for claim, nums in out]
