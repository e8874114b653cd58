"""A name the passage refers back to, put back into the claim from earlier in the document.

A capable model writes "Eddie Wu is Alibaba's fourth chief executive" from a chunk that says
"Wu is the company's fourth CEO": the chunk calls Alibaba "the company" because the document
named it before. The claim's name is then not missing but resolved, provided (1) the document,
before the passage (its title included), names it, and (2) the passage has a reference back in
the claim's place: the claim word after the possessive name ("Alibaba's fourth") follows, in
the passage, a possessive reference ("the company's", "his", "its"). The claim is rewritten with
the passage's words in that place and scored again, so every other requirement still holds. A
name that only modifies the next word is left missing: "the Upper Rhine" for the passage's "the
Rhine" drops a qualifier, not a name.

A name the passage states in that place instead ("the Rumford engine" for "the Corliss
engine") is no reference back, and a name only the passage's later sentences hold is no
earlier mention (rag/late_names.py catches those).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.text import STOPWORDS, drop_possessive, is_possessive

_WORD = re.compile(r"\w+(?:[’']\w+)*")
_POSSESSIVE = re.compile(r"[’'](?:s\b)?")
_PRONOUNS = frozenset("his her its their".split())
_GAP = 2  # claim words allowed between the name and the anchor word (adjectives)


def _words(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def _base(word: str) -> str:
    return drop_possessive(word.lower())


def _missing_run(item: str, have: set[str]) -> list[str] | None:
    """The words of a missing name the passage lacks, when they are its head or its tail
    ("Jack Ma" -> ["Ma"] beside the passage's "Jack"); None when they are split up."""
    words = item.split()
    if not all(w[:1].isupper() and w.replace("-", "").isalpha() for w in words):
        return None  # names only: not "first", "10th century", "U.S."
    miss = [_base(w) not in have for w in words]
    if not any(miss):
        return None
    first, last = miss.index(True), len(miss) - 1 - miss[::-1].index(True)
    if not all(miss[first : last + 1]) or (first > 0 and last < len(words) - 1):
        return None
    return words[first : last + 1]


def _reference(pw: list[re.Match], k: int, gap: int):
    """(start, end) of a possessive reference back ("his", "the company's") just before passage
    word k (`gap` + 1 words back at most), else None."""
    for j in range(k - 1, max(-1, k - 2 - gap), -1):
        low = pw[j].group().lower()
        if low in _PRONOUNS:
            return pw[j].start(), pw[j].end()
        if (
            j > 0
            and is_possessive(low)
            and pw[j - 1].group().lower() == "the"
            and not pw[j].group()[:1].isupper()
        ):
            return pw[j - 1].start(), pw[j].end()
    return None


def resolve(claim: str, passage: str, before: str, missing: Sequence[str]) -> str | None:
    """The claim with its missing names replaced by the passage's references back to them, or
    None when no missing name is one (see the module docstring)."""
    if not before:
        return None
    pw = _words(passage)
    have = {_base(m.group()) for m in pw}
    out = claim
    changed = False
    for item in missing:
        run = _missing_run(item, have)
        if run is None:
            continue
        name = r"\b" + r"\s+".join(map(re.escape, run)) + r"\b"
        if not re.search(name, before):
            continue  # not named earlier in the document
        m = re.search(name, out)
        if m is None:
            continue
        poss = _POSSESSIVE.match(out, m.end())
        if poss is None or not poss.group():
            continue  # not possessive: a modifier (see the module docstring)
        start, end = m.start(), poss.end()
        lead = re.search(r"\bthe\s+$", out[:start], re.I)
        ref = None
        for gap, a in enumerate(_words(out[end:])[: _GAP + 1]):
            low = a.group().lower()
            spots = [k for k, w in enumerate(pw) if w.group().lower() == low]
            if low in STOPWORDS or not spots:
                continue
            # The first claim word after the name that the passage holds is the anchor.
            ref = next((r for k in spots if (r := _reference(pw, k, gap))), None)
            break
        if ref is None:
            continue
        words = passage[ref[0] : ref[1]]  # "the Netherlands' strict" -> "the country's strict"
        if lead and words.lower().startswith("the "):
            start = lead.start()
        out = out[:start] + words + out[end:]
        changed = True
    return out if changed else None
