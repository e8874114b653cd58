"""Questions the quoted sentence does not answer, though it shares their words.

SQuAD 2.0's askers wrote unanswerable questions against a paragraph to look answerable: a name
swapped for another of the passage's, a year the passage gives otherwise, an added negation, a
word turned into its opposite (Rajpurkar et al., 2018, table 3). A user asking about a
neighbour of what the documents cover writes the same questions. The fitted reader scores word
overlap and the span encoder's reading, and both are fooled by a sentence that shares every
word but one; each check here reads that one word. `rag.answerability.judge` applies them to
the extractive backend's top pick, which nothing verifies afterwards (a written answer is
judged sentence by sentence by the verifier, whose requirements these mirror).

Each was measured on squad2-dev/qa.jsonl, every question's top pick as the shipped reader reads
it (eval/fit_reader.py --dump-features), counting only the questions the reader does not already
turn away ("marginal"), on the training articles and, apart, on the 8 held-out ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from index.text import parse_items, sentence_spans
from rag.claims import analyze as analyze_claim
from rag.claims import contrast_entries
from rag.features import analyse_question
from rag.lexicon import COMPASS, LACK_WORDS, ORIENTED
from rag.stand_ins import check_stand_ins


def stands_in(query: str, passage: str) -> bool:
    """The question puts a name of the passage on a word the passage gives another name ("In
    what year was the Rumford engine patented?" of "the Corliss steam engine, patented in 1849
    ... the Rumford medal"): how SQuAD 2.0's askers wrote questions to look answerable, and how a
    user asks about a neighbour of what the documents cover. The verifier's stand-in rule
    (rag/stand_ins.py) judges written answers; the extractive pick is the passage's own
    sentence, so the question is judged here. On the 7,742 questions of squad2-dev/qa.jsonl
    against their paragraphs it fires on 42 unanswerable and 3 answerable ones."""
    found: list[str] = []
    check_stand_ins(analyze_claim(query), analyze_claim(passage), passage, found)
    return bool(found)


def pins_another(query: str, sentence: str) -> bool:
    """The question pins a year, month, decade or century, or a number written in digits, and the
    sentence the extractive answer quotes states others of that kind, none of them the
    question's: "Which area of China did Japan conquer in 1935?" of "In 1931 Japan conquered
    Manchuria from China.", "How much had Alibaba invested in AI by 2020?" of "... hit over $10
    billion by 2024". The answer would be about another time or amount; a year after "before",
    "since", "by" or "between" bounds a span ("prior to 2000" holds 1946). Measured on
    squad2-dev/qa.jsonl, each question's top pick as the shipped reader reads it
    (eval/fit_reader.py --dump-features), beside the questions the reader already turns away:
    it fires on 65 more training questions (62 unanswerable) and 31 more held-out ones (29).
    Through the pipeline on the 2,957 held-out questions: abstention recall 0.202 -> 0.220 at
    precision 0.838 -> 0.850, false abstentions 0.041 and gold in answer 0.862 unchanged."""
    q, s = parse_items(query), parse_items(sentence)
    q_dates, s_dates = _date_fields(q), _date_fields(s)
    years = _year_bounds(query, q)
    if years and s_dates.get("year"):
        if not any(low <= y <= high for low, high in years for y in s_dates["year"]):
            return True
    if any(v and s_dates.get(f) and not v & s_dates[f] for f, v in q_dates.items() if f != "year"):
        return True
    q_nums, s_nums = _digit_numbers(q), _digit_numbers(s)
    return bool(q_nums and s_nums and not q_nums & s_nums)


# A year after these bounds a span: "prior to 2000" holds 1946, "by 2020" does not hold 2024.
_BEFORE = re.compile(
    r"\b(?:before|prior to|until|till|up to|earlier than|by)\s+(?:the year\s+)?$", re.I
)
_AFTER = re.compile(
    r"\b(?:after|since|later than|following|from|between)\s+(?:the year\s+)?$", re.I
)


def _year_bounds(query: str, items: Sequence) -> list[tuple[float, float]]:
    """The spans of years the question asks about: (y, y) for "in 1935"; a bound for "before
    2000" or "since 1990"; "between 1994 and 1999" and "from 1994 to 1999" are one span."""
    spans: list[tuple[float, float]] = []
    for it in items:
        if it.cls != "date":
            continue
        for field, year in it.value:
            if field != "year":
                continue
            before = query[: it.start]
            if spans and spans[-1][1] == math.inf and re.search(r"\b(?:and|to)\s+$", before):
                spans[-1] = (spans[-1][0], year)  # the end of "between 1994 and 1999"
            elif _BEFORE.search(before):
                spans.append((-math.inf, year))
            elif _AFTER.search(before):
                spans.append((year, math.inf))
            else:
                spans.append((year, year))
    return spans


def _date_fields(items: Sequence) -> dict[str, set[int]]:
    """Each date field stated (year, month, decade, century) -> its values: "July 1755" pins
    a month and a year, "the 19th century" a century; a day alone pins too little."""
    out: dict[str, set[int]] = {}
    for it in items:
        if it.cls == "date":
            for field, value in it.value:
                if field != "day":
                    out.setdefault(field, set()).add(value)
    return out


def _digit_numbers(items: Sequence) -> set[float]:
    # Digits only: a question's "What two ..." counts the answer's parts, it pins no amount.
    return {
        round(it.value, 6)
        for it in items
        if it.cls == "num" and it.kind in ("num", "pct") and any(c.isdigit() for c in it.surface)
    }


def denies(query: str, sentence: str, around: Sequence[str] = ()) -> bool:
    """The question asserts a negation the sentence does not make: "What does the IPCC not
    do?" of "The IPCC does not carry out research" is answered, of "The IPCC reviews the
    literature" is not (SQuAD 2.0's added negations). A negation inside the question's condition
    ("where does it start if I don't give pos?") asserts nothing (rag.features). The sentence
    negates with a cue the verifier reads ("not", "never", "n't", "without", ...) or a word of
    lack ("lacks", "absent", "unable"). The denial may come in a sentence `around` it, of the
    word the question denies: "most notably DeepSeek, an emerging AI competitor." is followed by
    "... Alibaba has opted not to invest in this particular venture" (news B's "Which emerging
    AI competitor did Alibaba choose not to invest in?"). Marginal firings: 103 training
    questions (98 unanswerable), 50 held-out ones (46)."""
    if not _asks_negated(query):
        return False
    doc = analyze_claim(sentence)
    if doc.neg_cues or any(w.low in LACK_WORDS for w in doc.words):
        return False
    denied = _negated_stems(query)
    return not any(_negated_stems(text) & denied for text in around)


def _negated_stems(text: str) -> set[str]:
    doc = analyze_claim(text)
    return {stem for stem, negated in zip(doc.stems, doc.negated, strict=True) if negated}


def neighbours(passage: str, start: int, end: int) -> list[str]:
    """The sentences of `passage` just before and just after the one at [start, end)."""
    spans = sentence_spans(passage)
    before = [passage[a:b] for a, b in spans if b <= start]
    after = [passage[a:b] for a, b in spans if a >= end]
    return before[-1:] + after[:1]


def _asks_negated(query: str) -> bool:
    """Does what the question asks carry a negation? Only its last sentence asks, its asides
    aside: "My app never set a level on the root logger. Which level does it use?" and "(the one
    that accepts EventTargets too, not the emitter method) — which version added it?" ask
    nothing negated. Nor does "without" ("Which function rearranges it into a heap without
    making a copy?"), nor a condition before the question ("When my script is not attached to
    a terminal, what size ...?"): they say how or when, they do not deny what is asked."""
    spans = sentence_spans(query)
    last = query[spans[-1][0] : spans[-1][1]] if spans else query
    last = _LEADING_CLAUSE.sub("", _ASIDES.sub(" ", last))
    return analyse_question(last).negated and bool(_DENIES.search(last.lower()))


_ASIDES = re.compile(r"\([^()]*\)|[—–][^—–?]*[—–]")
# "When my script is not attached to a terminal, what size ...?": a condition, then the question.
_LEADING_CLAUSE = re.compile(
    r"^\s*(?:when|if|unless|once|while|whenever|although|though|because|since)\b[^,?]*,\s*"
    r"(?=(?:what|which|who|whom|whose|where|when|why|how)\b)",
    re.I,
)
# "--no-foo" is an option's name, not a denial.
_DENIES = re.compile(r"(?<![-\w])(?:not|never|no|none)(?![-\w])|n['’]t\b")


def opposes(query: str, sentence: str) -> bool:
    """The question uses one pole of a contrast (rose/fell, largest/smallest, public/private,
    northern/southern: rag.lexicon) where the sentence uses only the other: "Who suggested
    imperialism was the lowest form of capitalism?" of "... the highest form of capitalism"
    (SQuAD 2.0's antonyms). A question naming both poles ("public or private?") pins neither.
    Marginal firings: 55 training questions (48 unanswerable), 23 held-out ones (21)."""
    asked, stated = _poles(query), _poles(sentence)
    return any(
        len(poles) == 1 and group in stated and not poles & stated[group]
        for group, poles in asked.items()
        if group not in CONVERSES
    )


# "Who bought the factory?" is answered by "the factory was sold to AvtoZAZ": one deal seen from
# either side, as "A precedes B" is "B follows A" (rag.lexicon.ORIENTED).
CONVERSES = frozenset({"trade", "trade-flow"}) | ORIENTED


def _poles(text: str) -> dict[str, set[str]]:
    doc = analyze_claim(text)
    out: dict[str, set[str]] = {}
    for i in range(len(doc.stems)):
        compass = COMPASS.get(doc.words[doc.tok_word[i]].low)
        for group, pole in contrast_entries(doc, i) + ([compass] if compass else []):
            out.setdefault(group, set()).add(pole)
    return out
