"""Phrases inside a sentence that could be the short answer, and their features."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.features import (
    _GENERIC_STEMS,
    _PREV_WORDS,
    _WH,
    MAX_SPAN,
    QTYPES,
    Question,
    Tok,
    _is_date,
    _is_num,
)


@dataclass(frozen=True)
class Span:
    start: int  # character offsets inside the sentence text
    end: int
    text: str
    i: int  # token indexes [i, j)
    j: int


def candidate_spans(toks: Sequence[Tok], text: str, qstems: set[str]) -> list[Span]:
    """Phrases that could be an answer: no edge punctuation or stopword, not only question words."""
    out = []
    n = len(toks)
    for i in range(n):
        if toks[i].punct or (toks[i].stop and not _is_num(toks[i])):
            continue
        for j in range(i + 1, min(n, i + MAX_SPAN) + 1):
            last = toks[j - 1]
            if j - 1 > i and "\n" in text[toks[j - 2].end : last.start]:
                break  # a signature line and its description ("Sniffer()\n\nThe Sniffer")
            if last.punct and last.text not in ")%":
                if last.text in ".;:!?":
                    break
                continue
            if last.stop and not _is_num(last):
                continue
            inner = toks[i:j]
            if any(t.text in ".;:!?" for t in inner):
                break
            if _notation_head(last, text):
                continue
            if all(t.stem in qstems or t.punct or t.stop for t in inner):
                continue
            phrase = text[toks[i].start : last.end]
            if not _balanced(phrase):
                continue
            out.append(Span(toks[i].start, last.end, phrase, i, j))
    return out


def _notation_head(last: Tok, text: str) -> bool:
    """A lone letter glued to an opening parenthesis heads a notation ("O(n)", "f(x)", "P(A)"):
    the letter alone is half of it (bisect's "O(n)" was answered "O")."""
    return len(last.text) == 1 and last.text.isalpha() and text[last.end : last.end + 1] == "("


# A single quote opening a quotation: not after a letter or digit ("Alibaba's", "don't" and the
# plural possessive "patients' prescriptions" are no quotations).
_OPENING = re.compile(r"(?<![^\W_])'(?=\w)")
_CLOSING = re.compile(r"(?<=\w)'(?!\w)")


def _balanced(phrase: str) -> bool:
    """Brackets and quote marks open and close inside the phrase: "v)" of "(note that -n
    implies -v)" or "command='bar" of "command='bar', depfile=..." is half of something."""
    depth = 0
    for ch in phrase:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        if depth < 0:
            return False
    opened = len(_OPENING.findall(phrase))
    return depth == 0 and opened <= len(_CLOSING.findall(phrase)) and phrase.count('"') % 2 == 0


_LEN_BUCKETS = (1, 2, 3, 4, 6, 10)
_SPAN_KINDS = ("num", "date", "cap", "low")
SPAN_FEATURES = (
    *(f"len<={b}" for b in _LEN_BUCKETS),
    "q_overlap", "has_comma", "in_parens", "left_q", "right_q", "near_q", "log_dist", "both_sides",
    "head_after", "head_inside", "sent_start", "sent_end", "cap_first",
    *(f"prev={w}" for w in _PREV_WORDS), "prev_punct", "next_punct", "next_q",
    *(f"{qt}*{k}" for qt in QTYPES for k in _SPAN_KINDS),
    *(f"{qt}*long" for qt in QTYPES),
    "after_before", "after_after", "before_before", "before_after", "order_agree",
)  # fmt: skip


def _wh_context(q: Question) -> tuple[list[str], list[str], dict[str, int]]:
    """Question content stems right after and right before the wh-word, and each content
    stem's side of it (+1 after, -1 before): in the answer sentence the answer tends to sit
    where the wh-word sat, next to the same words."""
    toks = list(q.toks)
    w = next((k for k, t in enumerate(toks) if t.low in _WH), 0)
    content = [(k, t.stem) for k, t in enumerate(toks) if not t.punct and not t.stop]
    after = [st for k, st in content if k > w and st not in _GENERIC_STEMS][:2]
    before = [st for k, st in content if k < w and st not in _GENERIC_STEMS][-2:]
    side = {st: (1 if k > w else -1) for k, st in content}
    return after, before, side


def _span_kind(toks: Sequence[Tok], first_in_sentence: bool) -> str:
    if any(_is_date(t) for t in toks):
        return "date"
    if any(_is_num(t) for t in toks):
        return "num"
    words = [t for t in toks if not t.punct and not t.stop]
    if (
        words
        and all(t.text[:1].isupper() for t in words)
        and not (first_in_sentence and len(words) == 1)
    ):
        return "cap"
    return "low"


def span_features(q: Question, toks: Sequence[Tok], spans: Sequence[Span]) -> np.ndarray:
    qstems = {t.stem for t in q.toks if not t.punct and not t.stop}
    match = [t.stem in qstems and not t.punct and not t.stop for t in toks]
    match_pos = [k for k, m in enumerate(match) if m]
    q_after, q_before, side = _wh_context(q)
    index = {name: k for k, name in enumerate(SPAN_FEATURES)}
    out = np.zeros((len(spans), len(SPAN_FEATURES)), dtype=np.float64)
    n = len(toks)
    for r, sp in enumerate(spans):
        row = out[r]
        inner = toks[sp.i : sp.j]
        length = sp.j - sp.i
        for b in _LEN_BUCKETS:
            if length <= b:
                row[index[f"len<={b}"]] = 1.0
                break
        words = [t for t in inner if not t.punct]
        row[index["q_overlap"]] = sum(t.stem in qstems for t in words) / max(1, len(words))
        row[index["has_comma"]] = float(any(t.text == "," for t in inner))
        opened = sum(t.text == "(" for t in toks[: sp.i]) - sum(t.text == ")" for t in toks[: sp.i])
        row[index["in_parens"]] = float(opened > 0)
        left = [k for k in match_pos if k < sp.i]
        right = [k for k in match_pos if k >= sp.j]
        inside = [k for k in match_pos if sp.i <= k < sp.j]
        row[index["left_q"]] = len(left) / max(1, len(match_pos))
        row[index["right_q"]] = len(right) / max(1, len(match_pos))
        dists = [sp.i - k for k in left] + [k - sp.j + 1 for k in right]
        d = min(dists) if dists else n
        row[index["near_q"]] = float(d <= 2)
        row[index["log_dist"]] = math.log(1 + d) if not inside else 0.0
        row[index["both_sides"]] = float(bool(left) and bool(right))
        if q.head is not None:
            row[index["head_after"]] = float(any(t.stem == q.head for t in toks[sp.j : sp.j + 2]))
            row[index["head_inside"]] = float(any(t.stem == q.head for t in inner))
        row[index["sent_start"]] = float(sp.i == 0)
        row[index["sent_end"]] = float(sp.j >= n - 1)
        row[index["cap_first"]] = float(inner[0].text[:1].isupper())
        prev = toks[sp.i - 1] if sp.i > 0 else None
        if prev is not None:
            key = f"prev={prev.low}"
            if key in index:
                row[index[key]] = 1.0
            row[index["prev_punct"]] = float(prev.punct)
        nxt = toks[sp.j] if sp.j < n else None
        if nxt is not None:
            row[index["next_punct"]] = float(nxt.punct)
            row[index["next_q"]] = float(match[sp.j])
        row[index[f"{q.qtype}*{_span_kind(inner, sp.i == 0)}"]] = 1.0
        row[index[f"{q.qtype}*long"]] = float(length >= 4)
        near_before = {t.stem for t in toks[max(0, sp.i - 3) : sp.i]}
        near_after = {t.stem for t in toks[sp.j : sp.j + 3]}
        row[index["after_before"]] = float(any(st in near_before for st in q_after))
        row[index["after_after"]] = float(any(st in near_after for st in q_after))
        row[index["before_before"]] = float(any(st in near_before for st in q_before))
        row[index["before_after"]] = float(any(st in near_after for st in q_before))
        votes = [
            (1 if k >= sp.j else -1) == side[toks[k].stem]
            for k in match_pos
            if toks[k].stem in side and not (sp.i <= k < sp.j)
        ]
        row[index["order_agree"]] = (sum(votes) / len(votes)) if votes else 0.5
    return out
