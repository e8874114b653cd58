"""Hard requirements of the support scorer: what lexical overlap alone gets wrong.

Numbers, dates and codes of the claim must appear (and sit next to the words they belong to),
names must appear, negation must agree, and contrast words (rose/fell) must not meet their
opposite where the passage talks about the same thing; "before" an event must not be "after" it,
and "B, the assistant of A" must not be "A's assistant, B" in the passage.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from functools import lru_cache

from index.text import ORDINAL_TEENS, ORDINAL_TENS, ORDINAL_UNITS, TENS, Item
from rag.bindings import agrees, neighbours, votes
from rag.claims import Doc, canon, contrast_entries, contrast_index
from rag.counted_years import counted_on
from rag.lexicon import (
    ATTRIBUTION,
    HEARSAY,
    ORIENTED,
)
from rag.value_bindings import fronted, name_bound, phrased_value, unrivalled

_QUOTED = re.compile(r'\s*[,:]?\s*"([^"]+)"')
# "before the war" vs "after the war": which side of an event a thing happened on. The toolkit
# drops these words as stopwords, so the lexical score never sees them.
_WHEN = re.compile(
    r"\b(before|prior to|until|till|after|following|subsequent to|since)\s+"
    r"(?:the\s+|a\s+|an\s+|his\s+|her\s+|its\s+|their\s+)?([A-Za-z0-9][\w-]*)",
    re.IGNORECASE,
)
_BEFORE = frozenset("before prior until till".split())


def _is_century(it: Item) -> bool:
    return it.cls == "date" and [f for f, _ in it.value] == ["century"]


def _rivals(a: Item, b: Item) -> bool:
    """Could one value be mistaken for the other? Not a century for a year. (An ordinal for a
    count, measured on the SQuAD-derived pairs: keeping them rivals catches 17 more.)"""
    return _is_century(a) == _is_century(b)


def _item_match(a: Item, b: Item) -> bool:
    if a.cls != b.cls:
        # "In what century ...: 11th" is the passage's "the 11th century".
        num, date = (a, b) if a.cls == "num" else (b, a)
        return num.kind == "ord" and date.value == (("century", num.value),)
    if a.cls == "date":
        return set(a.value) <= set(b.value)  # "2024" is satisfied by "September 2024"
    if a.kind != b.kind or (a.currency and b.currency and a.currency != b.currency):
        return False
    if math.isclose(a.value, b.value, rel_tol=1e-9):
        return True
    # A hedged claim may round: "about $3 billion" is supported by "$2.8 billion".
    if a.qualifier == "approx":
        return round(b.value / a.scale, a.decimals) == round(a.value / a.scale, a.decimals)
    return False


_NOT_THAN = re.compile(r"\b(?:no|not)\s+(?:more|less|fewer|greater|higher|lower)\s+than\s*$")


def _spelled_ordinal(value: float) -> str:
    """20 -> "twentieth", 21 -> "twenty-first" (the toolkit parses ordinal words to twelfth)."""
    n = int(value)
    if n != value or not 13 <= n <= 99:
        return ""
    if n < 20:
        return ORDINAL_TEENS[n - 13]
    tens, unit = divmod(n, 10)
    return ORDINAL_TENS[tens - 2] if not unit else f"{TENS[tens - 2]}-{ORDINAL_UNITS[unit - 1]}"


def _spelled_out(it: Item, p: Doc) -> bool:
    word = _spelled_ordinal(it.value) if it.kind == "ord" else ""
    return bool(word) and re.search(rf"\b{word}\b", p.text, re.IGNORECASE) is not None


def _qualifier(d: Doc, it: Item) -> str:
    """The item's qualifier, turned round by a negation the toolkit does not read: "no more
    than 4 km" is at most 4 km."""
    if it.qualifier in ("more", "less") and _NOT_THAN.search(
        d.text[max(0, it.start - 30) : it.start]
    ):
        return "less" if it.qualifier == "more" else "more"
    return it.qualifier


