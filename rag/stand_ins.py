"""A name standing in for another: the claim puts its own name on a word where the passage
sentence it follows has another name ("The Rumford engine ... was patented in 1849" vs "the
Corliss steam engine, patented in 1849 ... When Corliss was given the Rumford medal").

The claim's name is in the passage, so the name rule (rag/names.py) finds it; it is elsewhere,
of something else. This is how an answer to a question about something the documents do not
cover is built from a passage about a neighbour: the question's name on the passage's fact.
Part of the support scorer's hard requirements (rag/support.py calls `check_stand_ins`).
"""

from __future__ import annotations

import re

from index.text import STOPWORDS
from rag.claims import Doc, analyze, best_sentence, canon
from rag.names import _entities, _entity_found, _is_cap

_BEFORE = 2  # words before the passage's word that may hold its name ("Corliss steam engine")


def check_stand_ins(c: Doc, p: Doc, passage: str, conflicts: list[str]) -> None:
    """Conflict when a claim name right before a plain word ("Rumford engine") meets that word,
    in the passage sentence holding most of the claim's words, after another name the claim
    does not mention ("Corliss steam engine"), while the claim's name stands before that word
    nowhere in the passage and is not in that sentence at all."""
    named = list(_named_words(c))
    if not named:
        return
    stems, sentence = p.word_stem, p.word_sentence
    best = best_sentence(c, p)
    claim_stems = {canon(w.low) for w in c.words if w.kind == "word"}
    for run, head in named:
        names = {canon(c.words[w].low) for w in run}
        if not names & set(stems):
            continue  # the name is missing altogether: the name rule reports it
        if any(s in names for s, k in zip(stems, sentence, strict=True) if k == best):
            continue
        other = _other_name(p, passage, stems, sentence, best, canon(head.low), names, claim_stems)
        if (
            other
            and not _code(other)
            and not _entity_found(c, run, analyze(other))
            and not _initials(other, c)
        ):
            c_name = " ".join(c.words[w].raw for w in run)
            conflicts.append(f"'{c_name} {head.raw}' vs '{other} ... {head.raw}'")
            return


def _named_words(c: Doc):
    """(name run, the plain word right after it) of the claim: "Rumford" and "engine"."""
    for run, required in _entities(c):
        nxt = run[-1] + 1
        if not required or nxt >= len(c.words) or _group(c, run) or _acronym(c, run):
            continue
        if any(_code(c.words[w].raw) for w in run):
            continue
        head = c.words[nxt]
        if head.kind != "word" or _is_cap(head.raw) or head.low in STOPWORDS:
            continue
        if c.text[c.words[run[-1]].end : head.start].strip():
            continue  # "Fresno, a city": not a name on the word
        yield run, head


def _initials(other: str, c: Doc) -> bool:
    """The passage's name is an acronym of capitalised claim words ("S&P" for "Standard &
    Poor")."""
    letters = re.sub(r"[^A-Za-z]", "", other)
    if len(letters) < 2 or not letters.isupper():
        return False
    initials = "".join(w.raw[0] for w in c.words if w.kind == "word" and w.raw[:1].isupper())
    return letters in initials


def _code(raw: str) -> bool:
    """A code identifier ("PurePath", "ZipFile.open", "os_path"): documentation describes a
    class by its base or its sibling ("Path" by "PurePath"), which is no other thing."""
    return any(ch in raw for ch in "._()") or re.search(r"[a-z][A-Z]", raw) is not None


def _acronym(c: Doc, run: list[int]) -> bool:
    """An acronym ("US", "S&P"): passages write it out ("the United States", "Standard &
    Poor's"), and a written-out name reads here as another name."""
    return len(run) == 1 and c.words[run[0]].raw.isupper() and len(c.words[run[0]].raw) > 1


def _group(c: Doc, run: list[int]) -> bool:
    """A plural of one word ("Huguenots"): a people the passage may call otherwise ("the
    French")."""
    raw = c.words[run[-1]].raw
    return len(run) == 1 and raw.endswith("s") and not raw.endswith("ss") and raw[1:].islower()


def _other_name(
    p: Doc,
    passage: str,
    stems: list[str],
    sentence: list[int],
    k: int,
    head: str,
    names: set[str],
    claim: set[str],
) -> str:
    """A name of sentence k right before `head` (up to _BEFORE words) that the claim does not
    mention; "" when the claim's own name stands before `head` anywhere, or there is none."""
    other = ""
    for j, s in enumerate(stems):
        if s != head:
            continue
        before: list[str] = []
        for i in range(j - 1, max(-1, j - 1 - _BEFORE), -1):
            v = p.words[i]
            if v.kind != "word" or p.text[v.end : p.words[i + 1].start].strip():
                break
            if _is_cap(v.raw) and not p.sentence_start[i]:
                before.append(v.raw)  # not "Changed in version 3.10": a sentence opens there
            elif before or _owner(passage, p.words[i - 1].raw if i else "", v.raw):
                break  # "Musk's company shows": the name is the word's owner's
        found = {canon(b.lower()) for b in before}
        if found & names:
            return ""
        if sentence[j] == k and before and not any(_alike(s, claim) for s in found):
            other = other or " ".join(reversed(before))
    return other


def _owner(passage: str, name: str, word: str) -> bool:
    """The passage writes "name's word" (the analysis drops the possessive)."""
    if not name or not _is_cap(name):
        return False
    return re.search(rf"\b{re.escape(name)}['’]s?\s+{re.escape(word)}\b", passage) is not None


def _alike(stem: str, claim: set[str]) -> bool:
    """The claim has the name, or a form of it ("Victoria" / "Victorian")."""
    return stem in claim or any(
        stem.startswith(s) or s.startswith(stem) for s in claim if len(s) > 3
    )
