"""Hard requirements of the support scorer: what lexical overlap alone gets wrong.

Numbers, dates and codes of the claim must appear (and sit next to the words they belong to),
names must appear, negation must agree, and contrast words (rose/fell) must not meet their
opposite where the passage talks about the same thing.
"""

from __future__ import annotations

import math
import re

from index.text import MONTHS, STOPWORDS, Item
from rag.claims import Doc, canon, contrast_entries, contrast_index
from rag.lexicon import GENERIC_NAME_WORDS, NEGATIONS


def _item_match(a: Item, b: Item) -> bool:
    if a.cls != b.cls:
        return False
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


def _neighbours(doc: Doc, i: int, include_items: bool, k: int = 4) -> list[str]:
    """Up to k content stems on each side of position i (the words a number or verb binds to)."""
    out: list[str] = []
    for step in (-1, 1):
        j, found = i + step, 0
        while 0 <= j < len(doc.stems) and found < k:
            if include_items or not doc.is_item[j]:
                out.append(doc.stems[j])
                found += 1
            j += step
    return list(dict.fromkeys(out))


def _distance(p: Doc, a: int, b: int) -> int:
    """Token distance, with crossing a clause or a sentence costing extra."""
    d = abs(a - b)
    if p.tok_sentence[a] != p.tok_sentence[b]:
        d += 20
    elif p.tok_clause[a] != p.tok_clause[b]:
        d += 8
    return d


def _aligned(c: Doc, p: Doc, stem: str) -> list[int]:
    """The passage occurrences of `stem` surrounded by the most claim words (ties kept)."""
    occ = p.positions[stem]
    if len(occ) == 1:
        return occ
    claim_words = {t for t, item in zip(c.stems, c.is_item, strict=True) if not item} - {stem}

    def overlap(o: int) -> int:
        sent = p.tok_sentence[o]
        window = range(max(0, o - 5), min(len(p.stems), o + 6))
        return len({p.stems[j] for j in window if p.tok_sentence[j] == sent} & claim_words)

    scores = [overlap(o) for o in occ]
    best = max(scores)
    return [o for o, sc in zip(occ, scores, strict=True) if sc == best]


def _votes(c: Doc, ci: int, p: Doc, targets: dict[int, str], items: bool) -> bool:
    """Do the claim words around `ci` sit closest, in the passage, to a "good" target?

    `targets` maps passage positions to "good" (what the claim says), "neutral" (something else
    the claim also says) or "bad". Each neighbouring claim word votes with its best-aligned
    passage occurrence(s): good when a good target is nearest, bad when only bad ones are.
    True unless bad votes outnumber good ones.
    """
    n_good = n_bad = 0
    own = c.stems[ci] if 0 <= ci < len(c.stems) else None
    for s in _neighbours(c, ci, include_items=items):
        if s == own or s not in p.positions:
            continue
        labels: set[str] = set()
        for pos in _aligned(c, p, s):
            dists = {t: _distance(p, pos, t) for t in targets}
            best = min(dists.values())
            labels |= {targets[t] for t, d in dists.items() if d == best}
        if "good" in labels:
            n_good += 1
        elif "neutral" not in labels:
            n_bad += 1
    return n_bad <= n_good


def check_items(c: Doc, p: Doc, missing: list[str], conflicts: list[str]) -> None:
    for idx, it in enumerate(c.items):
        cands = [j for j, q in enumerate(p.items) if _item_match(it, q)]
        if not cands:
            if it.cls == "date" and _date_fields_scattered(it, p):
                continue  # "September ... 2024" written apart in the passage
            missing.append(it.surface)
            continue
        if it.qualifier in ("more", "less"):
            quals = {p.items[j].qualifier for j in cands}
            opposite = "less" if it.qualifier == "more" else "more"
            if quals == {opposite}:
                conflicts.append(f"'{it.surface}' is qualified the other way ({opposite})")
                continue
        same_class = [j for j, q in enumerate(p.items) if q.cls == it.cls]
        if len({p.items[j].value for j in same_class}) < 2:
            continue  # only one candidate: nothing to confuse it with
        targets: dict[int, str] = {}
        for j in same_class:
            if j in cands:
                label = "good"
            elif any(_item_match(other, p.items[j]) for other in c.items):
                label = "neutral"
            else:
                label = "bad"
            pos = p.item_pos[j]
            if targets.get(pos) != "good":
                targets[pos] = label
        if not _votes(c, c.item_pos[idx], p, targets, items=False):
            conflicts.append(f"'{it.surface}' belongs to something else in the passage")


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


def _is_cap(raw: str) -> bool:
    return raw[:1].isupper() or any(ch.isupper() for ch in raw[1:])


_OPENERS = frozenset(
    "overall however meanwhile additionally furthermore moreover instead today yesterday "
    "tomorrow currently recently finally initially ultimately yes according following despite "
    "although unlike like besides notably please".split()
)


def _ordinary(raw: str) -> bool:
    """A sentence-initial word that is probably not a name (plural, adverb, opener)."""
    low = raw.lower()
    if not raw[1:].islower():
        return False  # "OpenAI", "RDW"
    return low in _OPENERS or low.endswith("ly") or (low.endswith("s") and not low.endswith("ss"))