def check_items(c: Doc, p: Doc, missing: list[str], conflicts: list[str]) -> None:
    phrased: dict[int, bool] = {}
    tally: dict[int, tuple[str, int, int, dict[int, int]]] = {}
    for idx, it in enumerate(c.items):
        cands = [j for j, q in enumerate(p.items) if _item_match(it, q)]
        if not cands and _spelled_out(it, p):
            continue  # "early 20th century" vs "early twentieth century"
        if not cands and counted_on(c, idx, p):
            continue  # "1600" for "in 1599 ... in the following year"
        if not cands:
            if it.cls == "date" and _date_fields_scattered(it, p):
                other = _date_conflict(it, p)
                if other:
                    conflicts.append(f"'{it.surface}' vs '{other}'")
                continue  # "September ... 2024" written apart in the passage
            missing.append(it.surface)
            continue
        mine = _qualifier(c, it)
        if mine in ("more", "less"):
            quals = {_qualifier(p, p.items[j]) for j in cands}
            opposite = "less" if mine == "more" else "more"
            if quals == {opposite}:
                conflicts.append(f"'{it.surface}' is qualified the other way ({opposite})")
                continue
        # A century and a year are not confused with each other: one is no rival of the other.
        same_class = [
            j for j, q in enumerate(p.items) if j in cands or (q.cls == it.cls and _rivals(q, it))
        ]
        if len({p.items[j].value for j in same_class}) < 2:
            continue  # only one candidate: nothing to confuse it with
        targets: dict[int, str | int] = {}
        for j in same_class:
            label: str | int = "good" if j in cands else "bad"
            if label == "bad":
                rivals = [
                    k for k, o in enumerate(c.items) if k != idx and _item_match(o, p.items[j])
                ]
                if rivals:
                    label = c.item_pos[rivals[0]]  # another value of the claim sits there
            pos = p.item_pos[j]
            if targets.get(pos) != "good":
                targets[pos] = label
        tally[c.item_pos[idx]] = (it.surface, *votes(c, c.item_pos[idx], p, targets, False))
        good = [p.item_pos[j] for j in cands]
        others = {pos: -1 if lab == "bad" else lab for pos, lab in targets.items() if lab != "good"}
        phrased[c.item_pos[idx]] = (
            name_bound(c, c.item_pos[idx], p, good, list(others))
            or phrased_value(c, idx, p, cands, same_class)
            or unrivalled(c, c.item_pos[idx], p, good, others)
            or fronted(c, c.item_pos[idx], p, good, others)
        )
    # Two values of the claim that traded places in the passage ("expires Dec. 19, hearing Dec.
    # 22" vs "expire Dec. 22, hearing Dec. 19"): each one's words sit by the other. One-sided,
    # it is a value moved to the end of the sentence ("In 2014, X did Y" -> "X did Y in 2014").
    for pos, (surface, good, bad, toward) in tally.items():
        swapped = sum(n for r, n in toward.items() if r in tally and pos in tally[r][3])
        if (bad > good or bad + swapped > good) and not phrased.get(pos):
            conflicts.append(f"'{surface}' belongs to something else in the passage")


def check_codes(c: Doc, p: Doc, missing: list[str]) -> None:
    """Digits outside numbers and dates ("Q3", "A380", "B2B") are codes: required verbatim."""
    for i, s in enumerate(c.stems):
        if c.is_item[i] or s in p.positions or not any(ch.isdigit() for ch in s):
            continue
        w = c.words[c.tok_word[i]]
        a, b = w.start, w.end
        while a > 0 and (c.text[a - 1].isalnum() or c.text[a - 1] == "-"):
            a -= 1
        while b < len(c.text) and (c.text[b].isalnum() or c.text[b] == "-"):
            b += 1
        missing.append(c.text[a:b])


def _date_fields_scattered(it: Item, p: Doc) -> bool:
    fields = {f for q in p.items if q.cls == "date" for f in q.value}
    return all(f in fields for f in it.value)


def _date_conflict(it: Item, p: Doc) -> str:
    """A passage date that shares a field with the claim's but gives another value for one of
    its fields ("July 9, 1756" vs "July 9, 1755"): the fields found elsewhere do not belong."""
    mine = dict(it.value)
    for q in p.items:
        theirs = dict(q.value) if q.cls == "date" else {}
        shared = [f for f in mine if f in theirs]
        if any(mine[f] == theirs[f] for f in shared) and any(mine[f] != theirs[f] for f in shared):
            return q.surface
    return ""


