"""Binding checks of the support scorer: a claim's value, opposite word or name must sit, in the
passage, next to the same words it sits next to in the claim.

A passage that holds every word of a claim can still say something else: "the order expires on
Dec. 19, the hearing is on Dec. 22" against "expire on Dec. 22 ... hearing on Dec. 19", or "Ma,
who had succeeded Zhang" against "Zhang, who had succeeded Ma". Words bind to the value or name
nearest them in their own clause; these checks compare that binding on both sides.
"""

from __future__ import annotations

import re

from rag.claims import Doc, contrast_entries, contrast_index
from rag.lexicon import CONTRAST_GROUPS, ORIENTED

# A verb between "was/were/been" and "by" is passive: its agent follows it ("X was founded by Y").
_BE = frozenset("is are was were be been being".split())
_WINDOW = 3  # content tokens a name binds to on each side (within its clause)
# A name binds across a comma only to a relative clause or an apposition after it: "Ma, who
# had succeeded Zhang", "Ribault, the explorer".
_RELATIVE = re.compile(r"^\s*,\s*(?:(?:who|which)\b[^,;:.]*|the|an?)\s*$")


def distance(d: Doc, a: int, b: int) -> int:
    """Token distance, with crossing a clause or a sentence costing extra."""
    dist = abs(a - b)
    if d.tok_sentence[a] != d.tok_sentence[b]:
        dist += 20
    elif d.tok_clause[a] != d.tok_clause[b]:
        dist += 8
    return dist


def neighbours(c: Doc, i: int, p: Doc, include_items: bool, k: int = 4) -> list[int]:
    """Claim positions of up to k content tokens on each side of i (the words i binds to).

    Only those of i's own clause when one of them is in the passage: in "After the program, the
    level rose" the program is context, the level is what rose."""
    out: list[int] = []
    for step in (-1, 1):
        j, found = i + step, 0
        while 0 <= j < len(c.stems) and found < k:
            if include_items or not c.is_item[j]:
                out.append(j)
                found += 1
            j += step
    own = [j for j in out if c.tok_clause[j] == c.tok_clause[i]]
    if any(c.stems[j] in p.positions and c.stems[j] != c.stems[i] for j in own):
        return own
    return out


def aligned(c: Doc, p: Doc, ci: int) -> list[int]:
    """The passage occurrences of claim token ci surrounded by the most claim words (ties kept);
    words of ci's own clause count first."""
    stem = c.stems[ci]
    occ = p.positions[stem]
    if len(occ) == 1:
        return occ
    plain = [j for j in range(len(c.stems)) if not c.is_item[j] and c.stems[j] != stem]
    near = {c.stems[j] for j in plain if c.tok_clause[j] == c.tok_clause[ci]}
    words = {c.stems[j] for j in plain}

    def overlap(o: int) -> tuple[int, int]:
        sent = p.tok_sentence[o]
        window = range(max(0, o - 5), min(len(p.stems), o + 6))
        around = {p.stems[j] for j in window if p.tok_sentence[j] == sent}
        return len(around & near), len(around & words)

    scores = [overlap(o) for o in occ]
    best = max(scores)
    return [o for o, sc in zip(occ, scores, strict=True) if sc == best]


def votes(
    c: Doc, ci: int, p: Doc, targets: dict[int, str | int], items: bool
) -> tuple[int, int, dict[int, int]]:
    """How the claim words around `ci` sit, in the passage, relative to the targets.

    `targets` maps passage positions to "good" (what the claim says), "bad" (something else), or
    the claim position of another value the claim also states there (a rival). Each neighbouring
    claim word votes with its best-aligned passage occurrence(s): good when a good target is
    nearest; bad when only bad ones are; for a rival when only that rival is, and the claim binds
    the word to ci rather than to the rival. Returns (good, bad, {rival: votes})."""
    n_good = n_bad = 0
    toward: dict[int, int] = {}
    own = c.stems[ci] if 0 <= ci < len(c.stems) else None
    for j in neighbours(c, ci, p, include_items=items):
        s = c.stems[j]
        if s == own or s not in p.positions:
            continue
        labels: set[str | int] = set()
        for pos in aligned(c, p, j):
            dists = {t: distance(p, pos, t) for t in targets}
            best = min(dists.values())
            labels |= {targets[t] for t, d in dists.items() if d == best}
        rivals = [r for r in labels if isinstance(r, int)]
        if "good" in labels:
            n_good += 1
        elif not rivals:
            n_bad += 1
        elif len(rivals) == 1 and distance(c, j, ci) < distance(c, j, rivals[0]):
            toward[rivals[0]] = toward.get(rivals[0], 0) + 1
    return n_good, n_bad, toward


