"""Analysis of one text for the support scorer: words, stems, clauses, negation scope, items.

The analysis of a passage is cached because the same chunk is scored against many answer
sentences. Tokens, stems, stopwords and number/date parsing come from the text toolkit.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from index.text import (
    ABBREVIATIONS,
    STOPWORDS,
    TOKEN_RE,
    Item,
    cjk_grams,
    fold_diacritics,
    normalize,
    parse_items,
    stem,
)
from rag.lexicon import (
    AGAINST_VERBS,
    CONTRAST_GROUPS,
    CONTRAST_SURFACE,
    NEGATIONS,
    SYNONYMS,
    TITLES,
)

_BOUNDARY_RE = re.compile(r"[;:()\[\]!?\n]|,\s|\s[-–—]+\s|[–—]|\.(?=\s|$)")


@lru_cache(maxsize=65536)
def canon(low: str) -> str:
    """Lowercase word -> canonical stem: without diacritics ("Wesoła" meets "Wesola"), the
    toolkit's stem, then a small synonym table."""
    s = stem(fold_diacritics(low))
    return SYNONYMS.get(s, s)


# --- analysis of one text --------------------------------------------------------------------


class _Word(NamedTuple):
    raw: str
    low: str
    start: int
    end: int
    kind: str  # "word", "num" or "cjk"


@dataclass
class Doc:
    text: str
    words: list[_Word]
    stems: list[str]  # canonical stem of every content token
    tok_word: list[int]  # index into words of every content token
    tok_clause: list[int]
    tok_sentence: list[int]
    is_item: list[bool]  # content token belongs to a number / date
    negated: list[bool]  # content token is in the scope of a negation
    items: list[Item]
    item_pos: list[int]  # content position of every item
    positions: dict[str, list[int]] = field(default_factory=dict)
    word_stems: str = ""  # " stem stem ... " of all words (stopwords too), for phrase search
    word_stem: list[str] = field(default_factory=list)  # the same, a list (one per word)
    word_sentence: list[int] = field(default_factory=list)  # sentence number of every word
    acronyms: set[str] = field(default_factory=set)
    initials: str = ""  # first letter of every content token (acronym expansion search)
    bigrams: set[tuple[str, str]] = field(default_factory=set)
    sentence_start: list[bool] = field(default_factory=list)  # per word
    # (clause, content position of the word it negates or -1) of every negation cue
    neg_cues: list[tuple[int, int]] = field(default_factory=list)


def _boundaries(text: str) -> tuple[list[int], list[int]]:
    """Char offsets of clause boundaries and of sentence ends."""
    clauses: list[int] = []
    sentences: list[int] = []
    for m in _BOUNDARY_RE.finditer(text):
        ch = m.group()
        if ch == ".":
            prev = re.search(r"(\w+)\W*$", text[max(0, m.start() - 12) : m.start() + 1])
            word = prev.group(1).lower() if prev else ""
            if word in ABBREVIATIONS or len(word) == 1:
                continue
        clauses.append(m.start())
        if ch in ".!?\n" or ch == ":":
            sentences.append(m.start())
    return clauses, sentences


# A few hundred analysed texts cover the chunks of several questions (~150 kB per 300 words).
# A possessive ends a name: "Alibaba's R&D hub" holds the names Alibaba and R&D, not one name
# "Alibaba R&D". The toolkit's normalize drops the "'s"; a zero-width space left in its place
# separates the two words without being a token or a clause boundary.
_NAME_POSSESSIVE = re.compile(r"(?<=[A-Za-z0-9])['’]s?(?=\s+[A-Z])")
SEP = "\u200b"
_FAR_FROM = re.compile(r"\s+\w+ing\b")
# A passive "get" ("doesn't get called", "did not get elected") passes a negation on to its
# participle: what is denied is the calling, not a getting.
_PASSIVE_GET = re.compile(r"\s+[a-z]+(?:ed|en)\b")
_GET = frozenset({"get", "gets", "got", "gotten", "getting"})


