"""What a question asks for: its focus words, names and numbers, and the type of answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import tokens

# Words that say how to ask, not what about: a passage need not contain them.
_GENERIC = frozenset(
    tokens(
        "what which who whom whose when where why how many much name named number called "
        "kind type tell describe explain give list does did do is are was were has have "
        "according mentioned documents document article"
    )
)

_NUMBER_Q = re.compile(
    r"\b(how (many|much|large|big|long|old|far|high|fast|often)|what (percentage|share|"
    r"proportion|amount|number|price|value)|by how much)\b",
    re.I,
)
_DATE_Q = re.compile(
    r"^\s*when\b|\b(what (year|month|date|day|time)|which (year|month|date|day)|"
    r"in which (year|month))\b",
    re.I,
)
_ORDINAL_Q = re.compile(r"\b(which|what) (number|rank|place|position)\b", re.I)
_ENTITY_Q = re.compile(r"^\s*which\s+\w+|\bwhat (is|was) the name\b", re.I)
_COUNT_NOUN = re.compile(
    r"\bhow many ((?:\w+\s+){0,3}?)(\w+)\s+(?:did|does|do|is|are|was|were|has|have|had|will|"
    r"can|could|would|in|of|for|at|by)\b",
    re.I,
)
# Lowercase only: "User First" is a name, "fourth CEO" an ordinal.
_ORDINALS = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(st|nd|rd|th))\b"
)
_NUMBER_WORDS = frozenset(tokens("one two three four five six seven eight nine ten"))
_PERSON_Q = re.compile(r"^\s*(who|whom|whose)\b|\bwho\s+(is|was|were|wrote|led|leads)\b", re.I)

MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn fall winter"
).split()
_HAS_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|trillion|dozen|half|double|triple)\b",
    re.I,
)
_HAS_DATE = re.compile(r"\b(1[89]\d\d|20\d\d)s?\b|\b(" + "|".join(MONTHS) + r")\b", re.I)
_CAP_RUN = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w’'&.-]*(?:\s+[A-Z][\w’'&.-]*)*)")
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(instruction|prompt|rule|above|"
    r"previous|prior|system)|\b(system prompt|you are now|new instructions|act as)\b|"
    r"\b(answer|respond|reply|say)\s+(only\s+)?(with|that)\b[^.!?\n]{0,60}\bregardless\b",
    re.I,
)


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    focus: list[str]  # stemmed content tokens a supporting passage should contain
    names: list[str]  # capitalised names and numbers in the question
    answer_type: str  # "number" | "date" | "person" | "ordinal" | "entity" | "other"
    required: list[str]  # stemmed words an answer sentence must hold ("how many downloads")


def analyse(question: str) -> QuestionInfo:
    # Small number words in a question count the answer ("which three platforms"), so a
    # passage listing the three need not say "three".
    focus = [
        t for t in dict.fromkeys(tokens(question)) if t not in _GENERIC and t not in _NUMBER_WORDS
    ]
    m = _COUNT_NOUN.search(question)
    required = tokens(m.group(2)) if m else []
    if _ORDINAL_Q.search(question):
        kind = "ordinal"
    elif _DATE_Q.search(question):
        kind = "date"
    elif _NUMBER_Q.search(question):
        kind = "number"
    elif _PERSON_Q.search(question):
        kind = "person"
    elif _ENTITY_Q.search(question):
        kind = "entity"
    else:
        kind = "other"
    names = [m.group(1) for m in _CAP_RUN.finditer(question.strip())]
    return QuestionInfo(question, focus, names, kind, required)


def fits_answer_type(info: QuestionInfo, sentence: str) -> bool:
    """Does the sentence hold the kind of thing the question asks for (beyond the question)?"""
    if info.required and not set(info.required) <= set(tokens(sentence)):
        return False
    if info.answer_type == "number":
        rest = _strip_question_words(sentence, info.text)
        return bool(_HAS_NUMBER.search(rest))
    if info.answer_type == "date":
        rest = _strip_question_words(sentence, info.text)
        return bool(_HAS_DATE.search(rest))
    if info.answer_type == "ordinal":
        return bool(_ORDINALS.search(_strip_question_words(sentence, info.text)))
    if info.answer_type in ("person", "entity"):
        q_words = {w.lower() for w in re.findall(r"\w+", info.text)}
        for m in _CAP_RUN.finditer(sentence):
            words = [w for w in re.findall(r"[^\W_]{2,}", m.group(1)) if w.lower() not in q_words]
            if words:
                return True
        return False
    return True


def _strip_question_words(sentence: str, question: str) -> str:
    q_words = {w.lower() for w in re.findall(r"\w+", question)}
    return " ".join(w for w in re.findall(r"[\w$%]+", sentence) if w.lower() not in q_words)


def coverage(info: QuestionInfo, text: str) -> tuple[float, list[str]]:
    """Share of the focus tokens present in text, and the focus tokens it lacks."""
    if not info.focus:
        return 1.0, []
    have = set(tokens(text))
    missing = [t for t in info.focus if t not in have]
    return 1.0 - len(missing) / len(info.focus), missing


def looks_like_injection(text: str) -> bool:
    """Text that addresses the system rather than informs: never evidence, never instruction."""
    return bool(_INJECTION.search(text))
