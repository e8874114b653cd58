"""Features of the fitted reader (rag/reader.py): tokens with offsets, what a question asks
for, and one row of numbers per retrieved sentence and per question. The fitting script and the
read path both compute them here, so they see exactly the same numbers. Phrase features are in
rag/spans.py."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.text import CLITIC_RE, STOPWORDS, stem, tokens
from index.units import reading_units
from rag.code_answers import answer_kind, names_kind, versions_of
from rag.preamble import required
from rag.question import GENERIC_WORDS as _GENERIC

MAX_SPAN = 10  # tokens; 98% of SQuAD dev answers are at most 10 words

# --- tokens ----------------------------------------------------------------------------------

_WORD_RE = re.compile(
    r"(?:[A-Za-z]\.){2,}|[A-Z]\.(?=\s+[A-Z])"  # "U.S.", the initial of "Eumi K. Lee"
    r"|\d+(?:[.,:/]\d+)*(?:st|nd|rd|th|s)?%?|\w+(?:['’\-.&]\w+)*|[^\w\s]"
)
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions trillion dozen "
    "half quarter third percent first second fourth fifth several".split()
)
_DATE_WORDS = frozenset("century centuries decade decades year years bc ad bce ce".split())
# Words that ask how, not about what: a passage need not contain them.
_PREV_WORDS = (
    "in on at by of from to as is was are were called named the than about over for and "
    "since during between with"
).split()
_WH = frozenset("what which who whom whose when where why how".split())
_PUNCT = frozenset(",.;:!?()[]{}\"'“”‘’—–-")


@dataclass(frozen=True)
class Tok:
    text: str
    low: str
    stem: str
    start: int
    end: int

    @property
    def punct(self) -> bool:
        return self.text in _PUNCT or not any(ch.isalnum() for ch in self.text)

    @property
    def stop(self) -> bool:
        # "i'm", "you're": a pronoun and its clitic, both stopwords (index.text.CLITIC_RE); the
        # regex only for a word with an apostrophe (this runs for every token of every passage)
        if self.low in STOPWORDS:
            return True
        return ("'" in self.low or "’" in self.low) and CLITIC_RE.sub("", self.low) in STOPWORDS


def tokenize(text: str) -> list[Tok]:
    out = []
    for m in _WORD_RE.finditer(text):
        w = m.group()
        low = w.lower()
        # "Alibaba’s" is the question's "Alibaba": the possessive is not part of the word.
        base = re.sub(r"['’]s$", "", low) if len(low) > 3 else low
        out.append(Tok(w, low, stem(base), m.start(), m.end()))
    return out


def content(text: str) -> list[str]:
    """Content stems: the toolkit's tokens, so the reader, coverage and the verifier agree."""
    return tokens(text)


# --- questions -------------------------------------------------------------------------------

QTYPES = ("who", "when", "where", "why", "how_many", "how_much", "how", "which", "what", "other")
_QTYPE_RES = [
    ("how_many", re.compile(r"\bhow many\b")),
    ("when", re.compile(r"\b(what|which|in what|in which)\s+(year|century|decade|date|month|day|"
                        r"time|period|era|season)\b|^\s*when\b|\bwhen\b")),
    ("how_much", re.compile(r"\bhow (much|long|old|far|large|big|high|tall|fast|often|deep|"
                            r"wide|heavy|hot|cold|early|late)\b|\bwhat (percentage|percent|"
                            r"amount|proportion|share|number|size|temperature|distance)\b")),
    ("who", re.compile(r"\b(who|whom|whose)\b")),
    ("where", re.compile(r"\bwhere\b")),
    ("why", re.compile(r"\bwhy\b")),
    ("how", re.compile(r"\bhow\b")),
    ("which", re.compile(r"\bwhich\b")),
    ("what", re.compile(r"\bwhat\b")),
]  # fmt: skip


