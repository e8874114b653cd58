"""A relative clause the claim says of one thing, which the passage says of another.

A capable model merging two adjacent sentences of a passage can hang the second sentence's
clause on the first sentence's subject: "The Hawaiian Islands are built from layered basaltic
lava flows that have stayed in place since Cambrian time." from "The Hawaiian Islands ...
consist almost entirely of layered basaltic lava flows. The sedimentary sequences of the
mid-continental United States ... contain ... sedimentary rocks that have remained in place
since Cambrian time." Every word is in the passage, so word overlap calls it supported.

The rule: a restrictive relative clause of the claim ("N that/which/who ...", no comma before
it: a comma's "which" is said of the whole event) whose words stand, in the passage, in
sentences none of which holds a word of what the claim hangs the clause on (the words before
it), while another passage sentence holds those, is said of something else. Two sentences
side by side where the later one refers back ("This section is 86 km long" after "The river
makes a turn to the north") speak of one thing and are read together.

Measured before it shipped (fires on supported / unsupported pairs): llm_answers_dev 0 / 1
(the Hawaii sentence above), grounding_pairs_dev 0 / 0, the SQuAD-derived pairs
(eval/support_pairs.py) 1 / 3 of 15,911, the one supported a garbled question-statement
("John Mayow name the part of air that caused combustion nitroaereus.").
"""

from __future__ import annotations

from rag.claims import Doc
from rag.lexicon import FUNCTION_WORDS

_RELATIVES = frozenset({"that", "which", "who", "whose"})
# After a "that" of reported speech ("found that the projection ...") comes a subject, after a
# relative "that" a verb: these words open a subject.
_SUBJECT_OPENERS = frozenset(
    "the a an this these those it he she they we i there its his her their our".split()
)
# A sentence opening with these continues the one before it.
_REFERS_BACK = frozenset("this these it they such that those its their he she his her".split())
_MIN_CLAUSE = 2  # plain words of the clause found together in one passage sentence


def check_grafts(c: Doc, p: Doc, claim: str, conflicts: list[str]) -> None:
    token_of = {w: k for k, w in enumerate(c.tok_word)}
    for r, word in enumerate(c.words):
        if word.low not in _RELATIVES or not 0 < r < len(c.words) - 1:
            continue
        head, after = c.words[r - 1], c.words[r + 1]
        if word.low == "that" and (after.low in _SUBJECT_OPENERS or after.raw[:1].isupper()):
            continue
        if r - 1 not in token_of or head.low in FUNCTION_WORDS:
            continue  # "from which", "in that": a preposition's object, not a noun's clause
        if claim[head.end : word.start].strip():
            continue  # ", which ...": said of the whole event
        sentence = c.tok_sentence[token_of[r - 1]]
        main = _plain_stems(
            c, [k for k, w in enumerate(c.tok_word) if w < r and c.tok_sentence[k] == sentence]
        )
        clause = _plain_stems(c, _clause_tokens(c, r))
        if len(clause) < _MIN_CLAUSE or not main:
            continue
        here = _sentences_holding(p, clause, max(_MIN_CLAUSE, (len(clause) + 1) // 2))
        mains = _sentences_holding(p, main, 2)
        if not here or not mains or set(here) & set(_sentences_holding(p, main, 1)):
            continue
        if any(abs(m - k) == 1 and _refers_back(p, max(m, k)) for m in mains for k in here):
            continue
        text = " ".join(w.raw for w in c.words[r - 1 : r + 4])
        conflicts.append(f"'{text} ...' is said of something else in the passage")
        return


def _plain_stems(c: Doc, toks: list[int]) -> set[str]:
    return {
        c.stems[k]
        for k in toks
        if not c.is_item[k] and c.words[c.tok_word[k]].low not in FUNCTION_WORDS
    }


def _clause_tokens(c: Doc, r: int) -> list[int]:
    """Content tokens after word r up to the end of their clause."""
    out: list[int] = []
    for k, w in enumerate(c.tok_word):
        if w <= r:
            continue
        if out and c.tok_clause[k] != c.tok_clause[out[0]]:
            break
        out.append(k)
    return out


def _sentences_holding(p: Doc, stems: set[str], need: int) -> list[int]:
    """Passage sentences holding at least `need` of `stems`."""
    found: dict[int, set[str]] = {}
    for s in stems:
        for pos in p.positions.get(s, []):
            found.setdefault(p.tok_sentence[pos], set()).add(s)
    return [k for k, v in found.items() if len(v) >= need]


def _refers_back(p: Doc, sentence: int) -> bool:
    first = next((w for w, k in zip(p.words, p.word_sentence, strict=True) if k == sentence), None)
    return first is not None and first.low in _REFERS_BACK
