"""Value bindings of the support scorer: is a claim's number or date the passage's value for
the same thing? The votes of the words around a value (rag.bindings.votes) are overruled when
the claim repeats a phrase touching the value in the passage (`phrased_value`), when the claim's
own words sit next to it and next to no rival (`unrivalled`: a value moved within the
sentence), or when a name sits next to it on both sides (`name_bound`: a list of values, each
with its own name).
"""

from __future__ import annotations

from rag.bindings import neighbours
from rag.claims import Doc

_NEXT_TO = 2  # content tokens between a word and the value it sits next to


def _in_parens(d: Doc, j: int) -> bool:
    start = d.words[d.tok_word[j]].start
    return d.text.rfind("(", 0, start) > d.text.rfind(")", 0, start)


def _run(c: Doc, ci: int, p: Doc, pi: int, step: int) -> int:
    """How many plain words run the same from value ci of the claim and value pi of the passage
    in direction step (the values' own tokens, and numbers between, skipped)."""
    n, i, j = 0, ci, pi
    while True:
        i, j = i + step, j + step
        while 0 <= i < len(c.stems) and c.is_item[i] and c.item_pos.count(i) == 0:
            i += step
        while 0 <= j < len(p.stems) and (p.is_item[j] or _in_parens(p, j)):
            j += step  # "25 miles (40 km) south": a conversion in brackets is an aside
        if not (0 <= i < len(c.stems) and 0 <= j < len(p.stems)) or c.is_item[i]:
            return n
        if c.stems[i] != p.stems[j] or p.tok_sentence[j] != p.tok_sentence[pi]:
            return n
        n += 1


def phrased_value(c: Doc, idx: int, p: Doc, cands: list[int], same_class: list[int]) -> bool:
    """The claim repeats a phrase of 2+ words that touches the value in the passage ("32% of
    secondary enrollment" in "7.5% of primary enrollment, 32% of secondary enrollment"), longer
    than any phrase it shares with another value: the value is bound, whatever words farther
    off (the subject of the whole list) say."""
    ci = c.item_pos[idx]
    c_end = ci
    while c_end + 1 < len(c.stems) and c.is_item[c_end + 1] and (c_end + 1) not in c.item_pos:
        c_end += 1

    def phrase(j: int) -> int:
        pi = p.item_pos[j]
        p_end = pi
        while p_end + 1 < len(p.stems) and p.is_item[p_end + 1]:
            p_end += 1
        end = c_end
        # A range ("ten to fifteen lead authors"): the same next value on both sides belongs to
        # the phrase, and the words after it bind the pair.
        while (
            end + 1 < len(c.stems)
            and (end + 1) in c.item_pos
            and c.stems[end + 1] in p.stems[pi + 1 : p_end + 1]
        ):
            end += 1
        return _run(c, ci, p, pi, -1), _run(c, end, p, p_end, 1)

    goods = [phrase(j) for j in cands]
    bads = [phrase(j) for j in same_class if j not in cands]

    def bound(side) -> bool:  # noqa: ANN001 - a function of (before, after) runs
        good = max((side(r) for r in goods), default=0)
        return good >= 2 and good > max((side(r) for r in bads), default=0)

    # Both sides together, or one side alone: in a list ("has two coordinating lead authors,
    # ten to fifteen lead authors") the words before belong to the first value only.
    return bound(sum) or bound(lambda r: r[0]) or bound(lambda r: r[1])


def _span(d: Doc, pos: int) -> tuple[int, int]:
    """First and last content position of the value starting at pos ("May 2013" is two)."""
    end = pos
    while end + 1 < len(d.stems) and d.is_item[end + 1] and (end + 1) not in d.item_pos:
        end += 1
    return pos, end


def _gap(d: Doc, o: int, span: tuple[int, int]) -> int:
    """Content tokens between o and a value's span; past the clause, too far to bind."""
    if d.tok_clause[o] != d.tok_clause[span[0]] and d.tok_clause[o] != d.tok_clause[span[1]]:
        return 99
    return max(0, span[0] - o, o - span[1])


def name_bound(c: Doc, ci: int, p: Doc, good: list[int], bad: list[int]) -> bool:
    """A name sits next to the value on both sides, and next to no other value of its class in
    the passage: "a coup in Egypt in 1974" against "failed such coups in 1968 and 1969 in
    Jordan, and in 1974 in Egypt". The words farther off (the list's head, "coups") sit by the
    first value of the list; the name binds to its own.

    Not the converse (a claim name next to another value in the passage is a swap): on the
    SQuAD-derived pairs it caught 13 more unsupported claims and lost 24 supported ones, since
    a passage's main names ("Warsaw") sit next to many of its values."""
    span = _span(c, ci)
    names = {
        c.stems[j]
        for j in range(len(c.stems))
        if not c.is_item[j]
        and c.words[c.tok_word[j]].raw[:1].isupper()
        and not c.sentence_start[c.tok_word[j]]
        and _gap(c, j, span) <= _NEXT_TO
        and c.stems[j] in p.positions
    }

    def next_to(stem: str, pos: int) -> bool:
        sent, value = p.tok_sentence[pos], _span(p, pos)
        return any(
            p.tok_sentence[o] == sent and _gap(p, o, value) <= _NEXT_TO for o in p.positions[stem]
        )

    return any(
        any(next_to(s, g) for g in good) and not any(next_to(s, b) for b in bad) for s in names
    )


