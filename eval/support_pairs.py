"""Labelled (claim, passage) pairs derived from SQuAD 2.0 for the support cross-encoder.

FactCC-style: true statements from the data, and perturbed copies that are false in the ways
an LLM's answer goes wrong. For each answerable question (one evidence quote) of an article:

- supported: the question turned into a statement with its gold answer (crowd workers wrote
  questions in their own words, so these are paraphrases); the evidence sentence itself, with a
  leading clause moved to the end when it has one ("In 1066, X did Y." -> "X did Y in 1066.");
  the clause of the evidence sentence that holds the answer;
- unsupported: either statement with the answer swapped for another span of the paragraph of
  the same type (name, number, date); two names (or numbers) of the sentence swapped around the
  verb (role swap); a negation inserted or removed; a number or year changed; a supported
  statement joined with a sentence from another paragraph of the article (a fact not in the
  passage); an unanswerable question's statement with an answer of the paragraph it was written
  against, of the type its wh-word asks for.

The passage is the blank-line paragraph of the evidence; the encoder narrows it to its window
(rag.support_encoder.window) as at run time. Deterministic for a given qa.jsonl (seeded by id).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from pathlib import Path

from eval.fit_support import squad_by_paragraph, statement
from index.text import sentence_spans

_YEAR = r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_DATE_RE = re.compile(
    rf"(?:{_MONTH}(?: \d{{1,2}},?)?(?: {_YEAR})?|\d{{1,2}} {_MONTH}(?: {_YEAR})?)"
)
_YEAR_RE = re.compile(_YEAR)
_NUM_RE = re.compile(
    r"\b\d[\d,]*(?:\.\d+)?(?: (?:million|billion|thousand|hundred|percent|per cent))?%?"
)
_NAME_RE = re.compile(
    r"\b[A-Z][\w'’.-]*[a-z][\w'’-]*(?: (?:of |the |de |von |van )?[A-Z][\w'’-]+)*"
)
_AUX_RE = re.compile(r"\b(is|was|were|are|has|have|had|can|could|will|would|did|does|do|may)\b")
_NEG_RE = re.compile(r"\b(?:not|never) |n't\b")
_LEAD_RE = re.compile(r"^((?:In|On|By|During|After|Before|Since|From|At|Under|With) [^,]{3,60}), ")
_WORDS = re.compile(r"[A-Za-z]+")
_FUNCTION = {"The", "A", "An", "In", "On", "At", "By", "It", "He", "She", "They", "This", "That"}


def kind_of(span: str) -> str:
    if _DATE_RE.fullmatch(span) or _YEAR_RE.fullmatch(span):
        return "date"
    if any(ch.isdigit() for ch in span):
        return "number"
    words = span.split()
    if words and all(w[:1].isupper() for w in words if w.lower() not in {"of", "the", "de"}):
        return "name"
    return "other"


def spans_of(text: str) -> dict[str, list[str]]:
    """Dates, numbers and capitalised names of a text, by type (names not opening a sentence)."""
    out: dict[str, list[str]] = defaultdict(list)
    taken: list[tuple[int, int]] = []
    for kind, rx in (("date", _DATE_RE), ("date", _YEAR_RE), ("number", _NUM_RE)):
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            out[kind].append(m.group().rstrip(",. "))
    starts = {a for a, _ in sentence_spans(text)}
    for m in _NAME_RE.finditer(text):
        words = m.group().split()
        if words[0] in _FUNCTION:
            words = words[1:]
        # A capitalised sentence opener alone is an ordinary word ("Founded by ...").
        if not words or (m.start() in starts and len(words) == 1):
            continue
        if not any(a < m.end() and m.start() < b for a, b in taken):
            out["name"].append(" ".join(words))
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


def _replace(text: str, old: str, new: str) -> str | None:
    i = text.find(old)
    return None if i < 0 or old == new else text[:i] + new + text[i + len(old) :]


def swap_answer(text: str, answer: str, pool: dict[str, list[str]], rng) -> str | None:
    """`text` with `answer` replaced by another span of the same type from the paragraph."""
    kind = kind_of(answer)
    low = answer.lower()
    alts = [s for s in pool.get(kind, []) if s.lower() not in low and low not in s.lower()]
    if not alts:
        return None
    return _replace(text, answer, rng.choice(alts))


def role_swap(sentence: str) -> str | None:
    """Two names (else two numbers) of the sentence trade places: "X succeeded Y" -> "Y ... X"."""
    found = spans_of(sentence)
    for kind in ("name", "number", "date"):
        items = [s for s in found.get(kind, []) if sentence.count(s) == 1]
        if len(items) >= 2:
            a, b = items[0], items[1]
            i, j = sentence.find(a), sentence.find(b)
            if i > j:
                a, b, i, j = b, a, j, i
            if i + len(a) > j or a.lower() in b.lower() or b.lower() in a.lower():
                continue
            return sentence[:i] + b + sentence[i + len(a) : j] + a + sentence[j + len(b) :]
    return None


def negate(text: str) -> str | None:
    """Remove the text's negation, else put "not" after its first auxiliary verb."""
    m = _NEG_RE.search(text)
    if m:
        return text[: m.start()] + text[m.end() :].lstrip() if m.group() != "n't" else None
    m = _AUX_RE.search(text)
    if not m:
        return None
    return text[: m.end()] + " not" + text[m.end() :]