def _free_cue(d: Doc, k: int, other: Doc) -> bool:
    """Does k's clause hold a negation cue that negates k, nothing, or a word the other text
    lacks? Then the clause as a whole is denied, wherever the cue stands ("None of the attacks
    succeeded", "which supported neither", "face no competition" vs "not subject to
    competition"); a cue on a word both texts share is that word's own."""
    return any(
        clause == d.tok_clause[k] and (t < 0 or t == k or d.stems[t] not in other.positions)
        for clause, t in d.neg_cues
    )


def check_negation(c: Doc, p: Doc, conflicts: list[str]) -> None:
    """A claim word negated on one side only, where the passage talks about the same thing."""
    claim_stems = set(c.stems)
    for i, s in enumerate(c.stems):
        occ = p.positions.get(s)
        if not occ or c.is_item[i]:
            continue
        if not c.negated[i] and not any(p.negated[o] for o in occ):
            continue
        # The passage occurrence that shares the most claim words around it is the one meant;
        # ties go to the reading that agrees with the claim.
        best = max(
            occ,
            key=lambda o: (
                sum(
                    p.stems[j] in claim_stems and p.stems[j] != s
                    for j in range(max(0, o - 6), min(len(p.stems), o + 7))
                ),
                p.negated[o] == c.negated[i],
            ),
        )
        if _free_cue(c, i, p) and _free_cue(p, best, c):
            continue  # both clauses deny: "None of the attacks succeeded" / "None succeeded"
        if p.negated[best] != c.negated[i]:
            side = "claim" if c.negated[i] else "passage"
            conflicts.append(f"only the {side} negates '{c.words[c.tok_word[i]].raw}'")


def check_contrast(passage: str, c: Doc, p: Doc, conflicts: list[str]) -> None:
    """Opposite wording (rose/fell, monthly/daily) where the passage discusses the same thing."""
    index = contrast_index(passage)
    if not index:
        return
    for i in range(len(c.stems)):
        if c.is_item[i]:
            continue
        for group, pole in contrast_entries(c, i):
            if group in ORIENTED:
                continue  # rag.bindings.check_order
            found = index.get(group)
            if not found or all(pl == pole for _, pl in found):
                continue
            near = {
                p.tok_sentence[o]
                for j in neighbours(c, i, p, include_items=True)
                for o in p.positions.get(c.stems[j], ())
            }
            anchored = bool(near)
            if anchored:
                # Only an opposite in a sentence that holds the words around the claim's word
                # talks about the same thing ("private aircraft" vs "the public use airport"
                # two sentences on).
                found = [(pos, pl) for pos, pl in found if p.tok_sentence[pos] in near]
                if all(pl == pole for _, pl in found):
                    continue
            targets: dict[int, str] = {}
            for pos, pl in found:
                if targets.get(pos) != "good":
                    targets[pos] = "good" if pl == pole else "bad"
            if anchored:
                ok = agrees(c, i, p, dict(targets), items=True)
            else:
                ok = "good" in targets.values()
            if not ok:
                other = next(p.words[p.tok_word[pos]].raw for pos, pl in found if pl != pole)
                conflicts.append(f"'{c.words[c.tok_word[i]].raw}' vs '{other}'")


def check_hearsay(c: Doc, p: Doc, conflicts: list[str]) -> None:
    """A claim stated as fact that the passage only quotes as someone's assertion ("The post
    claimed, "RDW has committed to ..."), unless the claim attributes it too."""
    if any(s in HEARSAY or s in ATTRIBUTION for s in c.stems):
        return
    claim_words = {s for s, item in zip(c.stems, c.is_item, strict=True) if not item}
    for j, s in enumerate(p.stems):
        if s not in HEARSAY:
            continue
        w = p.words[p.tok_word[j]]
        m = _QUOTED.match(p.text, w.end)
        if not w.low.endswith("ed") or not m:
            continue  # only a verb that introduces a quotation ("claimed, "...")
        inside = {
            p.stems[k]
            for k, t in enumerate(p.tok_word)
            if m.start(1) <= p.words[t].start < m.end(1)
        }
        if claim_words and len(claim_words & inside) >= 0.8 * len(claim_words):
            conflicts.append(f"the passage only reports it: '{w.raw}'")
            return