def _anchors(c: Doc, ci: int, p: Doc) -> set[str]:
    """Stems of the claim words of ci's clause, in the passage, that bind to value ci: a word
    binds to the claim value nearest it ("began with three layers and in 1982 evolved":
    'evolved' is 1982's)."""
    out = set()
    for j in neighbours(c, ci, p, include_items=False):
        if c.tok_clause[j] != c.tok_clause[ci] or c.stems[j] == c.stems[ci]:
            continue
        if min(abs(j - k) for k in c.item_pos) == abs(j - ci) and c.stems[j] in p.positions:
            out.add(c.stems[j])
    return out


def _next_to(p: Doc, stems: set[str], span: tuple[int, int], sent: int) -> set[str]:
    return {
        s
        for s in stems
        if any(p.tok_sentence[o] == sent and _gap(p, o, span) <= _NEXT_TO for o in p.positions[s])
    }


def unrivalled(c: Doc, ci: int, p: Doc, good: list[int], bad: dict[int, int]) -> bool:
    """The claim's value has a word of its own next to it in the passage, and none of its words
    sits next to a different value of the same class there: a paraphrase moved the value
    ("Around 1800 X introduced ..." -> "X introduced ... around 1800"), it did not swap it.

    `bad` maps the passage positions of the other values of the class to -1, or to the claim
    position of the claim's own value found there; such a value stands against ci only when
    the two traded places (a word of each sits next to the other in the passage). A word next
    to another value ("expires on Dec. 22") is what a swapped value leaves behind: it conflicts."""
    mine = _anchors(c, ci, p)
    if not mine:
        return False
    for g in good:
        sent = p.tok_sentence[g]
        near_good = _next_to(p, mine, _span(p, g), sent)
        if not near_good:
            continue
        near_bad: set[str] = set()
        for b, cr in bad.items():
            if p.tok_sentence[b] != sent:
                continue
            if cr >= 0 and not _next_to(p, _anchors(c, cr, p), _span(p, g), sent):
                continue  # the claim's own other value, not traded with this one
            near_bad |= _next_to(p, mine, _span(p, b), sent)
        if not near_bad - near_good:
            return True
    return False


def fronted(c: Doc, ci: int, p: Doc, good: list[int], bad: dict[int, int]) -> bool:
    """The passage opens a sentence with the value and its subject ("Around 1800 Richard
    Trevithick and, separately, Oliver Evans in 1801 introduced engines"); the claim names that
    subject first and moves the value to its end ("Richard Trevithick introduced a
    high-pressure steam engine around 1800"). The words by the value in the claim ("engine")
    sit by the passage's other values too; the subject binds it. Not when the claim's subject
    sits next to another value of the class ("Oliver Evans ... around 1800": 1801 is his)."""
    subject: set[str] = set()
    for j in range(len(c.stems)):
        if c.is_item[j] or not c.words[c.tok_word[j]].raw[:1].isupper():
            break
        subject.add(c.stems[j])
    if not subject or not all(s in p.positions for s in subject) or ci - len(subject) < 1:
        return False
    for g in good:
        if g > 0 and p.tok_sentence[g - 1] == p.tok_sentence[g]:
            continue  # the value does not open its sentence
        span = _span(p, g)
        after = range(span[1] + 1, min(span[1] + 1 + _NEXT_TO, len(p.stems)))
        if not any(p.stems[o] in subject and p.tok_sentence[o] == p.tok_sentence[g] for o in after):
            continue
        rivals = (_next_to(p, subject, _span(p, b), p.tok_sentence[b]) for b in bad)
        if not any(rivals) and all(_in_clause(p, g, s) for s in _anchors(c, ci, p)):
            return True
    return False


def _in_clause(p: Doc, g: int, stem: str) -> bool:
    """The word occurs after position g in its sentence, before a semicolon: in the clause the
    fronted value opens ("Around 1800 X ... introduced engines; X obtained a patent in 1802")."""
    start = p.words[p.tok_word[g]].start
    for o in p.positions[stem]:
        if o > g and p.tok_sentence[o] == p.tok_sentence[g]:
            if ";" not in p.text[start : p.words[p.tok_word[o]].start]:
                return True
    return False
