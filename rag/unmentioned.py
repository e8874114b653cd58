"""A name the question asks about that the quoted sentence's document never mentions.

"Who is the mayor of Fresno?" asked of a store whose Fresno article gives no mayor was answered
from the Warsaw article ("The mayor of Warsaw is called President."): the reader found a
sentence of the right shape, and P(answerable) cannot tell that it is about another place,
because SQuAD 2.0, which it was fitted on, asks about the paragraph it shows (its unanswerable
questions name what the paragraph names). Users ask about what they want to know, and the
documents' nearest sentence may be about a neighbour: a city, a country, a product the question
does not name. A document that never mentions the question's name, in any spelling the name rule
accepts, cannot be where the answer is, so the extractive backend does not quote it.

Left out, each for a reason measured on the technical sets: a name in a story told before the
question proper ("fnmatch normalizes case on Windows, which I don't want. Which function ...?"
is about fnmatch's page); a name that types the answer right after the wh-word ("Which Python
version first shipped the secrets module?": the page says "Added in version 3.6", never
"Python"); a single capitalised word opening the question, and function words ("in The black
Sea"); an acronym, which a document may spell out ("NFL", "National Football League"). A people
and its place count as one ("French" / "France", rag/names.py; "Nepalese" / "Nepali").
Measured in the README ("Questions users ask of the Wikipedia articles").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from index.text import STOPWORDS, sentence_spans, tokens
from rag.claims import analyze
from rag.names import _DEMONYM, _IRREGULAR, _entities

# Endings that make a place's people or language beyond rag/names.py's ("Nepal" / "Nepalese",
# "Pakistan" / "Pakistani"), a person of it ("Frenchman", "Englishmen"), and the peoples
# English itself names by more than one place: general knowledge, as in rag/names.py.
_ENDINGS = (*_DEMONYM, "ese", "i", "a")  # "a": "Canada" / "Canadian" share "Canad"
_PERSON = ("man", "men", "woman", "women")
_SAME = {
    "british": ("britain", "uk", "united kingdom", "england", "english", "scotland", "wales"),
    "english": ("england", "britain", "british", "uk"),
}

# "Which Python version", "In which US state", "What French king": the names that type the answer.
_TYPED = re.compile(
    r"^\W*(?i:(?:in|on|at|for|since|by|from|of|to|during|under)\s+)?(?i:which|what|whose)\s+"
    r"((?:[A-Z][\w.&'’-]*\s+)+)"
)
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+")


@lru_cache(maxsize=32)
def _words(document: str) -> tuple[frozenset[str], frozenset[str]]:
    """The document's word stems, and its capitalised words in lower case (cached: a store's few
    documents recur from question to question, and a long manual takes a while to tokenize)."""
    return frozenset(tokens(document)), frozenset(w.lower() for w in _CAPITALISED.findall(document))


def unmentioned(query: str, document: str | Callable[[], str]) -> list[str]:
    """The names of the question proper (its last sentence) that `document` (title and text of
    the document the answer would quote) never mentions. `document` may be a callable, asked
    only when the question has a name to look for (the store decompresses the whole text)."""
    spans = sentence_spans(query)
    asked = query[spans[-1][0] :] if spans else query
    c = analyze(asked)
    typed = _TYPED.match(asked)
    typing = set(typed.group(1).split()) if typed else set()
    out = []
    seen: tuple[frozenset[str], frozenset[str]] | None = None
    for run, required in _entities(c):
        words = [c.words[wi] for wi in run]
        if (
            not required
            or (len(run) == 1 and c.sentence_start[run[0]])
            or all(w.low in STOPWORDS for w in words)
            or any(w.raw in typing for w in words)
            or any(w.raw.isupper() for w in words)
        ):
            continue
        if seen is None:
            seen = _words(document() if callable(document) else document)
        stems, names = seen
        if any(t in stems for w in words for t in tokens(w.raw)):
            continue
        if any(_demonym_in(w.low, stems, names) for w in words):
            continue
        out.append(c.text[words[0].start : words[-1].end])
    return out


def _demonym_in(low: str, stems: frozenset[str], names: frozenset[str]) -> bool:
    """The document names the word's place or its people ("Japan" / "Japanese", "Australia" /
    "Australian", "France" / "Frenchman"), as rag/names.py matches them."""
    for person in _PERSON:
        if low.endswith(person) and len(low) > len(person) + 3:
            low = low[: -len(person)]
            break
    if any(set(tokens(other)) <= stems for other in _SAME.get(low, ())):
        return True
    other = _IRREGULAR.get(low)
    if other is not None and other in names:
        return True
    mine = _bases(low)
    return any(mine & _bases(name) for name in names if name[:3] == low[:3])


def _bases(word: str) -> set[str]:
    """The word, and the word without a people's ending when at least four letters are left:
    "Nepalese" and "Nepali" share "nepal"."""
    cut = {word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= 4}
    return {word} | cut
