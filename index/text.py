"""The text toolkit shared by the write path and the read path: one of each.

Tokens (the BM25 tokens and the words the abstention check and the verifier compare), one stemmer
with an irregular-verb table, one stopword list, sentence spans, citation markers, quote and
whitespace folding, number and date parsing (index/numbers.py, re-exported here), and SQuAD
answer normalisation. Everything that decides whether two texts say the same words goes through
here, so the index, the abstention check and the verifier cannot disagree about a word.
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache

# Number and date parsing lives in index/numbers.py; its names are the toolkit's too.
from index.numbers import (  # noqa: F401
    CJK,
    CURRENCIES,
    MONTHS,
    NUMBER_WORDS,
    ORDINAL_TEENS,
    ORDINAL_TENS,
    ORDINAL_UNITS,
    ORDINAL_WORDS,
    SCALES,
    TENS,
    Item,
    parse_items,
)

# Bumped whenever `tokens` changes: a store written with other tokens re-tokenises its BM25
# index when opened (index/catalog/schema.py), so old stores keep matching new queries.
LEXICAL_VERSION = "3"

STOPWORDS = frozenset(
    """a about above after again against all almost also am among an and any approximately are
    around as at be because been before being below between both but by can could did do does
    doing down during each either even ever every few for from further had has have having he
    her here hers herself him himself his how however i if in into is it its itself just least
    less like many may me might more most much must my myself nearly neither never no nor not
    now of off on once one only or other others our ours ourselves out over own per rather
    roughly same shall she should since so some such than that the their theirs them themselves
    then there these they this those though through thus to too under until up upon us very via
    was we were what when where whether which while who whom whose why will with within without
    would yet you your yours yourself yourselves especially particularly notably mainly mostly
    largely primarily really still already""".split()
)

# Abbreviations whose period does not end a sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr inc corp co ltd vs etc e.g i.e no fig approx dept gov gen sen rep "
    "est jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


# Abbreviations a writer spells out ("St. Johns River" -> "Saint Johns River", "azote (Gk.
# ἄζωτον)" -> "the Greek word"): the place-name ones only before a capitalised word, so "Main
# St." stays a street. In the 23 SQuAD articles St., Mt. or Ft. precedes a name 41 times (St. Johns,
# St. Augustine, St. Lawrence); a paraphrase that spells it out shares no word with it.
_SPELLED = tuple(
    (short, re.compile(r"\b" + re.escape(short) + after), full)
    for short, after, full in (
        ("St.", r"(?=\s+[A-Z])", "Saint"),
        ("Mt.", r"(?=\s+[A-Z])", "Mount"),
        ("Ft.", r"(?=\s+[A-Z])", "Fort"),
        ("Gk.", r"(?=\s)", "Greek"),
        ("Lat.", r"(?=\s)", "Latin"),
        ("approx.", r"(?=\s)", "approximately"),
    )
)


def spell_out(text: str) -> str:
    """`text` with the abbreviations above written in full (for comparing words, not offsets);
    the same string when it holds none (a substring test first: most text holds none)."""
    for short, pattern, full in _SPELLED:
        if short in text:
            text = pattern.sub(full, text)
    return text


# --- quotes, whitespace, markers -------------------------------------------------------------

_QUOTE_FOLD = str.maketrans(
    {"’": "'", "‘": "'", "‚": "'", "‛": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
     "\u00a0": " "}
)  # fmt: skip


def fold_quotes(text: str) -> str:
    """Curly quotes to straight ones, no-break spaces to spaces (offsets are kept)."""
    return text.translate(_QUOTE_FOLD)


# Letters NFKD does not take apart into a base letter and a mark.
_PLAIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ß": "ss", "æ": "ae"})


@lru_cache(maxsize=65536)
def fold_diacritics(word: str) -> str:
    """Lowercase, without diacritics: "Łódź" -> "lodz", "Czerniaków" -> "czerniakow"."""
    parts = unicodedata.normalize("NFKD", word.lower().translate(_PLAIN))
    return "".join(ch for ch in parts if not unicodedata.combining(ch))


def squash(text: str) -> str:
    """Quotes folded and whitespace runs collapsed: "the same text" modulo re-flowing."""
    return " ".join(fold_quotes(text).split())


def fold_key(text: str) -> str:
    """`squash` and casefold: the key under which repeated captions and titles are equal."""
    return squash(text).casefold()


# A citation marker: "[2]", "[1, 3]", "[1-3]" (what models write, and what documents carry).
MARKER_RE = re.compile(r"\s*\[(\d{1,3}(?:\s*[,;-]\s*\d{1,3})*)\]")


def strip_markers(text: str) -> str:
    return MARKER_RE.sub("", text)


def marker_numbers(text: str) -> list[int]:
    """The numbers cited by the markers of text, in order ("[1-3]" is 1, 2, 3)."""
    out: list[int] = []
    for m in MARKER_RE.finditer(text):
        for part in re.split(r"[,;]", m.group(1)):
            a, _, b = part.partition("-")
            lo = int(a)
            hi = int(b) if b.strip() else lo
            out.extend(range(lo, hi + 1) if 0 <= hi - lo < 50 else [lo, hi])
    return out


# A citation as models also write it: "[Source 1]", "[Sources 1 and 2]", "(Source: 3)", "[Doc 2]",
# "[Passage 1, 4]", "【1】", "[1†source]", "[^1]". Parentheses count only with the word ("(1)" is
# an enumeration, "(2021)" a year); "[Source code]" and "[citation needed]" hold no number.
_CITE_WORD = r"(?:sources?|docs?|documents?|passages?|refs?|references?|citations?|excerpts?)"
_CITE_NUMS = rf"\d{{1,3}}(?:\s*(?:,|;|-|–|and|&)\s*(?:{_CITE_WORD}\s*)?\d{{1,3}})*"
_VARIANT_MARKER_RE = re.compile(
    rf"\[\s*(?:{_CITE_WORD}\s*:?\s*(?:#|no\.\s*)?|\^)({_CITE_NUMS})\s*\]"
    rf"|\(\s*{_CITE_WORD}\s*:?\s*(?:#|no\.\s*)?({_CITE_NUMS})\s*\)"
    r"|【\s*(\d{1,3}(?:\s*[,;-]\s*\d{1,3})*)(?:†[^】]*)?\s*】"
    r"|\[(\d{1,3})†[^\]]*\]",
    re.I,
)


def canonical_markers(text: str) -> str:
    """A model's citation variants ("[Source 1]", "【2】", "(Sources 1 and 3)") written as our
    markers ("[1]", "[2]", "[1, 3]"), so verification reads what the model cited."""

    def one(m: re.Match) -> str:
        nums = next(g for g in m.groups() if g)
        nums = re.sub(rf"\s*(?:,|;|and|&)\s*(?:{_CITE_WORD}\s*)?", ", ", nums, flags=re.I)
        return "[" + re.sub(r"\s*[-–]\s*", "-", nums) + "]"

    return _VARIANT_MARKER_RE.sub(one, text)


# A footnote marker glued to the word or stop before it ("Hangzhou[1] is", "province.[2]").
_ATTACHED_FOOTNOTES = re.compile(r"(?<=[^\s\[])(?:\[\d{1,3}\])+")


def drop_footnotes(text: str) -> str:
    """Without a document's own footnote markers: "Hangzhou[1] is" reads "Hangzhou is". They are
    not part of any claim, and a reader or verifier would take their numbers for facts."""
    return _ATTACHED_FOOTNOTES.sub("", text)


def neutralise_markers(text: str) -> str:
    """A document's own "[3]" must not pass for one of our citation markers: it becomes "(3)"."""
    return MARKER_RE.sub(lambda m: m.group().replace("[", "(").replace("]", ")"), text)


