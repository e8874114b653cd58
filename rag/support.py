"""Deterministic, offline support scorer: does a passage support a claim sentence?

The score is lexical (content-token recall of the claim in the passage plus bigram overlap),
and on top of it sit hard requirements that lexical overlap alone gets wrong:

- every number, percentage, amount of money, ordinal and date of the claim must appear in the
  passage (values are compared, so "370 million" == "370,000,000"), and, when the passage holds
  several of them, the claim's words must sit next to the one it names (so "the order expires
  on Dec. 19" fails against "expires on Dec. 22 ... hearing on Dec. 19");
- capitalised names, multi-word proper nouns and acronyms must appear (a bare surname in the
  passage satisfies a full name in the claim; "CEO" matches "chief executive officer");
- negation must agree ("did not invest" vs "invested");
- a claim word from a small contrast lexicon (rose/fell, monthly/daily, approved/rejected, ...)
  must not meet its opposite where the passage talks about the same thing.

Any failed requirement makes the claim unsupported; `Support.missing` lists the absent items and
`Support.conflicts` the contradictions. Everything is pure Python + PyStemmer, and the analysis of
a passage is cached because the same chunk is scored against many answer sentences.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

DEFAULT_THRESHOLD = 0.6  # chosen on the labelled pairs in tests/test_support.py (see there)

# Weighting of the lexical score: recall says "is every claim word there", bigrams reward order.
_RECALL_WEIGHT = 0.75
_FAILED_FACTOR = 0.5  # a claim failing a hard requirement keeps at most half its lexical score

STOPWORDS = frozenset(
    """a about above after again against all almost also am among an and any approximately are
    around as at be because been before being below between both but by can could did do does
    doing down during each either even ever every few for from further had has have having he
    her here hers herself him himself his how however i if in into is it its itself just least
    less like many may me might more most much must my myself nearly neither never no nor not
    now of off on once one only or other others our ours ourselves out over own per rather
    roughly same she should since so some such than that the their theirs them themselves then
    there these they this those though through thus to too under until up upon us very via was
    we were what when where whether which while who whom whose why will with within without
    would yet you your yours yourself yourselves especially particularly notably mainly mostly
    largely primarily really still already""".split()
)

# Irregular past forms the stemmer leaves alone ("rose" must meet "rise", "oversaw" "overseen").
_IRREGULAR = {
    "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall", "grew": "grow",
    "grown": "grow", "oversaw": "oversee", "overseen": "oversee", "became": "become",
    "began": "begin", "begun": "begin", "bought": "buy", "sold": "sell", "won": "win",
    "lost": "lose", "made": "make", "took": "take", "taken": "take", "led": "lead",
    "ran": "run", "held": "hold", "spent": "spend", "left": "leave", "built": "build",
    "brought": "bring", "paid": "pay", "met": "meet", "saw": "see", "seen": "see",
    "went": "go", "gone": "go", "gave": "give", "given": "give", "got": "get", "gotten": "get",
    "told": "tell", "said": "say", "thought": "think", "came": "come", "knew": "know",
    "known": "know", "wrote": "write", "written": "write", "chose": "choose",
    "chosen": "choose", "drove": "drive", "driven": "drive", "struck": "strike",
    "sought": "seek", "fought": "fight", "caught": "catch", "taught": "teach", "kept": "keep",
    "sent": "send", "meant": "mean", "stood": "stand", "understood": "understand",
    "withdrew": "withdraw", "withdrawn": "withdraw", "drew": "draw", "drawn": "draw",
    "broke": "break", "broken": "break", "spoke": "speak", "spoken": "speak",
    "froze": "freeze", "frozen": "freeze", "slid": "slide", "sank": "sink", "sunk": "sink",
    "shrank": "shrink", "shrunk": "shrink", "undertook": "undertake", "felt": "feel",
    "heard": "hear", "dealt": "deal", "fled": "flee", "shot": "shoot", "wore": "wear",
    "worn": "wear", "forgave": "forgive", "stole": "steal", "stolen": "steal", "hid": "hide",
    "bore": "bear", "borne": "bear", "swore": "swear", "sworn": "swear", "lent": "lend",
    "bent": "bend", "fed": "feed", "dug": "dig", "hung": "hang", "swung": "swing",
    "ate": "eat", "eaten": "eat", "flew": "fly", "flown": "fly", "threw": "throw",
    "thrown": "throw", "woke": "wake", "rode": "ride", "ridden": "ride", "shook": "shake",
    "overtook": "overtake", "overtaken": "overtake", "forbade": "forbid",
    "forbidden": "forbid", "foresaw": "foresee", "foreseen": "foresee",
}  # fmt: skip

# Stem-level synonyms / derivations the stemmer does not merge (kept small and uncontroversial).
_SYNONYMS = {
    "annual": "year", "yearli": "year", "acquisit": "acquir", "purchas": "buy",
    "growth": "grow", "succeed": "success", "failur": "fail", "decis": "decid",
    "permiss": "permit", "biggest": "largest", "big": "larg", "firm": "compani",
    "penalti": "fine", "begin": "start", "recruit": "hire",
    "death": "die", "dead": "die", "expiri": "expir",
}  # fmt: skip

# Contrast lexicon: words of one group with different poles contradict each other when they
# describe the same thing. Matched on stems except where a stem would be ambiguous.
_CONTRAST_GROUPS: dict[str, dict[str, str]] = {
    "direction": {
        "up": "rise increase grow gain climb jump surge soar boost expand rebound raise hike "
        "double triple rally higher up",
        "down": "fall decrease decline drop shrink lose plunge slump slide sink tumble reduce "
        "cut wipe erase slash plummet halve dip lower down",
    },
    "verdict": {
        "yes": "approve accept grant allow permit authorize",
        "no": "reject deny refuse block ban prohibit veto forbid",
    },
    "trade": {"buy": "buy acquire purchase", "sell": "sell divest"},
    "result": {"profit": "profit surplus gain", "loss": "loss deficit"},
    "contest": {"win": "win victory", "lose": "lose defeat"},
    "outcome": {"success": "success succeed successful", "fail": "fail failure unsuccessful"},
    "lifecycle": {
        "start": "start begin launch open commence introduce",
        "stop": "end stop close halt terminate cancel discontinue shut scrap suspend",
    },
    "duration": {"temporary": "temporary temporarily", "permanent": "permanent permanently"},
    "membership": {"stay": "stay remain join rejoin", "leave": "leave quit depart resign"},
    "pressure": {"ease": "ease loosen relax soften", "tighten": "tighten crack toughen harden"},
    "staff": {"hire": "hire recruit", "fire": "fire dismiss layoff sack"},
    "trade-flow": {"import": "import", "export": "export"},
    "strength": {"strong": "strong stronger strongest", "weak": "weak weaker weakest"},
    "reach": {"domestic": "domestic", "foreign": "foreign international overseas"},
    "visibility": {"public": "public publicly", "private": "private privately"},
    "size": {"large": "large larger big bigger huge massive", "small": "small smaller tiny"},
    "age": {"young": "young younger youth", "old": "old older elderly"},
    "extreme": {
        "max": "largest biggest highest greatest top",
        "min": "smallest lowest fewest bottom",
    },
}
# Categories of mutually exclusive values (daily vs monthly, video vs music, ...), matched on
# the surface form because stems would be ambiguous ("monthly" stems to "month").
_CATEGORIES: dict[str, dict[str, str]] = {
    "period": {
        "hour": "hourly",
        "day": "daily",
        "week": "weekly",
        "month": "monthly",
        "quarter": "quarterly",
        "year": "annual annually yearly",
    },
    "season": {"summer": "summer summers", "winter": "winter winters", "autumn": "autumn"},
    "daypart": {
        "morning": "morning mornings",
        "afternoon": "afternoon afternoons",
        "evening": "evening evenings",
        "night": "night nights overnight",
    },
    "medium": {
        "video": "video videos film films",
        "image": "image images photo photos picture pictures",
        "audio": "audio music song songs podcast podcasts",
        "text": "text texts",
    },
    "metric": {
        "revenue": "revenue revenues sales turnover",
        "profit": "profit profits earnings income",
    },
    "market-side": {
        "buyer": "buyer buyers customer customers shopper shoppers",
        "seller": "seller sellers merchant merchants vendor vendors retailer retailers",
    },
}
_CONTRAST_SURFACE: dict[str, tuple[str, str]] = {
    w: (group, pole)
    for group, poles in _CATEGORIES.items()
    for pole, words in poles.items()
    for w in words.split()
}

_NEGATIONS = frozenset("not no never none neither nor without nobody nothing cannot".split())
# "decided against investing" negates "investing".
_AGAINST_VERBS = frozenset("decid opt vote choos chose advis rule".split())
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "dozen": 12,
}  # fmt: skip
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "万": 1e4, "亿": 1e8,
}  # fmt: skip
_CURRENCIES = {
    "$": "usd", "us$": "usd", "usd": "usd", "dollar": "usd", "dollars": "usd", "hk$": "hkd",
    "€": "eur", "euro": "eur", "euros": "eur", "£": "gbp", "pound": "gbp", "pounds": "gbp",
    "¥": "cny", "rmb": "cny", "yuan": "cny", "cny": "cny", "yen": "jpy", "元": "cny",
    "人民币": "cny", "美元": "usd",
}  # fmt: skip
# Abbreviations whose period does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st inc corp co ltd jr sr vs etc no jan feb mar apr jun jul aug sep sept "
    "oct nov dec gov gen sen rep".split()
)
# Words of a company name that the passage may leave out ("Alibaba Group" vs "Alibaba").
_GENERIC_NAME_WORDS = frozenset(
    "the group inc corp corporation co company ltd limited holdings holding plc llc".split()
)

# --- regular expressions -------------------------------------------------------------------

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN_RE = re.compile(
    rf"(?P<cjk>[{_CJK}]+)"
    rf"|(?P<num>\d+(?:[.,]\d+)*[^\W\d_{_CJK}]*)"
    rf"|(?P<word>[^\W\d_{_CJK}]+(?:&[^\W\d_{_CJK}]+)*)"
)
_CITATION_RE = re.compile(r"\s*\[\d+(?:\s*[,;-]\s*\d+)*\]")
_DOTTED_ACRONYM_RE = re.compile(r"\b(?:[A-Z]\.){2,}")
_STEP_DOWN_RE = re.compile(r"\bst(?:ep|eps|epped|epping) down\b")
_POSSESSIVE_RE = re.compile(r"(?<=\w)'s?\b")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})
_BOUNDARY_RE = re.compile(r"[;:()\[\]!?\n]|,\s|\s[-–—]+\s|[–—]|\.(?=\s|$)")
_MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_DATE_RES = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),  # 2024-12-19
    re.compile(  # Dec. 19, 2024
        rf"\b(?P<mon>{_MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?![.,]\d)"
        r"(?:,?\s+(?P<y>\d{4})\b)?"
    ),
    re.compile(  # 19 December 2024
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_RE})"
        r"(?:,?\s+(?P<y>\d{4})\b)?"
    ),
    re.compile(rf"\b(?P<mon>{_MONTH_RE})(?:,?\s+(?:of\s+)?(?P<y>\d{{4}})\b)?"),  # May 2025
    re.compile(r"(?<![\w$.,])(?P<y>1[5-9]\d\d|20\d\d)(?P<s>s)?\b(?![.,]\d|\s*%)"),  # 1990s
    re.compile(r"(?P<y>\d{4})年"),
]
_NUMBER_RE = re.compile(
    r"(?P<cur>US\$|HK\$|RMB\s?|USD\s?|[$€£¥])?"
    # Not glued to a letter ("Q3", "GPT4") or a decimal point; CJK text may touch a number.
    rf"(?<!\.)(?<![^\W{_CJK}])(?P<num>\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<ord>st|nd|rd|th)?"
    rf"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|万|亿)(?![^\W\d_{_CJK}])"
    r"|(?P<abbr>[kmb])(?![^\W\d_]))?"
    r"(?:\s?(?P<unit>%|percent\b|per\s?cent\b|percentage points?\b))?"
    r"(?:\s?(?P<cur2>dollars?|euros?|pounds?|yuan|yen|rmb|usd|美元|人民币|元)(?![^\W\d_]))?",
    re.IGNORECASE,
)
_NUMBER_WORD_RE = re.compile(
    r"\b(?P<w>" + "|".join(_NUMBER_WORDS) + r"|one)\b"
    r"(?:\s(?P<scale>thousand|million|billion|trillion))?",
    re.IGNORECASE,
)
_ORDINAL_WORD_RE = re.compile(r"\b(?P<w>" + "|".join(_ORDINAL_WORDS) + r")\b", re.IGNORECASE)
_QUALIFIER_RES = [
    (re.compile(r"(?:more than|over|above|exceed\w*|at least|upwards of|greater than"
                r"|in excess of|north of|topped)\s*$"), "more"),
    (re.compile(r"(?:less than|fewer than|under|below|at most|up to|no more than)\s*$"), "less"),
    (re.compile(r"(?:about|around|approximately|roughly|nearly|almost|some|close to"
                r"|estimated|approx\.?|circa|~)\s*$"), "approx"),
]  # fmt: skip


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: C implementation, thread-safe enough for read-only use

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(low: str) -> str:
    """Lowercase word -> canonical stem (irregular forms, stemming, small synonym table)."""
    base = _IRREGULAR.get(low, low)
    stem = _stemmer().stemWord(base) if base.isalpha() else base
    return _SYNONYMS.get(stem, stem)


def _normalize(text: str) -> str:
    """Fold quotes, strip citation markers and possessives, expand "n't" (offsets change)."""
    text = text.translate(_QUOTES)
    text = _CITATION_RE.sub("", text)
    text = _DOTTED_ACRONYM_RE.sub(lambda m: m.group().replace(".", ""), text)
    text = _STEP_DOWN_RE.sub("resign", text)  # the phrasal verb, so it meets "resign"/"stay"
    if "'" in text:
        text = re.sub(r"\b([Ww])on't\b", r"\1ill not", text)
        text = re.sub(r"\b([Cc])an't\b", r"\1an not", text)
        text = re.sub(r"n't\b", " not", text)
        text = _POSSESSIVE_RE.sub("", text)
    return text


def _cjk_grams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """Lowercased, stemmed content tokens; stopwords dropped; CJK runs as character bigrams.

    Numbers keep their digits ("370,000,000" -> "370000000"). Also used for lexical retrieval.
    """
    out: list[str] = []
    for m in _TOKEN_RE.finditer(_normalize(text)):
        kind = m.lastgroup
        raw = m.group()
        if kind == "cjk":
            out.extend(_cjk_grams(raw))
        elif kind == "num":
            out.append(raw.replace(",", "").lower())
        else:
            low = raw.lower()
            # All-caps words are acronyms ("US", "IT"), never stopwords.
            if low in STOPWORDS and not (len(raw) > 1 and raw.isupper()):
                continue
            out.append(_stem(low))
    return out


# --- analysis of one text --------------------------------------------------------------------


class _Word(NamedTuple):
    raw: str
    low: str
    start: int
    end: int
    kind: str  # "word", "num" or "cjk"


class _Item(NamedTuple):
    cls: str  # "num" (cardinal, money, percent, ordinal) or "date"
    kind: str  # num|pct|ord for numbers, "date" for dates
    value: float | tuple  # number value, or date fields ((field, value), ...)
    decimals: int  # digits after the point as written (for rounding "about 3.1 million")
    scale: float
    currency: str
    qualifier: str  # more|less|approx|""
    surface: str
    start: int
    end: int


@dataclass
class _Doc:
    text: str
    words: list[_Word]
    stems: list[str]  # canonical stem of every content token
    tok_word: list[int]  # index into words of every content token
    tok_clause: list[int]
    tok_sentence: list[int]
    is_item: list[bool]  # content token belongs to a number / date
    negated: list[bool]  # content token is in the scope of a negation
    items: list[_Item]
    item_pos: list[int]  # content position of every item
    positions: dict[str, list[int]] = field(default_factory=dict)
    word_stems: str = ""  # " stem stem ... " of all words (stopwords too), for phrase search
    acronyms: set[str] = field(default_factory=set)
    initials: str = ""  # first letter of every content token (acronym expansion search)
    bigrams: set[tuple[str, str]] = field(default_factory=set)
    sentence_start: list[bool] = field(default_factory=list)  # per word


def _boundaries(text: str) -> tuple[list[int], list[int]]:
    """Char offsets of clause boundaries and of sentence ends."""
    clauses: list[int] = []
    sentences: list[int] = []
    for m in _BOUNDARY_RE.finditer(text):
        ch = m.group()
        if ch == ".":
            prev = re.search(r"(\w+)\W*$", text[max(0, m.start() - 12) : m.start() + 1])
            word = prev.group(1).lower() if prev else ""
            if word in _ABBREVIATIONS or len(word) == 1:
                continue
        clauses.append(m.start())
        if ch in ".!?\n" or ch == ":":
            sentences.append(m.start())
    return clauses, sentences


def _parse_items(text: str) -> list[_Item]:
    """Dates first (so "Dec. 19" is not also the number 19), then numbers in what is left."""
    items: list[_Item] = []
    taken = bytearray(len(text) + 1)

    def free(a: int, b: int) -> bool:
        return not any(taken[a:b])

    def claim(a: int, b: int) -> None:
        taken[a:b] = b"\x01" * (b - a)

    for rx in _DATE_RES:
        for m in rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            gd = m.groupdict()
            fields = []
            if gd.get("y"):
                fields.append(("decade" if gd.get("s") else "year", int(gd["y"])))
            if gd.get("mon"):
                fields.append(("month", _MONTHS[gd["mon"].rstrip(".").lower()]))
            elif gd.get("m"):
                fields.append(("month", int(gd["m"])))
            if gd.get("d"):
                day = int(gd["d"])
                if not 1 <= day <= 31:
                    continue
                fields.append(("day", day))
            if gd.get("mon") == "May" and not (gd.get("d") or gd.get("y")):
                continue  # "May" alone is too often the modal verb at a sentence start
            claim(m.start(), m.end())
            items.append(
                _Item("date", "date", tuple(sorted(fields)), 0, 1.0, "", "", m.group().strip(),
                      m.start(), m.end())
            )  # fmt: skip

    for m in _NUMBER_RE.finditer(text):
        start = m.start("cur") if m.group("cur") else m.start("num")
        if not free(m.start("num"), m.end("num")):
            continue
        num = m.group("num")
        scale_word = (m.group("scale") or "").lower()
        # "$3m" is money, but "100m" alone is as likely a distance: letters count with a currency.
        if m.group("abbr") and m.group("cur"):
            scale_word = m.group("abbr").lower()
        scale = _SCALES.get(scale_word, 1.0)
        unit = (m.group("unit") or "").lower()
        ordinal = m.group("ord")
        kind = "pct" if unit else ("ord" if ordinal else "num")
        cur = (m.group("cur") or m.group("cur2") or "").strip().lower()
        decimals = len(num.split(".")[1]) if "." in num else 0
        value = float(num.replace(",", "")) * scale
        end = m.end()
        claim(start, end)
        items.append(
            _Item("num", kind, value, decimals, scale, _CURRENCIES.get(cur, ""),
                  _qualifier(text, start), text[start:end].strip(), start, end)
        )  # fmt: skip

    for m in _NUMBER_WORD_RE.finditer(text):
        word = m.group("w").lower()
        if word == "one" and not m.group("scale"):
            continue  # "one of the largest" is not a count worth requiring
        if not free(m.start(), m.end()):
            continue
        scale = _SCALES.get((m.group("scale") or "").lower(), 1.0)
        value = (1 if word == "one" else _NUMBER_WORDS[word]) * scale
        claim(m.start(), m.end())
        items.append(
            _Item("num", "num", float(value), 0, scale, "", _qualifier(text, m.start()),
                  m.group(), m.start(), m.end())
        )  # fmt: skip

    for m in _ORDINAL_WORD_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        claim(m.start(), m.end())
        value = float(_ORDINAL_WORDS[m.group("w").lower()])
        items.append(_Item("num", "ord", value, 0, 1.0, "", "", m.group(), m.start(), m.end()))
    items.sort(key=lambda it: it.start)
    return items


def _qualifier(text: str, start: int) -> str:
    before = text[max(0, start - 24) : start].lower()
    for rx, name in _QUALIFIER_RES:
        if rx.search(before):
            return name
    return ""


# A few hundred analysed texts cover the chunks of several questions (~150 kB per 300 words).
@lru_cache(maxsize=256)
def _analyze(raw_text: str) -> _Doc:
    text = _normalize(raw_text)
    clause_ends, sentence_ends = _boundaries(text)
    items = _parse_items(text)
    spans = [(it.start, it.end) for it in items]
    span_starts = [s for s, _ in spans]

    words: list[_Word] = []
    sentence_start: list[bool] = []
    stems: list[str] = []
    tok_word: list[int] = []
    tok_clause: list[int] = []
    tok_sentence: list[int] = []
    is_item: list[bool] = []
    negated: list[bool] = []
    all_stems: list[str] = []
    acronyms: set[str] = set()
    neg_until = -1  # content tokens up to this word index are negated
    neg_left = 0
    neg_clause = -1
    prev_sentence = -1
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup or "word"
        raw = m.group()
        w = _Word(raw, raw.lower(), m.start(), m.end(), kind)
        wi = len(words)
        words.append(w)
        sent = bisect_left(sentence_ends, w.start)
        sentence_start.append(sent != prev_sentence)
        prev_sentence = sent
        clause = bisect_left(clause_ends, w.start)
        k = bisect_right(span_starts, w.start) - 1
        in_item = k >= 0 and spans[k][0] <= w.start < spans[k][1]
        if kind == "cjk":
            grams = _cjk_grams(raw)
            all_stems.append(raw)
        elif kind == "num":
            grams = [raw.replace(",", "").lower()]
            all_stems.append(grams[0])
        else:
            low = w.low
            all_stems.append(_stem(low))
            if len(raw) > 1 and (raw.isupper() or "&" in raw):
                acronyms.add(re.sub(r"[^a-z]", "", low))
            is_cue = low in _NEGATIONS or (
                low == "against" and len(all_stems) > 1 and all_stems[-2] in _AGAINST_VERBS
            )
            if is_cue:
                # "not only X but Y" is not a negation of X.
                nxt = text[w.end : w.end + 8].lower()
                if not re.match(r"\s+(only|just|merely)\b", nxt):
                    neg_until, neg_left, neg_clause = wi + 3, 1, clause
                continue
            # "up 12%" / "down 5%" carry a direction; elsewhere they are particles.
            keep = low in ("up", "down") and re.match(r"\s*[$€£¥]?\d", text[w.end : w.end + 3])
            if low in STOPWORDS and not (len(raw) > 1 and raw.isupper()) and not keep:
                continue
            grams = [all_stems[-1]]
        scope = wi <= neg_until and neg_left > 0 and clause == neg_clause and not in_item
        if scope and not (kind == "word" and w.low.endswith("ly")):
            neg_left -= 1  # the scope is the first content word, past adverbs ("not yet fully")
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
    return _Doc(
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
        acronyms=acronyms,
        initials="".join(s[0] if s else "_" for s in stems),
        bigrams=bigrams,
        sentence_start=sentence_start,
    )


@lru_cache(maxsize=1)
def _contrast_stems() -> dict[str, list[tuple[str, str]]]:
    table: dict[str, list[tuple[str, str]]] = {}
    for group, poles in _CONTRAST_GROUPS.items():
        for pole, words in poles.items():
            for w in words.split():
                entry = (group, pole)
                if entry not in table.setdefault(_stem(w), []):
                    table[_stem(w)].append(entry)
    return table


def _contrast_entries(doc: _Doc, i: int) -> list[tuple[str, str]]:
    entries = list(_contrast_stems().get(doc.stems[i], ()))
    surface = _CONTRAST_SURFACE.get(doc.words[doc.tok_word[i]].low)
    if surface:
        entries.append(surface)
    return entries


@lru_cache(maxsize=256)
def _contrast_index(raw_passage: str) -> dict[str, list[tuple[int, str]]]:
    """Group -> [(content position, pole)] of every contrast word in the passage."""
    doc = _analyze(raw_passage)
    index: dict[str, list[tuple[int, str]]] = {}
    for i in range(len(doc.stems)):
        for group, pole in _contrast_entries(doc, i):
            index.setdefault(group, []).append((i, pole))
    return index


# --- the scorer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Support:
    """Verdict on one (claim, passage) pair.

    score: 0..1, lexical support (halved when a hard requirement fails);
    supported: score >= threshold and no hard requirement failed;
    missing: required items of the claim (numbers, dates, names) absent from the passage;
    conflicts: contradictions found (negation, opposite wording, a number tied to other words).
    """

    score: float
    supported: bool
    missing: tuple[str, ...]
    conflicts: tuple[str, ...] = ()


def support(claim: str, passage: str, threshold: float = DEFAULT_THRESHOLD) -> Support:
    """Does `passage` support `claim`? Deterministic; see the module docstring for the rules."""
    c = _analyze(claim)
    p = _analyze(passage)
    missing: list[str] = []
    conflicts: list[str] = []
    n = len(c.stems)
    matched = [False] * n
    weight = [1.0] * n

    _check_items(c, p, missing, conflicts)
    _check_codes(c, p, missing)
    _check_entities(c, p, matched, weight, missing)

    for i, s in enumerate(c.stems):
        if not matched[i] and (s in p.positions or _prefix_match(s, p)):
            matched[i] = True
    _match_acronyms(c, p, matched)

    plain = [i for i in range(n) if not c.is_item[i]]
    total = sum(weight[i] for i in plain)
    recall = sum(weight[i] for i in plain if matched[i]) / total if total else 1.0
    pairs = list(zip(plain, plain[1:], strict=False))
    if pairs:
        hits = sum((c.stems[a], c.stems[b]) in p.bigrams for a, b in pairs)
        bigram = hits / len(pairs)
    else:
        bigram = recall
    score = _RECALL_WEIGHT * recall + (1 - _RECALL_WEIGHT) * bigram

    _check_negation(c, p, conflicts)
    _check_contrast(passage, c, p, conflicts)

    failed = bool(missing or conflicts)
    if failed:
        score *= _FAILED_FACTOR
    score = round(score, 4)
    return Support(
        score=score,
        supported=not failed and score >= threshold,
        missing=tuple(dict.fromkeys(missing)),
        conflicts=tuple(dict.fromkeys(conflicts)),
    )


def unsupported_reason(s: Support) -> str:
    """A short human-readable reason, e.g. "missing: 2021, Jack Ma"; "" when supported."""
    if s.supported:
        return ""
    parts = []
    if s.missing:
        parts.append("missing: " + ", ".join(s.missing))
    if s.conflicts:
        parts.append("conflict: " + "; ".join(s.conflicts))
    if not parts:
        parts.append(f"low overlap ({s.score:.2f})")
    return "; ".join(parts)


is_unsupported_reason = unsupported_reason  # name used in the design brief


# --- hard requirements -----------------------------------------------------------------------


def _item_match(a: _Item, b: _Item) -> bool:
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


def _neighbours(doc: _Doc, i: int, include_items: bool, k: int = 4) -> list[str]:
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


def _distance(p: _Doc, a: int, b: int) -> int:
    """Token distance, with crossing a clause or a sentence costing extra."""
    d = abs(a - b)
    if p.tok_sentence[a] != p.tok_sentence[b]:
        d += 20
    elif p.tok_clause[a] != p.tok_clause[b]:
        d += 8
    return d


def _aligned(c: _Doc, p: _Doc, stem: str) -> list[int]:
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


def _votes(c: _Doc, ci: int, p: _Doc, targets: dict[int, str], items: bool) -> bool:
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


def _check_items(c: _Doc, p: _Doc, missing: list[str], conflicts: list[str]) -> None:
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


def _check_codes(c: _Doc, p: _Doc, missing: list[str]) -> None:
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


def _date_fields_scattered(it: _Item, p: _Doc) -> bool:
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


def _entities(c: _Doc) -> list[tuple[list[int], bool]]:
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
            if w.low in _NEGATIONS:
                close()
                continue
            cur.append(wi)
        else:
            close()
    close()
    return runs


def _entity_found(c: _Doc, run: list[int], p: _Doc) -> str:
    """ "all" when the name is in the passage, "some" when only its surname is, else ""."""
    words = [c.words[wi] for wi in run]
    while len(words) > 1 and words[0].low in _GENERIC_NAME_WORDS:
        words = words[1:]
    while len(words) > 1 and words[-1].low in _GENERIC_NAME_WORDS:
        words = words[:-1]
    stems = [_stem(w.low) for w in words]
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


def _expansion_at(acronym: str, p: _Doc) -> int:
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


def _surname_only(stems: list[str], p: _Doc) -> bool:
    last = stems[-1]
    bare = False
    for k, pw in enumerate(p.words):
        if pw.kind != "word" or not pw.raw[:1].isupper() or _stem(pw.low) != last:
            continue
        prev = p.words[k - 1] if k > 0 else None
        if prev is None or p.sentence_start[k] or not _is_cap(prev.raw) or prev.kind != "word":
            bare = True
        elif _stem(prev.low) in stems:
            bare = True
        elif prev.low in STOPWORDS or prev.low in _MONTHS or prev.low in _NOT_FIRST_NAMES:
            bare = True
        else:
            return False  # the passage names someone else with this surname
    return bare


def _check_entities(
    c: _Doc, p: _Doc, matched: list[bool], weight: list[float], missing: list[str]
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


def _prefix_match(s: str, p: _Doc) -> bool:
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


def _match_acronyms(c: _Doc, p: _Doc, matched: list[bool]) -> None:
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


def _check_negation(c: _Doc, p: _Doc, conflicts: list[str]) -> None:
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


def _check_contrast(passage: str, c: _Doc, p: _Doc, conflicts: list[str]) -> None:
    """Opposite wording (rose/fell, monthly/daily) where the passage discusses the same thing."""
    index = _contrast_index(passage)
    if not index:
        return
    for i in range(len(c.stems)):
        if c.is_item[i]:
            continue
        for group, pole in _contrast_entries(c, i):
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
