"""Number and date parsing: a part of the text toolkit (index/text.py), which re-exports every
name here, so callers import them from index.text like the rest of the toolkit.

`parse_items` finds the dates, amounts, percentages and ordinals of a text, with their
qualifier ("more than", "about"), so a claim's figures can be compared with a passage's.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# The CJK scripts, written without spaces: a number may touch them here, and the tokeniser
# (index/text.py) splits their runs into bigrams. Defined here because index/text.py imports
# this module, and not the other way round.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "dozen": 12,
}  # fmt: skip
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
# Ordinal words past twelfth, for spelled-out values ("twentieth", "twenty-first"). Not parsed
# as numbers (ORDINAL_WORDS is): only centuries and the verifier's "20th" read them.
ORDINAL_TEENS = (
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split()
)
ORDINAL_TENS = (
    "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()
)
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
ORDINAL_UNITS = "first second third fourth fifth sixth seventh eighth ninth".split()
SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "万": 1e4, "亿": 1e8,
}  # fmt: skip
CURRENCIES = {
    "$": "usd", "us$": "usd", "usd": "usd", "dollar": "usd", "dollars": "usd", "hk$": "hkd",
    "€": "eur", "euro": "eur", "euros": "eur", "£": "gbp", "pound": "gbp", "pounds": "gbp",
    "¥": "cny", "rmb": "cny", "yuan": "cny", "cny": "cny", "yen": "jpy", "元": "cny",
    "人民币": "cny", "美元": "usd",
}  # fmt: skip
_MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
# "in May", "since May", "early May": a month, not the modal verb.
_MONTH_CUE = re.compile(
    r"\b(?:in|since|until|till|by|from|to|of|during|through|early|late|mid|last|next|this)\s+$",
    re.IGNORECASE,
)
# Centuries: "the 18th century", "the eighteenth century" and "the 1700s" name the same span.
_CENTURY_WORDS = {
    **ORDINAL_WORDS,
    **{w: n for n, w in enumerate(ORDINAL_TEENS, 13)},
    "twentieth": 20,
    "twenty-first": 21,
}
_CENTURY_RE = re.compile(
    r"\b(?:(?P<c>\d{1,2})(?:st|nd|rd|th)|(?P<cw>" + "|".join(_CENTURY_WORDS) + r"))"
    r"(?:[\s-]+century\b|(?=\s+(?:and|or|to)\s+\S+\s+centuries\b)|\s+centuries\b)",
    re.IGNORECASE,
)
_DATE_RES = [
    _CENTURY_RE,
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
    re.compile(r"(?<![\w$.,])(?P<y>1[5-9]\d\d|20\d\d)(?P<s>['’]?s)?\b(?![.,]\d|\s*%)"),  # 1990s
    re.compile(r"(?P<y>\d{4})年"),
]
_NUMBER_RE = re.compile(
    r"(?P<cur>US\$|HK\$|RMB\s?|USD\s?|[$€£¥])?"
    # Not glued to a letter ("Q3", "GPT4") or a decimal point; CJK text may touch a number.
    rf"(?<!\.)(?<![^\W{CJK}])(?P<num>\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<ord>st|nd|rd|th)?"
    rf"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|万|亿)(?![^\W\d_{CJK}])"
    r"|(?P<abbr>[kmb])(?![^\W\d_]))?"
    r"(?:\s?(?P<unit>%|percent\b|per\s?cent\b|percentage points?\b))?"
    r"(?:\s?(?P<cur2>dollars?|euros?|pounds?|yuan|yen|rmb|usd|美元|人民币|元)(?![^\W\d_]))?",
    re.IGNORECASE,
)
_NUMBER_WORD_RE = re.compile(
    r"\b(?P<w>" + "|".join(NUMBER_WORDS) + r"|one)\b"
    r"(?:\s(?P<scale>thousand|million|billion|trillion))?",
    re.IGNORECASE,
)
_ORDINAL_WORD_RE = re.compile(r"\b(?P<w>" + "|".join(ORDINAL_WORDS) + r")\b", re.IGNORECASE)
_QUALIFIER_RES = [
    (re.compile(r"(?:more than|over|above|exceed\w*|at least|upwards of|greater than"
                r"|in excess of|north of|topped)\s*$"), "more"),
    (re.compile(r"(?:less than|fewer than|under|below|at most|up to|no more than)\s*$"), "less"),
    (re.compile(r"(?:about|around|approximately|roughly|nearly|almost|some|close to"
                r"|estimated|approx\.?|circa|~)\s*$"), "approx"),
]  # fmt: skip


class Item(NamedTuple):
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


def parse_items(text: str) -> list[Item]:
    """Dates first (so "Dec. 19" is not also the number 19), then numbers in what is left."""
    items: list[Item] = []
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
            if gd.get("c") or gd.get("cw"):
                c = int(gd["c"]) if gd.get("c") else _CENTURY_WORDS[gd["cw"].lower()]
                fields.append(("century", c))
            elif gd.get("y") and gd.get("s") and int(gd["y"]) % 100 == 0:
                fields.append(("century", int(gd["y"]) // 100 + 1))  # "the 1700s"
            elif gd.get("y"):
                # "the 1970s" is a decade; "1751's Philosophical Transactions" is a year's.
                decade = gd.get("s") and int(gd["y"]) % 10 == 0
                fields.append(("decade" if decade else "year", int(gd["y"])))
            if gd.get("mon"):
                fields.append(("month", MONTHS[gd["mon"].rstrip(".").lower()]))
            elif gd.get("m"):
                fields.append(("month", int(gd["m"])))
            if gd.get("d"):
                day = int(gd["d"])
                if not 1 <= day <= 31:
                    continue
                fields.append(("day", day))
            if (
                (gd.get("mon") or "").rstrip(".") == "May"
                and not (gd.get("d") or gd.get("y"))
                and not _MONTH_CUE.search(text, 0, m.start())
            ):
                continue  # "May" alone is too often the modal verb at a sentence start
            claim(m.start(), m.end())
            items.append(
                Item("date", "date", tuple(sorted(fields)), 0, 1.0, "", "", m.group().strip(),
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
        scale = SCALES.get(scale_word, 1.0)
        unit = (m.group("unit") or "").lower()
        ordinal = m.group("ord")
        kind = "pct" if unit else ("ord" if ordinal else "num")
        cur = (m.group("cur") or m.group("cur2") or "").strip().lower()
        decimals = len(num.split(".")[1]) if "." in num else 0
        value = float(num.replace(",", "")) * scale
        end = m.end()
        claim(start, end)
        items.append(
            Item("num", kind, value, decimals, scale, CURRENCIES.get(cur, ""),
                  _qualifier(text, start), text[start:end].strip(), start, end)
        )  # fmt: skip

    for m in _NUMBER_WORD_RE.finditer(text):
        word = m.group("w").lower()
        if word == "one" and not m.group("scale"):
            continue  # "one of the largest" is not a count worth requiring
        if not free(m.start(), m.end()):
            continue
        scale = SCALES.get((m.group("scale") or "").lower(), 1.0)
        value = (1 if word == "one" else NUMBER_WORDS[word]) * scale
        claim(m.start(), m.end())
        items.append(
            Item("num", "num", float(value), 0, scale, "", _qualifier(text, m.start()),
                  m.group(), m.start(), m.end())
        )  # fmt: skip

    for m in _ORDINAL_WORD_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        claim(m.start(), m.end())
        value = float(ORDINAL_WORDS[m.group("w").lower()])
        items.append(Item("num", "ord", value, 0, 1.0, "", "", m.group(), m.start(), m.end()))
    items.sort(key=lambda it: it.start)
    return items


def _qualifier(text: str, start: int) -> str:
    before = text[max(0, start - 24) : start].lower()
    for rx, name in _QUALIFIER_RES:
        if rx.search(before):
            return name
    return ""