def _entities(c: Doc) -> list[tuple[list[int], bool]]:
    """Runs of capitalised words (word indices) and whether each is a required name.

    Any capitalised word inside a sentence is a name the passage must contain. A single
    capitalised word opening a sentence is usually the subject and usually a name too ("Tencent
    bought ..."), so it is required as well, unless it looks like an ordinary word: a plural
    ("Shares rose"), an adverb ("Recently") or a common opener ("Overall").
    """
    item_spans = [(it.start, it.end) for it in c.items]
    runs: list[tuple[list[int], bool]] = []
    cur: list[int] = []

    def close() -> None:
        if cur:
            first = c.words[cur[0]]
            required = len(cur) > 1 or not c.sentence_start[cur[0]] or not _ordinary(first.raw)
            runs.append((list(cur), required))
        cur.clear()

    for wi, w in enumerate(c.words):
        in_item = any(a <= w.start < b for a, b in item_spans)
        if cur and c.text[c.words[wi - 1].end : w.start].strip():
            close()  # punctuation between two capitalised words separates two names
        if w.kind != "word" or in_item or w.raw == "I":
            close()
            continue
        if _is_cap(w.raw) and not (c.sentence_start[wi] and w.low in STOPWORDS):
            if w.low in NEGATIONS:
                close()
                continue
            cur.append(wi)
        else:
            close()
    close()
    return runs


def _entity_found(c: Doc, run: list[int], p: Doc) -> str:
    """ "all" when the name is in the passage, "some" when only its surname is, else ""."""
    words = [c.words[wi] for wi in run]
    while len(words) > 1 and words[0].low in GENERIC_NAME_WORDS:
        words = words[1:]
    while len(words) > 1 and words[-1].low in GENERIC_NAME_WORDS:
        words = words[:-1]
    stems = [canon(w.low) for w in words]
    if " " + " ".join(stems) + " " in p.word_stems:
        return "all"
    letters = "".join(w.low[0] for w in words)
    if len(words) > 1 and letters in p.acronyms:
        return "all"  # "Chief Executive Officer" vs "CEO"
    if len(words) == 1 and words[0].raw.isupper() and len(words[0].raw) > 1:
        acronym = re.sub(r"[^a-z]", "", words[0].low)
        if _expansion_at(acronym, p) >= 0:
            return "all"  # "AI" vs "artificial intelligence"
    # A person named in full in the claim, by surname in the passage ("Eddie Wu" vs "Wu"),
    # unless the passage gives that surname a different first name ("Jack Ma" vs "Pony Ma").
    if 2 <= len(words) <= 3 and all(w.raw.istitle() and w.raw.isalpha() for w in words):
        return "some" if _surname_only(stems, p) else ""
    return ""


def _expansion_at(acronym: str, p: Doc) -> int:
    """Content position where consecutive passage words spell `acronym`, or -1."""
    if len(acronym) < 2:
        return -1
    start = p.initials.find(acronym)
    while start >= 0:
        span = p.stems[start : start + len(acronym)]
        # Two-letter acronyms match by chance too easily: demand long words.
        if len(acronym) > 2 or all(len(s) >= 6 for s in span):
            return start
        start = p.initials.find(acronym, start + 1)
    return -1


_NOT_FIRST_NAMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday president ceo chairman judge "
    "mr mrs ms dr".split()
)


def _surname_only(stems: list[str], p: Doc) -> bool:
    last = stems[-1]
    bare = False
    for k, pw in enumerate(p.words):
        if pw.kind != "word" or not pw.raw[:1].isupper() or canon(pw.low) != last:
            continue
        prev = p.words[k - 1] if k > 0 else None
        if prev is None or p.sentence_start[k] or not _is_cap(prev.raw) or prev.kind != "word":
            bare = True
        elif canon(prev.low) in stems:
            bare = True
        elif prev.low in STOPWORDS or prev.low in MONTHS or prev.low in _NOT_FIRST_NAMES:
            bare = True
        else:
            return False  # the passage names someone else with this surname
    return bare


def check_entities(
    c: Doc, p: Doc, matched: list[bool], weight: list[float], missing: list[str]
) -> None:
    word_tokens: dict[int, list[int]] = {}
    for i, wi in enumerate(c.tok_word):
        word_tokens.setdefault(wi, []).append(i)
    for run, required in _entities(c):
        toks = [i for wi in run for i in word_tokens.get(wi, ())]
        for i in toks:
            weight[i] = 2.0  # names carry more of a claim than ordinary words
        if not required:
            continue
        found = _entity_found(c, run, p)
        if found == "all":
            for i in toks:
                matched[i] = True
        elif not found:
            missing.append(c.text[c.words[run[0]].start : c.words[run[-1]].end])


def prefix_match(s: str, p: Doc) -> bool:
    """Derivations the stemmer keeps apart ("acquir"/"acquisit", "invest"/"investor")."""
    if len(s) < 5 or not s.isalpha():
        return False
    head = s[:5]
    for t in p.positions:
        if t[:5] != head:
            continue
        k = 5
        while k < len(s) and k < len(t) and s[k] == t[k]:
            k += 1
        if k >= 0.8 * min(len(s), len(t)):
            return True
    return False


def match_acronyms(c: Doc, p: Doc, matched: list[bool]) -> None:
    """Claim words that spell a passage acronym ("research and development" vs "R&D")."""
    for acronym in p.acronyms:
        if len(acronym) < 2:
            continue
        start = c.initials.find(acronym)
        while start >= 0:
            span = range(start, start + len(acronym))
            if not any(c.is_item[i] for i in span):
                for i in span:
                    matched[i] = True
            start = c.initials.find(acronym, start + 1)


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
            found = index.get(group)
            if not found or all(pl == pole for _, pl in found):
                continue
            targets: dict[int, str] = {}
            for pos, pl in found:
                if targets.get(pos) != "good":
                    targets[pos] = "good" if pl == pole else "bad"
            anchored = any(s in p.positions for s in _neighbours(c, i, include_items=True))
            if anchored:
                ok = _votes(c, i, p, targets, items=True)
            else:
                ok = "good" in targets.values()
            if not ok:
                other = next(p.words[p.tok_word[pos]].raw for pos, pl in found if pl != pole)
                conflicts.append(f"'{c.words[c.tok_word[i]].raw}' vs '{other}'")