# --- sentences -------------------------------------------------------------------------------

# A sentence ends at . ! ? (or CJK equivalents), possibly followed by closing quotes or
# brackets, then whitespace. Newlines always end a unit: scraped pages put headlines,
# captions and bylines on their own lines without final punctuation.
# Wikipedia-style footnote markers after the stop ("...is Eddie Wu.[3][4] The") end it too and
# stay outside the sentence: they are not part of any claim.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*(?:\[\d{1,3}\])*\s+|(?<=[。！？])|\n+")
_FOOTNOTES = re.compile(r"(?:\[\d{1,3}\])+$")


def _is_false_stop(text: str, stop: int, nxt: int) -> bool:
    """A period that does not end a sentence: "U.S. rivals", "Eumi K. Lee", "Dr. Chen"."""
    if text[stop - 1] != "." or nxt >= len(text) or text[stop:nxt].count("\n"):
        return False
    if text[nxt].islower():
        return True
    # A period standing alone between spaces names the character itself ("the . (period)
    # matches any character"); only a capital after it still reads as a new sentence.
    if stop >= 2 and text[stop - 2] == " " and not text[nxt].isupper():
        return True
    word = text[text.rfind(" ", 0, stop - 1) + 1 : stop - 1].lstrip("(\"'“‘")
    # Initials and dotted acronyms ("K.", "U.S.") and common abbreviations; a release number
    # ends its sentence ("Added in: v19.4.0, v18.14.0. [1] os.cpus() ...").
    dotted = "." in word and not word[-1].isdigit()
    return len(word) == 1 or dotted or word.lower() in ABBREVIATIONS


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of sentences (or lines) in text[start:end], trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        stop = m.start()
        while stop > pos and text[stop - 1] in "\"'”’)]":
            stop -= 1
        if m.group().strip() == "" and _is_false_stop(text, stop, m.end()):
            continue
        if text[stop - 2 : stop + 1] == "(.)":  # "a dot (.) can only be matched": the character
            continue
        _add_trimmed(text, pos, _before_footnotes(text, pos, m.end()), spans)
        pos = m.end()
    _add_trimmed(text, pos, _before_footnotes(text, pos, end), spans)
    return spans


def _before_footnotes(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1].isspace():
        b -= 1
    foot = _FOOTNOTES.search(text, a, b)
    return (
        foot.start() if foot and foot.start() > a and text[foot.start() - 1] in ".!?\"'”’)" else b
    )