@dataclass(frozen=True)
class Question:
    text: str
    qtype: str
    toks: tuple[Tok, ...]
    focus: tuple[str, ...]  # content stems a supporting passage should hold
    head: str | None  # the noun the answer is an instance of ("how many *people*")
    names: tuple[str, ...]  # stems of capitalised words and numbers (must-match terms)
    negated: bool
    # The focus stems a passage must hold for the question to be answered: all of them, but for
    # the plain words of a story told before the question proper (rag/preamble.py).
    required: tuple[str, ...]


# A condition before the question proper ("When I call search on a pattern, where does it
# start?", "If the file is missing, what happens?"): its "when" asks for no time.
# An auxiliary right after "when" makes it the question's own ("When did ...?").
_AUX = r"(?:did|does|do|is|was|were|are|will|would|can|could|has|have|had|should|might|must)\b"
_LEADING_CLAUSE = re.compile(
    rf"^\s*(?:(?:when|whenever)(?!\s+{_AUX})|if|once|while|after|before)\b[^,?]*,\s*(?=\w)"
)
# A subordinate "when" after the question's own wh-word ("What does re.sub return when the
# pattern does not occur?") asks for no time either: the wh-word that comes first decides.
_FIRST_WH = re.compile(r"\b(?:who|whom|whose|when|where|why|how|which|what)\b")
_WHEN = re.compile(r"\bwhen\b")
# "when" followed by a clause of its own, with the question's wh-word after it ("Cost overruns
# have occurred when the contractor did what?", "When the Rhine took a right turn what did it
# create?"): the later wh-word asks. "When was it signed, and by whom?" still asks when.
_SUBORDINATE_WHEN = re.compile(
    rf"\bwhen\s+(?!{_AUX})[^?]*?\b(?=(?:who|whom|whose|where|why|how|which|what)\b)"
)


def question_type(text: str) -> str:
    """The kind of answer asked for, from the question's own wh-word (see QTYPES)."""
    low = _LEADING_CLAUSE.sub("", text.lower(), count=1)
    first = _FIRST_WH.search(low)
    if first is not None and first.group() == "when":
        if m := _SUBORDINATE_WHEN.match(low, first.start()):
            first = _FIRST_WH.search(low, m.end())
    if first is not None and first.group() != "when":
        # Type patterns ("how many", "what year", "which decade") are read from the first
        # wh-word on, so a later subordinate "when" does not take over.
        low = low[first.start() :]
        low = low[: m.start()] if (m := _WHEN.search(low)) else low
    return next((name for name, rx in _QTYPE_RES if rx.search(low)), "other")


def analyse_question(text: str) -> Question:
    low = text.lower()
    qtype = question_type(text)
    toks = tokenize(text)
    focus = tuple(dict.fromkeys(s for s in content(text) if s not in _GENERIC_STEMS))
    head = None
    m = re.search(r"\b(?:how many|what|which)\s+((?:\w+\s+){0,2}?)(\w+)\b", low)
    if m and m.group(2) not in STOPWORDS and m.group(2) not in _GENERIC:
        head = stem(m.group(2))
    names = tuple(
        dict.fromkeys(
            t.stem
            for i, t in enumerate(toks)
            if i > 0 and not t.stop and (t.text[:1].isupper() or t.text[:1].isdigit())
        )
    )
    asserted = " ".join(_asserted(toks)).lower()
    negated = bool(_NEGATED.search(asserted))
    return Question(text, qtype, tuple(toks), focus, head, names, negated, required(text, focus))


_GENERIC_STEMS = frozenset(stem(w) for w in _GENERIC)
# A contraction's "n't" is glued to its verb ("doesn't"): no word boundary before it.
_NEGATED = re.compile(r"\b(?:not|never|no|without|none)\b|n['’]t\b")


# --- features --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    source: int  # index into the retrieved sources
    start: int  # offsets in the source's text
    end: int
    text: str
    toks: tuple[Tok, ...]
    stems: frozenset[str]  # content stems (toolkit tokens)
    code: bool = False  # a line of a code block (Source.code)


