"""A pronoun the answer hangs on one name, where the passage says it of another.

A capable model asked about something the documents do not cover builds its answer from a
neighbour: "What does Sacramento mean in Spanish?" is answered "Sacramento is the state capital,
about 170 miles north of Fresno. In Spanish, its name means "ash tree."" from "The name Fresno
means "ash tree" in Spanish". Read alone, the second sentence's words are all in the passage:
"its" could be anyone's. In the answer it is Sacramento's, the name the question asks about and
the sentence before opens with.

The rule: a sentence opening with "It"/"He"/"She"/"They", or with "its"/"his"/"her"/"their"
among its first words, whose antecedent is plain (the sentence before opens with a name the
question also names, and the sentence does not name it itself) is said of another thing when
the passage sentence holding most of its words names neither that antecedent nor a pronoun of
its kind, and has another name in its place: opening it (for "It ..."), or beside the word the
possessive owns ("The name Fresno" for "its name"). A passage that says "it" or names the
antecedent leaves the sentence to the support scorer.

Measured before it shipped, on llm_answers_dev's 318 sentences against their quotes'
paragraphs (eval/grounding.py, the sentence before and the question given): fires on 0 of 248
supported sentences (41 open with a pronoun or hold one in their first words) and 2 of 70
unsupported ones, both invented answers to unanswerable questions.
"""

from __future__ import annotations

import re

from index.text import STOPWORDS, drop_possessive, sentences_sharing

_WORD = re.compile(r"[A-Za-z][\w’'-]*")
_KIND = {
    **dict.fromkeys(("it", "its"), "it"),
    **dict.fromkeys(("he", "his", "him"), "he"),
    **dict.fromkeys(("she", "her"), "she"),
    **dict.fromkeys(("they", "their", "them"), "they"),
}
_POSSESSIVES = frozenset({"its", "his", "her", "their"})
_LEAD = 4  # a possessive among the sentence's first words ("In Spanish, its name ...")
_NEAR = 2  # words either side of the owned word where the passage's owner stands


def _is_name(m: re.Match, text: str) -> bool:
    """A capitalised word that does not open a sentence or a quotation."""
    before = text[: m.start()].rstrip()
    return m.group()[:1].isupper() and bool(before) and before[-1] not in '.!?"“:'


def _names(text: str) -> list[str]:
    return [drop_possessive(m.group()).lower() for m in _WORD.finditer(text) if _is_name(m, text)]


def _opening_name(sentence: str) -> list[str]:
    """The capitalised run a sentence opens with (its subject, most often): "Sacramento"."""
    run = []
    for m in _WORD.finditer(sentence):
        word = m.group()
        if not word[:1].isupper() or word.lower() in STOPWORDS:
            break
        run.append(drop_possessive(word).lower())
    return run


def misplaced_pronoun(claim: str, previous: str, question: str, passage: str) -> str:
    """The conflict ("'its' of 'sacramento' vs 'fresno'"), or "" (see the module docstring)."""
    words = list(_WORD.finditer(claim))
    if not words or not previous or not question:
        return ""
    antecedent = _opening_name(previous)
    asked = set(_names(question)) | set(_opening_name(question))
    own = {drop_possessive(m.group()).lower() for m in words}
    if not antecedent or not set(antecedent) & asked or set(antecedent) & own:
        return ""
    first = words[0].group().lower()
    lead = [m.group().lower() for m in words[:_LEAD]]
    owned = ""
    if first in _KIND and first not in _POSSESSIVES:
        pronoun = first
    else:
        at = next((i for i, w in enumerate(lead) if w in _POSSESSIVES), None)
        if at is None:
            return ""
        pronoun = lead[at]
        after = [m.group().lower() for m in words[at + 1 : at + 3]]
        owned = next((w for w in after if w not in STOPWORDS), "")
        if not owned:
            return ""
    # The first of the sentences holding most of its words.
    sentence = max(sentences_sharing(claim, passage), key=lambda s: s[1])[0]
    found = list(_WORD.finditer(sentence))
    low = [drop_possessive(m.group()).lower() for m in found]
    if set(antecedent) & set(low) or any(_KIND.get(w) == _KIND[pronoun] for w in low):
        return ""  # the passage names it, or says it of something it referred to before
    if owned:
        others = [
            low[j]
            for i, w in enumerate(low)
            if w.rstrip("s") == owned.rstrip("s")
            for j in range(max(0, i - _NEAR), min(len(found), i + _NEAR + 1))
            if j != i and _is_name(found[j], sentence)
        ]
    else:
        others = _opening_name(sentence)
    others = [o for o in others if o not in own and o not in asked]
    if not others:
        return ""
    return f"'{pronoun}' of '{' '.join(antecedent)}' vs '{others[0]}'"
