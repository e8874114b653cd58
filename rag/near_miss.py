"""A question asking for an attribute the quoted sentence never names: the near miss.

"What was Alibaba's total revenue in fiscal year 2024?" of a page that says "Alibaba's AI
investments hit over $10 billion by 2024": the question asks for the value of an attribute
(revenue), the sentence gives a neighbouring one (investments), and every other signal the
reader has says answer: the entity matches, the year matches, a money amount stands where a
money amount is asked for. SQuAD's adversarial unanswerables seldom look like this (their
writers saw the paragraph), so the answerability model, fitted on them, lets it through.

Users ask it often. So a second, narrow model decides for questions of one form only: "What
is/was the ATTRIBUTE of X ...?" or "What is/was X's ATTRIBUTE ...?" whose attribute word the
best sentence does not use. It is a logistic model over the reader's own answer features,
fitted by eval/fit_near_miss.py to tell SQuAD's answerable questions of that form (training
articles) from the same questions with the attribute swapped for another question's attribute
that their article never uses; its threshold turns away at most the evidence gate's budget of
the training articles' answerable questions. The weights, threshold and held-out figures are in
rag/models/near_miss.json.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.text import tokens
from rag.question import GENERIC_WORDS
from rag.reader import Linear

MODEL_FILE = Path(__file__).with_name("models") / "near_miss.json"

# "What was Alibaba's total revenue in ...", "What is the population of ...?": a definite
# attribute ("the", or a name's possessive) up to a preposition, a relative word, a verb or the
# question mark; the attribute is the last word of that phrase. "What is one thing ...",
# "What are public banks ..." ask for instances, not an attribute, and do not match.
_FOLLOW = (
    "of|in|for|on|at|by|during|from|to|that|which|who|when|between|after|before|as|with|per|"
    "under|about|since|does|do|did|is|are|was|were|has|have|had|can|could|will|would"
)
_ASKED = re.compile(
    r"^(?:what|which)\s+(?:was|is|were|are)\s+"
    r"(?:the\s+|(?:[A-Z][\w.’'&-]*\s+)*[A-Z][\w.&-]*['’]s?\s+)"
    r"((?:[a-z][\w-]*\s+){0,3}?[a-z][\w-]*)"
    rf"(?=\s+(?:{_FOLLOW})\b|\s*\?)"
)
# Words whose value shows its kind without the word ("In 1830", "49.2%", "another name for"),
# and participles ("What is the river named after?" asks no attribute).
_FORM = frozenset(
    tokens(
        "year date percentage percent share number amount day month decade century time term "
        "example part use meaning " + " ".join(GENERIC_WORDS)
    )
)
_PARTICIPLES = frozenset(
    "known made built given done seen taken written held found shown thought said put set run "
    "brought kept left lost meant paid sent spent told won".split()
)


def attribute_span(question: str) -> tuple[int, int] | None:
    """Where the attribute word of a "What is the X of Y / What was Y's X" question stands
    (offsets into `question`), or None when the question asks no attribute's value."""
    lead = len(question) - len(question.lstrip())
    q = question.strip()
    m = _ASKED.match(q[:1].lower() + q[1:])
    if not m:
        return None
    word = m.group(1).split()[-1]
    if word.endswith("ed") or word in _PARTICIPLES:
        return None
    stems = tokens(word)
    if not stems or stems[0] in _FORM:
        return None
    return lead + m.end(1) - len(word), lead + m.end(1)


def asked_attribute(question: str) -> str | None:
    """The attribute word a "What is the X of Y / What was Y's X" question asks the value of."""
    span = attribute_span(question)
    return question[span[0] : span[1]] if span else None


def attribute_missing(question: str, sentence: str) -> str | None:
    """The asked attribute (as the question words it) when `sentence` never uses it, else None."""
    word = asked_attribute(question)
    if word is None:
        return None
    return word if tokens(word)[0] not in set(tokens(sentence)) else None


@dataclass(frozen=True)
class NearMissModel(Linear):
    """The reader's kind of linear model over its answer features, with a threshold."""

    threshold: float = field(kw_only=True)  # a logit: below it, the sentence is a near miss
    version: str = field(kw_only=True)

    def score(self, x: np.ndarray) -> float:
        return float(self(np.asarray(x, dtype=np.float64)))


@lru_cache(maxsize=1)
def default_model(path: Path = MODEL_FILE) -> NearMissModel:
    d = json.loads(path.read_text(encoding="utf-8"))
    lin = Linear.from_dict(d)
    return NearMissModel(
        lin.weights, lin.mean, lin.scale, lin.bias, threshold=d["threshold"], version=d["version"]
    )


def near_miss(
    question: str, sentence: str, x: np.ndarray | None, model: NearMissModel | None = None
) -> str | None:
    """The attribute asked for, when the best sentence never names it and the fitted model
    takes the reading (the reader's answer features `x`) for a near miss; else None."""
    word = attribute_missing(question, sentence)
    if word is None or x is None:
        return None
    model = model or default_model()
    return word if model.score(x) < model.threshold else None
