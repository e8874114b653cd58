"""Who does it: a claim that gives a passage's action to another named subject.

"Boyle then refined John Mayow's work" against "Robert Boyle proved that air is necessary for
combustion. English chemist John Mayow (1641–1679) refined this work": every word is in the
passage, but there "refined" is done by Mayow. A claim word right after a name (its subject,
past an adverb such as "then") that the passage has only right after other names is a
conflict, provided the claim's name is in the passage too (else it is simply missing).
Subjects joined by "and" count as one ("Mayow and Boyle refined" supports "Boyle refined").
"""

from __future__ import annotations

import re

from index.text import STOPWORDS, drop_possessive, is_possessive, stem

_TOKEN = re.compile(r"\([^()]{0,60}\)|[\w’'.-]+|[,;:]")
_SKIP = frozenset("then also later first subsequently soon eventually again further".split())
_VALUE = re.compile(r"\d[\d,.]*s?")
_VALUE_PREPS = frozenset("in by around about since until circa c.".split())


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _name(word: str) -> str | None:
    """The name a capitalised word stands for ("Mayow's" -> "mayow"), else None."""
    base = drop_possessive(word)
    if not base[:1].isupper() or base.lower() in STOPWORDS or not base.replace("-", "").isalpha():
        return None
    return base.lower()


def _subject(words: list[str], k: int) -> set[str]:
    """The names right before words[k], past adverbs and a parenthesis, with "and"/","; none
    when the nearest is a possessive ("Fresno's population")."""
    j = k - 1
    while j >= 0 and (words[j].startswith("(") or words[j].lower() in _SKIP):
        j -= 1
    # A value between subject and verb: "Oliver Evans in 1801 introduced".
    if j >= 1 and _VALUE.fullmatch(words[j]) and words[j - 1].lower() in _VALUE_PREPS:
        j -= 2
    if j >= 0 and is_possessive(words[j]):
        return set()
    out: set[str] = set()
    while j >= 0:
        name = _name(words[j])
        if name is not None:
            out.add(name)
        # "William of Normandy"; "Trevithick and, separately, Evans introduced"
        elif not (out and (words[j].lower() in ("and", ",", "of") or _adverb(words[j]))):
            break
        j -= 1
    return out


def _adverb(word: str) -> bool:
    low = word.lower()
    return low in _SKIP or (word.islower() and low.endswith("ly") and len(low) > 4)


def check_subjects(claim: str, passage: str, conflicts: list[str]) -> None:
    cw, pw = _words(claim), _words(passage)
    pnames = {n for w in pw if (n := _name(w))}
    by_stem: dict[str, list[int]] = {}
    for k, w in enumerate(pw):
        if w.islower() and w.isalpha():
            by_stem.setdefault(stem(w), []).append(k)
    for k, w in enumerate(cw):
        # A past-tense verb: after a name, a noun ("the Fresno population") is no action.
        if not (w.islower() and w.isalpha() and len(w) > 4 and w.endswith("ed")):
            continue
        ours = _subject(cw, k)
        if not ours or not ours <= pnames:
            continue
        theirs = [_subject(pw, j) for j in by_stem.get(stem(w), ())]
        theirs = [t for t in theirs if t]
        if theirs and not any(t & ours for t in theirs):
            other = sorted(theirs[0])[0].title()
            conflicts.append(f"'{w}' is done by {other} in the passage")
            return