def split_sentences(sources: Sequence, exclude: Callable | None = None) -> list[Sentence]:
    """The sentences of the retrieved passages; `exclude(source)` drops a whole passage (an
    injected instruction and the false claim it plants may sit on different lines, so no
    sentence of such a passage is evidence). A line of a code block is marked `code`."""
    out = []
    for i, src in enumerate(sources):
        if exclude is not None and exclude(src):
            continue
        for a, b in reading_units(src.text):
            text = src.text[a:b]
            code = any(x <= a and b <= y for x, y in src.code)
            toks = tuple(tokenize(text))
            out.append(Sentence(i, a, b, text, toks, frozenset(content(text)), code))
    return out


def _idf(sentences: Sequence[Sentence]) -> dict[str, float]:
    """Rarity of each stem among the retrieved sentences (a local, query-time IDF)."""
    df: dict[str, int] = {}
    for s in sentences:
        for st in s.stems:
            df[st] = df.get(st, 0) + 1
    n = len(sentences) + 1
    return {k: math.log(n / (v + 0.5)) for k, v in df.items()}


def _wcov(focus: Sequence[str], have: set[str], idf: dict[str, float], default: float) -> float:
    if not focus:
        return 1.0
    total = sum(idf.get(f, default) for f in focus)
    got = sum(idf.get(f, default) for f in focus if f in have)
    return got / total if total else 1.0


def _bigrams(stems: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(stems, stems[1:], strict=False))


def _is_num(t: Tok) -> bool:
    return any(ch.isdigit() for ch in t.text) or t.low in _NUMBER_WORDS


def _is_date(t: Tok) -> bool:
    return (
        t.low in _MONTHS
        or t.low in _DATE_WORDS
        or bool(re.fullmatch(r"(1[0-9]|20)\d\d(s)?", t.low))
        or bool(re.fullmatch(r"\d{1,2}(st|nd|rd|th)", t.low))
    )


def _is_cap(t: Tok, first: bool) -> bool:
    return t.text[:1].isupper() and not first and t.text.lower() not in STOPWORDS


def _type_fit(
    q: Question, toks: Sequence[Tok], qstems: set[str], kind: str | None, text: str = ""
) -> float:
    """Does the sentence hold a token of the kind the question asks for, beyond its words?
    `kind`: the question asks for an exception or a version (_fixed_form). A version must be
    one of what is asked about, and a label of another event does not fit ("Added in version
    3.7" for "... removed?")."""
    new = [(i, t) for i, t in enumerate(toks) if t.stem not in qstems and not t.punct]
    if kind == "version":
        fit = set(versions_of(text, q.text.lower()))
        return float(any(t.text in fit for _, t in new))
    if kind is not None:
        return float(any(names_kind(kind, t.text) for _, t in new))
    if q.qtype == "when":
        return float(any(_is_date(t) for _, t in new))
    if q.qtype in ("how_many", "how_much"):
        return float(any(_is_num(t) for _, t in new))
    if q.qtype in ("who", "where", "which"):
        return float(any(_is_cap(t, i == 0) for i, t in new))
    return 1.0


def _fixed_form(q: Question, sentences: Sequence[Sentence]) -> str | None:
    """ "exception" or "version" when the question asks for an answer of that fixed form, whatever
    its wh-word, and the passages name at least one: "What substantial error put the IPCC
    research in doubt?" is no question about Python exceptions. Inert on SQuAD by construction:
    none of its 7,742 questions asks for a version, and no passage names an exception."""
    kind = answer_kind(q.text)
    if kind not in ("exception", "version"):
        return None
    named = any(names_kind(kind, t.text) for s in sentences for t in s.toks)
    return kind if named else None


SENTENCE_FEATURES = (
    "cos", "cos_rel", "cov", "wcov", "wcov_rel", "wcov_win", "bigram", "names", "type_fit",
    "dense", "rank_inv", "log_len", "no_stop", "heading", "neg_mismatch", "missing_idf",
    "head_in", "names_win", "pronoun_start",
)  # fmt: skip
_PRONOUNS = frozenset("it he she they its his her their this these".split())