def _sides_of(d: Doc) -> list[tuple[str, str, int]]:
    """(before|after, stem of the event, its content position) of every temporal preposition
    before a noun."""
    out = []
    starts = [w.start for w in d.words]
    for m in _WHEN.finditer(d.text):
        word = m.group(1).lower().split()[0]
        if word == "following" and re.search(
            r"\bthe\s+$", d.text[max(0, m.start() - 5) : m.start()]
        ):
            continue  # "the following year" is an adjective
        event = m.group(2).lower()
        if not event.isalpha() or event.endswith("ing"):
            continue  # a year is the items' business; "before coming to power" binds to a verb
        wi = bisect_left(starts, m.start(2))
        tok = next((k for k, w in enumerate(d.tok_word) if w >= wi), -1)
        if tok >= 0:
            out.append(("before" if word in _BEFORE else "after", canon(event), tok))
    return out


def check_when(c: Doc, p: Doc, conflicts: list[str]) -> None:
    """A claim that puts something before an event the passage puts it after, or the other
    way round ("before the merger" vs "subsequent to the merger"). Where the passage has the
    event on both sides, the one with the most claim words around it in its clause says which."""
    mine = _sides_of(c)
    if not mine:
        return
    theirs = _sides_of(p)
    words = set(c.stems)

    def overlap(o: int) -> int:
        near = range(max(0, o - 6), min(len(p.stems), o + 7))
        return len({p.stems[k] for k in near if p.tok_clause[k] == p.tok_clause[o]} & words)

    for pole, event, _ in mine:
        found = [(pl, o) for pl, ev, o in theirs if ev == event]
        if not found:
            continue
        best = max(overlap(o) for _, o in found)
        poles = {pl for pl, o in found if overlap(o) == best}
        if poles == {"after" if pole == "before" else "before"}:
            conflicts.append(f"'{pole} ... {event}' is the other way round in the passage")
            return


# --- whose N is who ------------------------------------------------------------------------------

_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:(?:de|la|le|von|van|del|da|of)\s+)?[A-Z][\w'’.-]*)*"
_MODS = r"((?:[a-z]+\s+){0,2}?)"
# "Ribault's former lieutenant Laudonniere" / "Ribault's lieutenant, Laudonniere": the second
# name is the first's lieutenant; "Laudonniere, the former lieutenant of Ribault" says the same.
_OWNER_FIRST = re.compile(rf"({_NAME})['’\u200b]s?\s*{_MODS}([a-z]+),?\s+({_NAME})")
_HOLDER_FIRST = re.compile(
    rf"({_NAME}),\s+(?:the|a|an|his|her|its|their)\s+{_MODS}([a-z]+)\s+of\s+(?:the\s+)?({_NAME})"
)


def _key(name: str) -> str:
    return canon(name.split()[-1].lower().strip("'’.\u200b"))


@lru_cache(maxsize=256)
def _relations(text: str) -> dict[tuple[str, str, str], str]:
    """(owner, relation noun, holder) -> the noun, of "A's N B" and "B, the N of A"."""
    out = {}
    for m in _OWNER_FIRST.finditer(text):
        out[(_key(m.group(1)), canon(m.group(3)), _key(m.group(4)))] = m.group(3)
    for m in _HOLDER_FIRST.finditer(text):
        out[(_key(m.group(4)), canon(m.group(3)), _key(m.group(1)))] = m.group(3)
    return {r: w for r, w in out.items() if r[0] != r[2]}


def check_relations(claim: str, passage: str, conflicts: list[str]) -> None:
    """ "B, the lieutenant of A" against "A's lieutenant B": who is whose is turned round. Read
    from the raw texts: the toolkit's normalising drops the possessive."""
    mine = _relations(claim)
    if not mine:
        return
    theirs = _relations(passage)
    for (owner, noun, holder), word in mine.items():
        if (holder, noun, owner) in theirs and (owner, noun, holder) not in theirs:
            conflicts.append(f"the passage has it the other way round: whose '{word}' is who")
            return