def _add_trimmed(text: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        out.append((a, b))


# --- words, stems, tokens --------------------------------------------------------------------

# Irregular past forms the stemmer leaves alone ("rose" must meet "rise", "oversaw" "overseen").
IRREGULAR = {
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

# One word regex for every path: CJK runs, numbers (with their separators and suffix), words.
TOKEN_RE = re.compile(
    rf"(?P<cjk>[{CJK}]+)"
    rf"|(?P<num>\d+(?:[.,]\d+)*[^\W\d_{CJK}]*)"
    rf"|(?P<word>[^\W\d_{CJK}]+(?:&[^\W\d_{CJK}]+)*)"
)
_DOTTED_ACRONYM_RE = re.compile(r"\b(?:[A-Z]\.){2,}")
_STEP_DOWN_RE = re.compile(r"\bst(?:ep|eps|epped|epping) down\b")
_POSSESSIVE_RE = re.compile(r"(?<=\w)'s?\b")
# A pronoun's contraction ("I'm", "you're", "we'd", "they'll", "I've"): the clitic is a stopword
# ("am", "are", "would", "will", "have"), and left glued on it made content words of the
# pronoun ("im", "your", "wed"), which no passage holds: a user's "I'm building ..." read as a
# question about something the documents lack.
CLITIC_RE = re.compile(r"(?<=[A-Za-z])['’](?:m|re|ve|d|ll)\b", re.I)
_OWNER_END = re.compile(r"[’']s?$")


def is_possessive(word: str) -> bool:
    """ "Mayow's", "the company’s", "the Netherlands'": the word ends in a possessive."""
    return bool(_OWNER_END.search(word))


def drop_possessive(word: str) -> str:
    """ "Mayow's" -> "Mayow", "Netherlands'" -> "Netherlands"; other words unchanged."""
    return _OWNER_END.sub("", word)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: C implementation, thread-safe enough for read-only use

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A word's stem: irregular forms first ("rose" -> "rise"), then the Snowball stemmer."""
    low = word.lower()
    base = IRREGULAR.get(low, low)
    return _stemmer().stemWord(base) if base.isalpha() else base


def normalize(text: str) -> str:
    """Fold quotes, strip citation markers and possessives, expand "n't" (offsets change)."""
    text = strip_markers(fold_quotes(text))
    text = _DOTTED_ACRONYM_RE.sub(lambda m: m.group().replace(".", ""), text)
    text = _STEP_DOWN_RE.sub("resign", text)  # the phrasal verb, so it meets "resign"/"stay"
    if "'" in text:
        text = re.sub(r"\b([Ww])on't\b", r"\1ill not", text)
        text = re.sub(r"\b([Cc])an't\b", r"\1an not", text)
        text = re.sub(r"n't\b", " not", text)
        text = _POSSESSIVE_RE.sub("", text)
    return text


def is_stopword(raw: str) -> bool:
    """All-caps words are acronyms ("US", "IT"), never stopwords."""
    return raw.lower() in STOPWORDS and not (len(raw) > 1 and raw.isupper())


def cjk_grams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    """Stemmed content tokens: the BM25 tokens, and the words coverage and verification compare.

    Numbers keep their digits ("370,000,000" -> "370000000"); CJK runs become overlapping
    character bigrams; a lone letter (an initial) is dropped, since it would match everything.
    """
    out: list[str] = []
    # The support scorer's analysis (rag/claims.py) reads the words of `normalize` and leaves
    # clitics alone: its output is what the fitted reader was fitted on (the model file's support
    # digest), and no answer sentence it checks says "I'm".
    for m in TOKEN_RE.finditer(normalize(CLITIC_RE.sub("", text))):
        kind = m.lastgroup
        raw = m.group()
        if kind == "cjk":
            out.extend(cjk_grams(raw))
        elif kind == "num":
            out.append(raw.replace(",", "").lower())
        elif len(raw) > 1 and (keep_stopwords or not is_stopword(raw)):
            out.append(stem(raw))
    return out


def sentences_sharing(claim: str, passage: str) -> list[tuple[str, int]]:
    """The passage's sentences (the whole passage when it has none), in order, each with how
    many of the claim's content tokens it holds: where a claim's words stand in a passage."""
    want = set(tokens(claim))
    sents = [passage[a:b] for a, b in sentence_spans(passage)] or [passage]
    return [(s, len(want & set(tokens(s)))) for s in sents]


# --- answers (SQuAD v1.1 / v2.0 normalisation) -----------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ASCII_PUNCT = set(string.punctuation)


def normalize_answer(s: str) -> str:
    """SQuAD normalisation: lowercase, drop punctuation and articles, collapse whitespace.

    Curly quotes are folded to straight ones first, and any Unicode punctuation (dashes,
    guillemets, ...) is dropped like ASCII punctuation, so "Alibaba’s" == "Alibaba's".
    """
    s = fold_quotes(s).lower()
    s = "".join(
        ch for ch in s if ch not in _ASCII_PUNCT and not unicodedata.category(ch).startswith("P")
    )
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())