def agrees(c: Doc, ci: int, p: Doc, targets: dict[int, str | int], items: bool) -> bool:
    """True unless the words around `ci` sit by bad targets more often than by good ones."""
    good, bad, _ = votes(c, ci, p, targets, items)
    return bad <= good


# --- who did what to whom --------------------------------------------------------------------


def _crosses(d: Doc, a: int, b: int) -> bool:
    """May a name at a bind to a word at b across their clause boundary? Only through a relative
    pronoun: in "Ma, who had succeeded Zhang" Ma is the one who succeeded."""
    lo, hi = min(a, b), max(a, b)
    gap = d.text[d.words[d.tok_word[lo]].end : d.words[d.tok_word[hi]].start]
    return bool(_RELATIVE.match(gap))


def _side(d: Doc, i: int, step: int, owner: dict[int, int]) -> frozenset[int]:
    """The nearest name (id) within _WINDOW content tokens of i on one side, inside i's clause."""
    j, seen = i + step, 0
    while 0 <= j < len(d.stems) and seen < _WINDOW:
        if d.tok_clause[j] != d.tok_clause[j - step] and not _crosses(d, j, j - step):
            break
        if j in owner:
            return frozenset({owner[j]})  # the nearest name is the one bound
        if not d.is_item[j]:
            seen += 1
        j += step
    return frozenset()


def _slots(d: Doc, i: int, owner: dict[int, int]) -> tuple[frozenset[int], frozenset[int]]:
    """(agent side, patient side) names of the word at i: left and right, unless the word is a
    passive verb ("was founded [by Y]"): then its subject is the patient, and the agent is
    what follows "by", when anything does."""
    left, right = _side(d, i, -1, owner), _side(d, i, 1, owner)
    wi = d.tok_word[i]
    nxt = d.words[wi + 1].low if wi + 1 < len(d.words) else ""
    if nxt == "by" and d.words[wi].low.endswith(("ed", "en")):
        return right, left  # "the move, overseen by Wu"
    if not {d.words[k].low for k in range(max(0, wi - 2), wi)} & _BE:
        return left, right
    after = d.words[wi + 1 : wi + 6]
    by = any(w.low == "by" for w in after)
    return (right if by else frozenset()), left


def check_roles(
    c: Doc, p: Doc, names: list[tuple[list[int], list[int]]], conflicts: list[str]
) -> None:
    """Names that trade places around the same word ("Ma succeeded Zhang" vs "Zhang succeeded
    Ma", "Florida led an expedition to Ribault" vs "Ribault led an expedition to Florida").

    `names`: (claim positions, passage positions) of every claim name the passage holds. A claim
    word between two names, found in the passage in the same form, votes against both when
    there the two stand on each other's sides (a passive read as its active), and for a name
    that stands on its own side. A name with more votes against than for is a conflict."""
    if len(names) < 2:
        return
    c_owner, p_owner = owners(names)
    against: dict[int, int] = {}
    for_: dict[int, int] = {}
    for i, s in enumerate(c.stems):
        if i in c_owner or c.is_item[i] or s not in p.positions:
            continue
        ca, cp = _slots(c, i, c_owner)
        if not ca or not cp or ca & cp:
            continue  # only a word between two names says who did what to whom
        good: set[int] = set()
        bad: set[int] = set()
        low = c.words[c.tok_word[i]].low
        for o in aligned(c, p, i):
            if o in p_owner or p.words[p.tok_word[o]].low != low:
                continue  # the same word form: "the IPO cancelation" has no agent
            pa, pp = _slots(p, o, p_owner)
            good |= (ca & pa) | (cp & pp)
            # Bad only when the names on both sides traded places: one name on another side,
            # or another name on one side, is as often a paraphrase ("X's", "with Y").
            if ca & pp and cp & pa:
                bad |= ca | cp
        for k in good:
            for_[k] = for_.get(k, 0) + 1
        for k in bad - good:
            against[k] = against.get(k, 0) + 1
    name = outvoted(c, names, against, for_)
    if name:
        conflicts.append(f"'{name}' has another role in the passage")


