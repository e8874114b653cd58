"""Transplant and role checks of the support scorer: a claim word moved into another's place.

A passage can hold every word of a claim and still not say it: "the museum opened as a free
gallery in May" against "the museum opened as a paid gallery in May ... free parking". The
claim follows one passage sentence word for word (at least _CONTEXT words around the place)
except for a stretch of one or two words that stands where the passage has others, and those
claim words are found only in other sentences of the passage: they were carried over from
there, not paraphrased. A name stands only for a name ("the city" may be the passage's way of
saying "Oslo"), and adverbs and participles are left to the lexical score: they are what a
paraphrase swaps most ("increasingly working" for "begin working").

The swap check is the same alignment for names found in the aligned sentence: where the claim
puts name X the passage puts Y, another name of the claim, and X stands elsewhere in that
sentence. A passive on one side only ("praised X" / "praised by X") is not a swap. The same
passive verb with a name as its subject on one side and its "by" agent on the other is the
one-sided form (whose-is-who turned round, "B, the assistant of A" against "A's assistant
B", is read from the raw texts in rag/requirements.py).
"""

from __future__ import annotations

from rag.bindings import outvoted, owners
from rag.claims import Doc
from rag.lexicon import FUNCTION_WORDS
from rag.names import _is_cap, _ordinary

_GAP = 2  # content tokens a substituted stretch may hold, on each side
_CONTEXT = 5  # claim words around the stretch that run on word for word in the passage
_RUN = 3  # claim words that must follow a substituted clause opener, in the passage's order


def _plain(d: Doc, i: int) -> bool:
    return not d.is_item[i] and d.words[d.tok_word[i]].low not in FUNCTION_WORDS


def _named(d: Doc, i: int) -> bool:
    """Token i is (part of) a name: capitalised, and not an ordinary word opening a sentence."""
    wi = d.tok_word[i]
    raw = d.words[wi].raw
    return _is_cap(raw) and not (d.sentence_start[wi] and _ordinary(raw))


def _carried(c: Doc, p: Doc, gap: range, sent: int, anchors: set[str]) -> str:
    """A word of the claim's stretch that the passage holds only outside sentence `sent`, and
    never next to the claim's anchor words (then it was moved there, not said there)."""
    here = [j for j in range(len(p.stems)) if p.tok_sentence[j] == sent]
    for i in gap:
        s = c.stems[i]
        occ = p.positions.get(s, ())
        if not _plain(c, i) or not occ or any(p.tok_sentence[o] == sent for o in occ):
            continue
        if any(_named(p, o) != _named(c, i) for o in occ):
            continue  # "group" is not the "Working Group" of the passage
        if any(_derived(s, p.stems[j]) for j in here):
            continue  # "contract" vs "contractual": the same word, derived
        near = any(
            p.stems[j] in anchors and p.tok_sentence[j] == p.tok_sentence[o]
            for o in occ
            for j in range(max(0, o - 2), min(len(p.stems), o + 3))
        )
        if not near:
            return c.words[c.tok_word[i]].raw
    return ""


def _derived(a: str, b: str) -> bool:
    """Derivations the stemmer keeps apart (as rag.claims.prefix_match, for two stems), and
    irregular forms that extend the stem ("show"/"shown")."""
    if min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)):
        return True
    if min(len(a), len(b)) < 5 or a[:5] != b[:5]:
        return False
    k = 5
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return k >= 0.8 * min(len(a), len(b))


def _manner(d: Doc, span: range) -> bool:
    """An adverb or a participle: the words a paraphrase most often swaps for others
    ("increasingly working" / "begin working", "was employed" / "was also used")."""
    return any(d.words[d.tok_word[k]].low.endswith(("ly", "ed")) for k in span)


def _substituted(c: Doc, p: Doc, cg: range, pg: range) -> bool:
    """The passage's stretch holds only words the claim lacks, of the same sort as the claim's
    (names for names: "the city" may be the passage's name for "Helsinki"), and neither is
    an adverb or a participle."""
    if not pg or any(p.stems[j] in c.positions or p.is_item[j] for j in pg):
        return False
    if _manner(c, cg) or _manner(p, pg):
        return False
    return {_named(c, i) for i in cg} == {_named(p, j) for j in pg}


