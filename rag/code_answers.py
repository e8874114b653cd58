"""Questions about an API are answered by an identifier.

"Which class lets me manipulate Windows paths on a Unix machine?" asks for a class name, and
the reader fitted on SQuAD 2.0 (which has no such questions) ranks first the sentence that
restates the question ("If you want to manipulate Windows paths on a Unix machine (or vice
versa).") over the one after it that names the class. When a question asks for a code entity
by name and the best sentence's phrase is no identifier while one of the next best sentences'
phrase is, that sentence goes first: the answer type decides, as in any typed QA system.

On SQuAD this rule is inert by construction: 24 of its 7,742 questions ask "what method /
function / class ...", and their answers are words, not identifiers (eval figures in the
closing note of the session that added it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.reader import Pick  # rag.reader calls this module: no import at run time

# The nouns by which a user asks for a code entity by name. A word within two words before
# them may qualify ("which itertools function", "what exception is raised").
_CODE_NOUNS = (
    "class|subclass|exception|error|function|method|decorator|module|attribute|parameter|"
    "argument|constant|variable|property|keyword|command|option|flag"
)
_WANTS_CODE = re.compile(
    rf"\b(?:which|what)\s+(?:[\w.]+\s+){{0,2}}?(?:{_CODE_NOUNS})(?:e?s)?\b"
    # "What does replace raise if ...?" asks for an exception by its verb.
    r"|\bwhat\s+(?:does|do|did|will|would|can|could|might)\b[^?]*\b(?:raise|throw)\b",
    re.I,
)
# One identifier: a name, a dotted path, an optional call "()" or decorator "@".
_IDENTIFIER = re.compile(r"@?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?")
# What makes a name code rather than a word: an underscore, a dotted path, a call, a
# decorator, or an inner capital after two lower-case letters (PureWindowsPath,
# JSONDecodeError; not McDonald or iPhone).
_CODE_MARK = re.compile(r"_|\w\.\w|\(\)$|^@|[a-z]{2}[A-Z]")


def wants_code(question: str) -> bool:
    """Does the question ask for a class, function, exception, ... by name?"""
    return bool(_WANTS_CODE.search(question))


def code_like(phrase: str, sentence: str = "") -> bool:
    """Is the phrase one code identifier ("PureWindowsPath", "json.loads", "@cache"), or a
    plain name the sentence calls ("pairwise(iterable): Return ...")?"""
    s = phrase.strip()
    if not _IDENTIFIER.fullmatch(s):
        return False
    return (
        bool(_CODE_MARK.search(s))
        or re.search(rf"(?<![\w.]){re.escape(s)}\(", sentence) is not None
    )


def identifier_first(
    question: str, picks: Sequence[Pick], following: Callable[[Pick], Pick | None] = lambda p: None
) -> tuple[Pick, ...]:
    """The picks, with the best one whose phrase is a new identifier first when the question
    asks for a code entity and the best pick's phrase is none (else unchanged).

    When none of them offers one, the sentence right after the best pick may: reference text
    states a rule, then what breaking it raises ("It is an error for changes to contain any
    fields that are defined as having init=False. A ValueError will be raised in this case.").
    `following(pick)` gives that pair as one pick (its phrase unset), or None."""
    picks = tuple(picks)
    if not picks or not wants_code(question):
        return picks
    asked = question.lower()
    top = picks[0].answer
    if top and code_like(top, picks[0].text):
        return picks
    for k, p in enumerate(picks[1:], 1):
        if p.answer and code_like(p.answer, p.text) and p.answer.lower() not in asked:
            return (p, *picks[:k], *picks[k + 1 :])
    pair = following(picks[0])
    if pair is not None:
        tail = pair.text[len(picks[0].text) :]
        name = next(
            (w for w in _IDENTIFIER.findall(tail) if code_like(w, tail) and w.lower() not in asked),
            None,
        )
        if name is not None:
            return (replace(pair, answer=name), *picks[1:])
    return picks