def change_number(text: str, rng) -> str | None:
    """A year moved by 2-30, or a number scaled or shifted, in place."""
    found = spans_of(text)
    years = [m for m in _YEAR_RE.finditer(text)]
    if years:
        m = rng.choice(years)
        y = int(m.group()[:4]) + rng.choice([-1, 1]) * rng.randint(2, 30)
        return text[: m.start()] + str(y) + m.group()[4:] + text[m.end() :]
    nums = [s for s in found.get("number", []) if re.match(r"\d", s)]
    if not nums:
        return None
    old = rng.choice(nums)
    m = re.match(r"[\d,]+(?:\.\d+)?", old)
    value = float(m.group().replace(",", ""))
    new = value * rng.choice([2, 3, 0.5]) if value > 10 else value + rng.randint(1, 5)
    txt = f"{new:,.0f}" if "," in m.group() else (f"{new:g}")
    return _replace(text, old, txt + old[m.end() :])


def reorder(sentence: str) -> str | None:
    """A leading clause moved to the end: "In 1066, X did Y." -> "X did Y in 1066."."""
    m = _LEAD_RE.match(sentence)
    if not m:
        return None
    rest = sentence[m.end() :].rstrip(". ")
    if not rest:
        return None
    lead = m.group(1)
    return f"{rest[:1].upper()}{rest[1:]} {lead[:1].lower()}{lead[1:]}."


def answer_clause(sentence: str, answer: str) -> str | None:
    """The clause (between commas / semicolons) holding the answer, when it has 6+ words."""
    parts = re.split(r"[;,] ", sentence)
    for p in parts:
        if answer in p and len(_WORDS.findall(p)) >= 6 and p != sentence:
            p = p.rstrip(". ")
            return f"{p[:1].upper()}{p[1:]}."
    return None


_WH_KIND = [
    (re.compile(r"^(when|what year|in what year|which year)\b", re.I), "date"),
    (re.compile(r"^(how many|how much|what percent|how long|how old)\b", re.I), "number"),
    (re.compile(r"^(who|whom|whose|where)\b", re.I), "name"),
]


def wanted_kind(question: str) -> str | None:
    for rx, kind in _WH_KIND:
        if rx.search(question.strip()):
            return kind
    return None


def _rng(key: str) -> random.Random:
    return random.Random(int(hashlib.sha1(key.encode()).hexdigest()[:12], 16))


def squad_pairs(data_dir: Path) -> list[dict]:
    """Every derived pair of qa.jsonl: {claim, passage, supported, kind, group, source}."""
    by_para, unans, texts = squad_by_paragraph(data_dir)
    paras_of: dict[str, list[str]] = defaultdict(list)
    for doc, para in by_para:
        paras_of[doc].append(para)
    out: list[dict] = []

    def add(q, doc, claim, para, ok, kind):
        if claim:
            out.append(
                {"claim": claim, "passage": para, "supported": ok, "kind": kind, "group": doc}
                | {"source": "squad", "qid": q["id"]}
            )

    for (doc, para), qs in sorted(by_para.items()):
        pool = spans_of(para)
        for q in qs:
            golds = {a for g in q["answers"] for a in pool.get(kind_of(g), [])}
            rng = _rng(q["id"])
            gold = q["answers"][0]
            quote = q["evidence"][0]["quote"]
            sent = quote if len(sentence_spans(quote)) == 1 else None
            stmt = statement(q["question"], gold)
            add(q, doc, stmt, para, True, "squad-statement")
            if sent:
                add(q, doc, reorder(sent) or answer_clause(sent, gold) or sent, para, True,
                    "squad-sentence")  # fmt: skip
            # Negatives: one from the statement, one from the sentence, each a random type.
            kept = {a: v for a, v in pool.items()}
            kept[kind_of(gold)] = [s for s in pool.get(kind_of(gold), []) if s not in golds]
            bad = [
                ("wrong-answer", swap_answer(stmt, gold, kept, rng)),
                ("negation", negate(stmt)),
                ("changed-number", change_number(stmt, rng)),
            ]
            bad = [(k, c) for k, c in bad if c]
            if bad:
                k, c = rng.choice(bad)
                add(q, doc, c, para, False, "squad-statement-" + k)
            if sent:
                others = [p for p in paras_of[doc] if p != para]
                extra = None
                if others:
                    other = rng.choice(others)
                    spans = sentence_spans(other)
                    a, b = spans[rng.randrange(len(spans))]
                    extra = f"{sent.rstrip('. ')}; {other[a:b]}"
                bad = [
                    ("wrong-answer", swap_answer(sent, gold, kept, rng)),
                    ("role-swap", role_swap(sent)),
                    ("negation", negate(sent)),
                    ("changed-number", change_number(sent, rng)),
                    ("added-fact", extra),
                ]
                bad = [(k, c) for k, c in bad if c]
                if bad:
                    k, c = rng.choice(bad)
                    add(q, doc, c, para, False, "squad-sentence-" + k)
    for q in unans:
        doc, para = q["written_against"]["doc"], q["written_against"]["quote"]
        pool = spans_of(para)
        want = wanted_kind(q["question"])
        alts = pool.get(want, []) if want else [a for v in pool.values() for a in v]
        if alts:
            alt = _rng(q["id"]).choice(alts)
            add(q, doc, statement(q["question"], alt), para, False, "squad-unanswerable")
    return out