def _context(c: Doc, p: Doc, a: int, b: int, pa: int, pb: int) -> int:
    """Claim words before a and from b on that run on word for word around pa..pb in the
    passage (one sentence); a < 0 when the stretch opens the claim's clause."""
    n = 0
    i, j = a, pa
    while i >= 0 and j >= 0 and c.stems[i] == p.stems[j]:
        if p.tok_sentence[j] != p.tok_sentence[pb]:
            break
        n, i, j = n + 1, i - 1, j - 1
    i, j = b, pb
    while i < len(c.stems) and j < len(p.stems) and c.stems[i] == p.stems[j]:
        if p.tok_sentence[j] != p.tok_sentence[pb]:
            break
        n, i, j = n + 1, i + 1, j + 1
    return n


def _opener(d: Doc, pb: int) -> range:
    """The content tokens of pb's clause before pb (a clause's opening stretch)."""
    pa = pb
    while pa > 0 and d.tok_clause[pa - 1] == d.tok_clause[pb]:
        pa -= 1
    return range(pa, pb)


def _pairs(c: Doc, p: Doc, a: int, b: int, gap: int = _GAP, opening: int = 1) -> list[range]:
    """Passage stretches (up to `gap` tokens; `opening` for a clause opener) that stand where
    the claim's stretch between a and b stands."""
    if a >= 0 and c.tok_clause[a] == c.tok_clause[b]:
        if c.stems[a] not in p.positions:
            return []
        return [
            range(pa + 1, pb)
            for pa in p.positions[c.stems[a]]
            for pb in p.positions[c.stems[b]]
            if 2 <= pb - pa <= gap + 1 and p.tok_clause[pa] == p.tok_clause[pb]
        ]
    # A clause opener: the claim words after it must run on in the passage, in order.
    if b + _RUN > len(c.stems) or c.tok_clause[b + _RUN - 1] != c.tok_clause[b]:
        return []
    out = []
    for pb in p.positions[c.stems[b]]:
        run = p.stems[pb : pb + _RUN]
        if run == c.stems[b : b + _RUN] and 1 <= len(_opener(p, pb)) <= opening:
            out.append(_opener(p, pb))
    return out


def check_transplant(c: Doc, p: Doc, conflicts: list[str]) -> None:
    """A claim stretch between two words the passage has side by side (with another stretch
    between), or a clause's opening stretch before a run of the passage's words in order,
    holds a word the passage uses only in other sentences: it is said of something else."""
    for a, b, cg, opener in _stretches(c, p, _GAP):
        if opener and len(cg) > 1:
            continue  # a subject of one word for one word: longer openers are paraphrased
        for pg in _pairs(c, p, a, b):
            if not _substituted(c, p, cg, pg) or not _in_context(c, p, a, b, pg, opener):
                continue
            anchors = {c.stems[b]} | (set() if opener else {c.stems[a]})
            word = _carried(c, p, cg, p.tok_sentence[pg[-1]], anchors)
            if word:
                conflicts.append(f"'{word}' is said of something else in the passage")
                return


def _stretches(c: Doc, p: Doc, gap: int):
    """(a, b, stretch, opener) for every claim stretch of up to `gap` tokens inside one clause
    that ends before a plain word b the passage holds: between word a and word b, or opening
    the clause (a is then the previous clause's last token, or -1)."""
    for b in range(1, len(c.stems)):
        if c.stems[b] not in p.positions or not _plain(c, b):
            continue
        for a in range(b - 2, max(-2, b - 2 - gap), -1):
            cg = range(a + 1, b)
            if any(c.tok_clause[k] != c.tok_clause[b] for k in cg):
                break
            opener = a < 0 or c.tok_clause[a] != c.tok_clause[b]
            yield a, b, cg, opener
            if opener:
                break


def _in_context(c: Doc, p: Doc, a: int, b: int, pg: range, opener: bool) -> bool:
    """Enough of the claim's words around the stretch stand in the same order around the
    passage's stretch pg."""
    pa = pg[0] - 1 if not opener else -1
    return _context(c, p, a if not opener else -1, b, pa, pg[-1] + 1) >= _CONTEXT


_NAME_GAP = 4  # tokens of a name that may trade places ("Maria Sklodowska-Curie")