def owners(names: list[tuple[list[int], list[int]]]) -> tuple[dict[int, int], dict[int, int]]:
    """Which name (its index in `names`) each claim and each passage position belongs to."""
    c_owner = {j: k for k, (cpos, _) in enumerate(names) for j in cpos}
    p_owner = {j: k for k, (_, ppos) in enumerate(names) for j in ppos}
    return c_owner, p_owner


def outvoted(
    c: Doc, names: list[tuple[list[int], list[int]]], against: dict[int, int], for_: dict[int, int]
) -> str | None:
    """The claim's words of the first name that more of its role words put on the other side
    than on its own, or None."""
    for k, n in against.items():
        if n > for_.get(k, 0):
            cpos = names[k][0]
            w0, w1 = c.words[c.tok_word[cpos[0]]], c.words[c.tok_word[cpos[-1]]]
            return c.text[w0.start : w1.end]
    return None


# --- converse wording ("A precedes B" = "B follows A") -----------------------------------------


def _lr_pole(d: Doc, i: int, group: str, pole: str) -> str:
    """The pole read left to right: "A was preceded by B" (or "A, followed by B") says A comes
    after B (before B)."""
    wi = d.tok_word[i]
    nxt = d.words[wi + 1].low if wi + 1 < len(d.words) else ""
    be = {w.low for w in d.words[max(0, wi - 2) : wi]} & _BE
    if nxt == "by" and (be or d.words[wi].low.endswith(("ed", "en"))):
        return next(other for other in CONTRAST_GROUPS[group] if other != pole)
    return pole


def _arrangement(c: Doc, i: int, p: Doc, o: int) -> int:
    """+1 when the claim's words before and after i stand on the same sides of o in the passage,
    -1 when they stand on the other sides, 0 when the sides are mixed or unknown. A side the
    claim leaves empty ("It followed X") is decided by the other alone."""
    votes_by_side = []
    for words in (range(i - 1, -1, -1), range(i + 1, len(c.stems))):
        total = 0
        for j in words:
            if c.tok_clause[j] != c.tok_clause[i] or c.is_item[j]:
                continue
            occ = [
                q for q in p.positions.get(c.stems[j], ()) if p.tok_sentence[q] == p.tok_sentence[o]
            ]
            if occ and c.stems[j] != c.stems[i]:
                after = min(occ, key=lambda q: abs(q - o)) > o
                total += 1 if after == (j > i) else -1
        votes_by_side.append(total)
    signs = {(t > 0) - (t < 0) for t in votes_by_side} - {0}
    return signs.pop() if len(signs) == 1 else 0


def check_order(passage: str, c: Doc, p: Doc, conflicts: list[str]) -> None:
    """A converse word of the claim against the passage's: with the same things on the same
    sides the poles must agree ("X followed Y" vs "X antedates Y" conflicts); with the sides
    traded they must differ ("Y followed X" agrees with "X antedates Y")."""
    index = contrast_index(passage)
    for i in range(len(c.stems)):
        for group, pole in contrast_entries(c, i):
            if group not in ORIENTED or not index.get(group):
                continue
            mine = _lr_pole(c, i, group, pole)
            verdicts = set()
            for o, pl in index[group]:
                side = _arrangement(c, i, p, o)
                if not side:
                    continue  # not the same two things, or no telling their sides
                theirs = _lr_pole(p, o, group, pl)
                if side < 0:
                    theirs = next(x for x in CONTRAST_GROUPS[group] if x != theirs)
                verdicts.add(theirs == mine)
            if verdicts == {False}:
                w = c.words[c.tok_word[i]].raw
                conflicts.append(f"'{w}' says the order the other way round")