def sentence_features(
    q: Question,
    sentences: Sequence[Sentence],
    sources: Sequence,
    sims: np.ndarray,
    idf: dict[str, float],
) -> np.ndarray:
    """One row of SENTENCE_FEATURES per sentence."""
    default = max(idf.values(), default=1.0)
    qstems = {t.stem for t in q.toks}
    qbig = _bigrams([t.stem for t in q.toks if not t.punct])
    rows = []
    per = [set(s.stems) for s in sentences]
    wcovs = [_wcov(q.focus, h, idf, default) for h in per]
    max_wcov = max(wcovs, default=0.0) or 1.0
    max_sim = float(sims.max()) if len(sims) else 0.0
    kind = _fixed_form(q, sentences)
    for k, s in enumerate(sentences):
        have = per[k]
        win = set(have)
        if k > 0 and sentences[k - 1].source == s.source:
            win |= per[k - 1]
        if k + 1 < len(sentences) and sentences[k + 1].source == s.source:
            win |= per[k + 1]
        stems = [t.stem for t in s.toks if not t.punct]
        src = sources[s.source]
        dense = src.dense if src.dense is not None else 0.0
        text = s.text.rstrip("\"'”’)")
        neg = bool(re.search(r"\b(not|never|no|n't|without|none)\b", s.text.lower()))
        missing = [f for f in q.focus if f not in have]
        rows.append(
            [
                float(sims[k]),
                float(sims[k]) - max_sim,
                (len(q.focus) - len(missing)) / len(q.focus) if q.focus else 1.0,
                wcovs[k],
                wcovs[k] / max_wcov,
                _wcov(q.focus, win, idf, default),
                len(qbig & _bigrams(stems)) / len(qbig) if qbig else 0.0,
                sum(n in have for n in q.names) / len(q.names) if q.names else 1.0,
                _type_fit(q, s.toks, qstems, kind, s.text),
                float(dense),
                1.0 / (1 + s.source),
                math.log(1 + len(stems)),
                float(len(stems) < 4),
                float(not text.endswith((".", "!", "?", "。"))),
                float(neg != q.negated),
                sum(idf.get(f, default) for f in missing) / (default or 1.0),
                float(q.head is not None and q.head in have),
                sum(n in win for n in q.names) / len(q.names) if q.names else 1.0,
                # "It was founded in Hong Kong": the subject is named in the sentence before.
                float(
                    bool(s.toks)
                    and s.toks[0].low in _PRONOUNS
                    and k > 0
                    and sentences[k - 1].source == s.source
                ),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(SENTENCE_FEATURES))


_CONDITION = frozenset({"if", "unless", "whenever", "when"})
_NEGATION_CUES = frozenset({"not", "never", "no", "none", "without"})


def _asserted(toks: Sequence[Tok]) -> list[str]:
    """The question's words minus its wh-words, with a negation inside a condition dropped:
    "where does it start if I don't give pos?" asserts nothing about not giving pos (a user's
    condition), while "What does X not do?" asserts the negation (SQuAD's added-negation
    unanswerables). A condition runs from its "if" / "unless" (or a "when" after the first word)
    to a comma. A statement before the question is asserted ("AsyncExitStack doesn't implement
    close(). What do I use?"), its negation included."""
    out: list[str] = []
    condition = False
    for k, t in enumerate(toks):
        if t.low in _CONDITION and (k > 0 or t.low != "when"):
            condition = True
        elif t.text == ",":
            condition = False
        cue = t.low in _NEGATION_CUES or t.low.endswith("n't")
        if condition and cue:
            if t.low.endswith("n't") and t.low not in ("can't", "won't"):
                out.append(t.text[:-3])  # "don't" -> "do"
            continue
        if t.low not in _WH and t.text not in "?":
            out.append(t.text)
    return out