def _names(d: Doc, span: range, other: Doc) -> set[str]:
    """Stems of the names in span; a word opening a sentence counts when the other text has
    it capitalised inside a sentence too ("Herons" is a plural, "Bolinopsis" a genus)."""
    out = set()
    for k in span:
        if d.is_item[k] or not _is_cap(d.words[d.tok_word[k]].raw):
            continue
        inside = any(
            not other.sentence_start[other.tok_word[o]] and _named(other, o)
            for o in other.positions.get(d.stems[k], ())
        )
        if inside or (_named(d, k) and not d.sentence_start[d.tok_word[k]]):
            out.add(d.stems[k])
    return out


def _by(d: Doc, span: range) -> bool:
    """The stretch follows "by" (an agent of a passive)."""
    wi = d.tok_word[span[0]]
    return wi > 0 and d.words[wi - 1].low == "by"


def check_swap(c: Doc, p: Doc, conflicts: list[str]) -> None:
    """Two names of the claim that traded places: where the claim puts name X, between words
    (or before a run of words) that the passage has in the same order, the passage puts
    another name Y of the claim, and X stands elsewhere in that passage sentence ("the
    northern route was mapped by Vance, the southern by Orr" vs "... by Orr, ... by Vance")."""
    n = len(c.stems)
    every = _names(c, range(n), p)
    if len(every) < 2:
        return  # it takes two names to trade places
    for a, b, cg, opener in _stretches(c, p, _NAME_GAP):
        mine = _names(c, cg, p)
        if not mine:
            continue
        for pg in _pairs(c, p, a, b, _NAME_GAP, _NAME_GAP):
            if not _in_context(c, p, a, b, pg, opener):
                continue
            if _by(c, cg) != _by(p, pg):
                continue  # "praised X" / "praised by X": the passive turns it round
            sent = p.tok_sentence[pg[-1]]
            theirs = _names(p, pg, c)
            other = (theirs & every) - mine
            moved = [
                s
                for s in mine - theirs
                if len(c.positions[s]) == 1
                and any(p.tok_sentence[o] == sent for o in p.positions.get(s, ()))
            ]
            if other and moved:
                y = c.words[c.tok_word[c.positions[sorted(other)[0]][0]]].raw
                x = c.words[c.tok_word[c.positions[moved[0]][0]]].raw
                conflicts.append(f"'{x}' and '{y}' have traded places in the passage")
                return


# --- one name, the other side of the same verb ----------------------------------------------

_BE = frozenset("is are was were be been being".split())


def _near(d: Doc, i: int, step: int, owner: dict[int, int], limit: int = 3) -> int | None:
    """The name (id) nearest i on one side within `limit` content tokens of its clause; an
    aside in brackets is stepped over ("Mayow (1641-1679) refined")."""
    j, seen = i + step, 0
    while 0 <= j < len(d.stems) and seen < limit:
        if _aside(d, j):
            j += step
            continue
        if d.tok_clause[j] != d.tok_clause[j - step] and not _bracket_edge(d, j, j - step):
            return None
        if j in owner:
            return owner[j]
        seen += 0 if d.is_item[j] else 1
        j += step
    return None


def _aside(d: Doc, j: int) -> bool:
    start = d.words[d.tok_word[j]].start
    return d.text.rfind("(", 0, start) > d.text.rfind(")", 0, start)


def _bracket_edge(d: Doc, a: int, b: int) -> bool:
    lo, hi = min(a, b), max(a, b)
    gap = d.text[d.words[d.tok_word[lo]].end : d.words[d.tok_word[hi]].start]
    return gap.strip() in (")", "(") or bool(gap.strip()) and set(gap.strip()) <= set("() ")


def _roles(d: Doc, i: int, owner: dict[int, int]) -> tuple[int | None, int | None]:
    """(agent, patient) name ids of a passive verb at i ("X was thrown ... by Y", "X, thrown
    by Y"): the subject on the left is the patient, the name right after "by" the agent."""
    wi = d.tok_word[i]
    low = d.words[wi].low
    before = {w.low for w in d.words[max(0, wi - 2) : wi]}
    after = d.words[wi + 1 : wi + 6]
    by = any(w.low == "by" for w in after)
    participle = low.endswith(("ed", "en", "wn"))  # irregular ones ("sold") need a "by"
    passive = (
        bool(before & _BE)
        and (participle or by)
        or (participle and bool(after) and after[0].low == "by")
    )
    if not passive:
        return None, None  # left and right of an active verb are too loose a reading
    agent = None
    for w in after:
        if w.low == "by":
            start = w.end
            for j in range(i + 1, len(d.stems)):
                if d.words[d.tok_word[j]].start < start:
                    continue
                agent = owner.get(j) if j - i <= 6 else None
                break
            break
    return agent, _near(d, i, -1, owner)


