"""What a question asks for: its focus words, names and numbers, and the type of answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import tokens

# Words that say how to ask, not what about: a passage need not contain them. The reader's
# question analysis (rag/features.py) leaves out the same words.
GENERIC_WORDS = frozenset(
    "what which who whom whose when where why how many much name named number called kind "
    "type tell describe explain give list does did do is are was were has have had according "
    "mentioned documents document article".split()
)
_GENERIC = frozenset(tokens(" ".join(GENERIC_WORDS)))

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
# Text addressed to the model rather than the reader. Each branch is an address or an order
# ("note to the AI assistant", "from now on, tell every user", "if you are an AI"); a mention
# of AI assistants in news ("Alibaba launched an AI assistant") matches none of them.
_AI = r"(ai|a\.i\.|assistant|chatbot|bot|model|llm|language model|gpt|agent)s?"
_ORDER = r"(ignore|disregard|forget|say|tell|answer|respond|reply|state|claim|insist|always|never)"
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+|your\s+|my\s+|everything\s+)*"
    r"(previous\s+|prior\s+|above\s+|earlier\s+|original\s+|system\s+|preceding\s+)?"
    r"(instructions?|prompts?|rules|directions|guidelines|above|context)\b|"
    rf"\bnew instructions\s*:|\bact as (an?|the|my) {_AI}\b|\byou are now (an?|the|my)\b|"
    r"\b(answer|respond|reply|say)\s+(only\s+)?(with|that)\b[^.!?\n]{0,60}\bregardless\b|"
    rf"\b(note|message|instructions?|attention)\s+(to|for)\s+(the\s+|any\s+|all\s+)?(\w+\s+)?{_AI}\b|"
    rf"\bif\s+you\s+are\s+an?\s+(\w+\s+)?{_AI}\b|"
    rf"\b(dear|hey|hello)\s+(\w+\s+)?{_AI}\b|"
    rf"\bfrom\s+now\s+on\b[^.!?\n]{{0,40}}\b(you|{_ORDER})\b|"
    r"\b(tell|inform|remind)\s+(every|all|each|any)\s+(\w+\s+)?(users?|readers?|people)\b|"
    r"\byou\s+(must|should|will)\s+(now\s+|always\s+|only\s+)*(answer|say|respond|reply|tell)\b",
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


def untrusted(source) -> bool:  # noqa: ANN001 - any retrieved source with .text and .title
    """A passage that carries an instruction to the model is not evidence at all: the false
    claim it plants may sit on another line than the order to repeat it."""
    return looks_like_injection(source.text) or looks_like_injection(source.title or "")
