"""What a question is about: the focus words a passage that answers it should hold, and what no
passage can be (text addressed to the model). The kind of answer it asks for is read by the
reader's question analysis (rag/features.py `question_type`)."""

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

_NUMBER_WORDS = frozenset(tokens("one two three four five six seven eight nine ten"))

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


def analyse(question: str) -> QuestionInfo:
    # Small number words in a question count the answer ("which three platforms"), so a
    # passage listing the three need not say "three".
    focus = [
        t for t in dict.fromkeys(tokens(question)) if t not in _GENERIC and t not in _NUMBER_WORDS
    ]
    return QuestionInfo(question, focus)


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