def check_sides(
    c: Doc, p: Doc, names: list[tuple[list[int], list[int]]], conflicts: list[str]
) -> None:
    """A name that does a thing in the claim and has it done to it in the passage, or the
    other way round, with the same verb ("Vance was thrown from the cart" vs "the cart, which
    was thrown over by Vance"): the one-sided form of the swap of two names."""
    if not names:
        return
    c_owner, p_owner = owners(names)
    good: dict[int, int] = {}
    bad: dict[int, int] = {}
    for i, s in enumerate(c.stems):
        if i in c_owner or c.is_item[i] or s not in p.positions or not _plain(c, i):
            continue
        ca, cp = _roles(c, i, c_owner)
        if ca is None and cp is None or ca == cp:
            continue
        low = c.words[c.tok_word[i]].low
        for o in p.positions[s]:
            if o in p_owner or p.words[p.tok_word[o]].low != low:
                continue
            pa, pp = _roles(p, o, p_owner)
            for mine, same, other in ((ca, pa, pp), (cp, pp, pa)):
                if mine is None:
                    continue
                if mine == same:
                    good[mine] = good.get(mine, 0) + 1
                elif mine == other:
                    bad[mine] = bad.get(mine, 0) + 1
    name = outvoted(c, names, bad, good)
    if name:
        conflicts.append(f"'{name}' is on the other side in the passage")


# --- two qualifiers of one noun traded ---------------------------------------------------------


def _qualified(d: Doc, head: str) -> dict[str, list[int]]:
    """Qualifier stem -> content positions of "X head" pairs (plain lowercase words side by
    side)."""
    out: dict[str, list[int]] = {}
    for j in d.positions.get(head, ()):
        if j > 0 and d.tok_clause[j - 1] == d.tok_clause[j] and _plain(d, j - 1):
            if d.tok_word[j] - d.tok_word[j - 1] > 1:
                continue  # "types of rock": not a qualifier of the noun
            if not _is_cap(d.words[d.tok_word[j - 1]].raw):
                out.setdefault(d.stems[j - 1], []).append(j - 1)
    return out


def check_qualifiers(c: Doc, p: Doc, conflicts: list[str]) -> None:
    """Two qualifiers of the same noun, in two clauses of the claim, that traded what they are
    said of ("aerial maps found the wells, and ground maps missed them" vs "ground maps found
    the wells; aerial maps missed them"): the claim's words around one qualified noun sit, in
    the passage, only in the sentences of the other."""
    for head in {c.stems[j] for j in range(1, len(c.stems)) if _plain(c, j)}:
        mine = _qualified(c, head)
        theirs = _qualified(p, head)
        both = [q for q in mine if q in theirs]
        if len(both) != 2 or _is_cap(c.words[c.tok_word[c.positions[head][0]]].raw):
            continue
        clauses = [{c.tok_clause[j] for j in mine[q]} for q in both]
        if clauses[0] & clauses[1]:
            continue  # one clause naming both ("panel and survey data") says nothing of sides
        for q, own in zip(both, clauses, strict=True):
            skip = {head} | set(mine) | {c.stems[j - 1] for j in mine[q] if j > 0}
            anchors = {
                c.stems[k]
                for k in range(len(c.stems))
                if c.tok_clause[k] in own and c.stems[k] not in skip and _plain(c, k)
            }
            here = {p.tok_sentence[j] for j in theirs[q]}
            there = {p.tok_sentence[j] for r in both if r != q for j in theirs[r]} - here
            sents = {s: {p.tok_sentence[o] for o in p.positions.get(s, ())} for s in anchors}
            if any(sents[s] & there for s in anchors) and not any(sents[s] & here for s in anchors):
                raw = c.words[c.tok_word[mine[q][0]]].raw
                conflicts.append(f"'{raw}' qualifies something else in the passage")
                return