@lru_cache(maxsize=256)
def analyze(raw_text: str) -> Doc:
    text = normalize(_NAME_POSSESSIVE.sub(SEP, raw_text))
    clause_ends, sentence_ends = _boundaries(text)
    items = parse_items(text)
    spans = [(it.start, it.end) for it in items]
    span_starts = [s for s, _ in spans]

    words: list[_Word] = []
    sentence_start: list[bool] = []
    word_sentence: list[int] = []
    stems: list[str] = []
    tok_word: list[int] = []
    tok_clause: list[int] = []
    tok_sentence: list[int] = []
    is_item: list[bool] = []
    negated: list[bool] = []
    all_stems: list[str] = []
    acronyms: set[str] = set()
    neg_cues: list[tuple[int, int]] = []
    neg_until = -1  # content tokens up to this word index are negated
    neg_left = 0
    neg_clause = -1
    prev_sentence = -1
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup or "word"
        raw = m.group()
        w = _Word(raw, raw.lower(), m.start(), m.end(), kind)
        wi = len(words)
        words.append(w)
        sent = bisect_left(sentence_ends, w.start)
        sentence_start.append(sent != prev_sentence)
        word_sentence.append(sent)
        prev_sentence = sent
        clause = bisect_left(clause_ends, w.start)
        k = bisect_right(span_starts, w.start) - 1
        in_item = k >= 0 and spans[k][0] <= w.start < spans[k][1]
        if kind == "cjk":
            grams = cjk_grams(raw)
            all_stems.append(raw)
        elif kind == "num":
            grams = [raw.replace(",", "").lower()]
            all_stems.append(grams[0])
        else:
            low = w.low
            all_stems.append(canon(low))
            if len(raw) > 1 and (raw.isupper() or "&" in raw):
                acronyms.add(re.sub(r"[^a-z]", "", low))
            is_cue = (
                low in NEGATIONS
                or (low == "against" and len(all_stems) > 1 and all_stems[-2] in AGAINST_VERBS)
                # "far from overstating them": a denial; "far from the city" is a distance.
                or (
                    low == "from"
                    and len(all_stems) > 1
                    and all_stems[-2] == "far"
                    and bool(_FAR_FROM.match(text, w.end))
                )
            )
            if is_cue:
                # "not only X but Y" is not a negation of X.
                nxt = text[w.end : w.end + 8].lower()
                if not re.match(r"\s+(only|just|merely)\b", nxt):
                    neg_until, neg_left, neg_clause = wi + 3, 1, clause
                    neg_cues.append((clause, -1))
                continue
            # "up 12%" / "down 5%" carry a direction; elsewhere they are particles.
            keep = low in ("up", "down") and re.match(r"\s*[$€£¥]?\d", text[w.end : w.end + 3])
            if low in STOPWORDS and not (len(raw) > 1 and raw.isupper()) and not keep:
                continue
            grams = [all_stems[-1]]
        scope = wi <= neg_until and neg_left > 0 and clause == neg_clause and not in_item
        if scope and kind == "word" and w.low in _GET and _PASSIVE_GET.match(text, w.end):
            scope = False
            neg_until += 1  # the participle still falls in the window
        elif scope and not (kind == "word" and w.low.endswith("ly")):
            neg_left -= 1  # the scope is the first content word, past adverbs ("not yet fully")
            neg_cues[-1] = (clause, len(stems))
        for g in grams:
            stems.append(g)
            tok_word.append(wi)
            tok_clause.append(clause)
            tok_sentence.append(sent)
            is_item.append(in_item)
            negated.append(scope)

    positions: dict[str, list[int]] = {}
    for i, s in enumerate(stems):
        positions.setdefault(s, []).append(i)
    tok_starts = [words[wi].start for wi in tok_word]
    item_pos = [min(bisect_left(tok_starts, it.start), max(len(stems) - 1, 0)) for it in items]
    plain = [s for s, it in zip(stems, is_item, strict=True) if not it]
    bigrams = {(a, b) for a, b in zip(plain, plain[1:], strict=False)}
    bigrams |= {(a, b) for a, b in zip(plain, plain[2:], strict=False)}
    return Doc(
        text=text,
        words=words,
        stems=stems,
        tok_word=tok_word,
        tok_clause=tok_clause,
        tok_sentence=tok_sentence,
        is_item=is_item,
        negated=negated,
        items=items,
        item_pos=item_pos,
        positions=positions,
        word_stems=" " + " ".join(all_stems) + " ",
        word_stem=all_stems,
        word_sentence=word_sentence,
        acronyms=acronyms,
        initials="".join(s[0] if s else "_" for s in stems),
        bigrams=bigrams,
        sentence_start=sentence_start,
        neg_cues=neg_cues,
    )


@lru_cache(maxsize=1)
def _contrast_stems() -> dict[str, list[tuple[str, str]]]:
    table: dict[str, list[tuple[str, str]]] = {}
    for group, poles in CONTRAST_GROUPS.items():
        for pole, words in poles.items():
            for w in words.split():
                entry = (group, pole)
                if entry not in table.setdefault(canon(w), []):
                    table[canon(w)].append(entry)
    return table


def contrast_entries(doc: Doc, i: int) -> list[tuple[str, str]]:
    entries = list(_contrast_stems().get(doc.stems[i], ()))
    surface = CONTRAST_SURFACE.get(doc.words[doc.tok_word[i]].low)
    if surface:
        entries.append(surface)
    return entries


@lru_cache(maxsize=256)
def contrast_index(raw_passage: str) -> dict[str, list[tuple[int, str]]]:
    """Group -> [(content position, pole)] of every contrast word in the passage."""
    doc = analyze(raw_passage)
    index: dict[str, list[tuple[int, str]]] = {}
    for i in range(len(doc.stems)):
        for group, pole in contrast_entries(doc, i):
            index.setdefault(group, []).append((i, pole))
    return index


# --- where a claim sits in a passage -------------------------------------------------------


def best_sentence(c: Doc, p: Doc) -> int:
    """The sentence of `p` holding most of the claim's content stems (-1 when none does)."""
    wanted = {canon(w.low) for w in c.words if w.kind == "word" and w.low not in STOPWORDS}
    counts: dict[int, set[str]] = {}
    for s, k in zip(p.word_stem, p.word_sentence, strict=True):
        if s in wanted:
            counts.setdefault(k, set()).add(s)
    if not counts:
        return -1
    return max(counts, key=lambda k: (len(counts[k]), -k))


# --- word matches the stemmer misses -----------------------------------------------------


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


@lru_cache(maxsize=16)
def title_stems(acronym: str) -> tuple[str, ...]:
    """The stems of an officer's title written out ("ceo" -> ("chief", "execut"))."""
    return tuple(canon(w) for w in TITLES[acronym])


def match_acronyms(c: Doc, p: Doc, matched: list[bool]) -> None:
    """Claim words that spell a passage acronym ("research and development" vs "R&D"), or an
    officer's title written out without "officer" ("chief executive" vs "CEO")."""
    for acronym in p.acronyms & TITLES.keys():
        title = list(title_stems(acronym))
        for i in range(len(c.stems) - 1):
            if c.stems[i : i + 2] == title:
                matched[i] = matched[i + 1] = True
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
