"""Deterministic, offline support scorer: does a passage support a claim sentence?

The score is lexical (content-token recall of the claim in the passage plus bigram overlap),
and on top of it sit hard requirements that lexical overlap alone gets wrong:

- every number, percentage, amount of money, ordinal and date of the claim must appear in the
  passage (values are compared, so "370 million" == "370,000,000"), and, when the passage holds
  several of them, the claim's words must sit next to the one it names (so "the order expires
  on Dec. 19" fails against "expires on Dec. 22 ... hearing on Dec. 19"), unless the claim
  repeats a longer phrase touching that value than any other ("32% of secondary enrollment" in a
  list of shares; a bracketed conversion is skipped); "20th" is found as "twentieth", and "no
  more than" turns a qualifier round;
- three adjacent plain words of the claim must not all be absent from the passage: such a
  phrase states something the passage does not ("... over rising wool import duties");
- capitalised names, multi-word proper nouns and acronyms must appear (a bare surname in the
  passage satisfies a full name in the claim; "CEO" matches "chief executive officer", "US"
  "United States", "European" "Europe"; a possessive ends a name; "Together", "Another" are
  not names, and such connectives do not count toward the lexical score; the document's
  subject, named in its title, may be left unsaid by the passage sentence the claim follows);
- a date whose fields the passage gives apart must not meet a passage date that gives one of
  them another value ("July 9, 1756" vs "July 9, 1755 ... in 1756");
- two values of the claim must not have traded anchors ("expires Dec. 19, hearing Dec. 22" vs
  "expire on Dec. 22 ... hearing ... Dec. 19"); one value moved to the end is fine;
- two names must not have traded sides of the same word ("Ma, who had succeeded Zhang" vs
  "Zhang, who had succeeded Ma"; the passive "by" reverses the sides);
- "before" an event must not be "after" it in the passage ("before the merger" vs "subsequent to
  the merger");
- negation must agree ("did not invest" vs "invested"), a clause denied on both sides agreeing
  wherever its cue stands ("None of the attacks succeeded" vs "None succeeded");
- a claim word from a small contrast lexicon (rose/fell, monthly/daily, deliberately/
  accidentally, ...) must not meet its opposite where the passage talks about the same thing
  (a sentence holding the words around it);
  converse words (precede/follow) are compared with the sides of their arguments;
- a claim that follows a passage sentence word for word but for a short stretch must not hold
  there a word the passage uses only in other sentences ("opened as a free gallery" vs "opened
  as a paid gallery ... free parking": rag/roles.py), nor put a name of its own where the
  passage has another of the claim's names, the first standing elsewhere in that sentence
  ("Orr mapped the ridge, leaving the marshes to Vance" vs "Vance mapped the ridge, while Orr
  walked the marshes"), nor be done to in the claim what it does in the passage by the same
  passive verb ("Ilves was sold by X" vs "the house, sold by Ilves"), nor turn round whose
  relation is who ("B, the assistant of A" vs "A's assistant, B"), nor trade two qualifiers
  of one noun between its clauses ("relied on ground maps, and later checks with aerial maps"
  vs "located ... using aerial maps. Later checks with ground maps ..."), nor name what its
  source sentence calls "the city" with a name the passage gives only later, of something else
  ("Helsinki's population" vs "In Berlin ... the city's population ... Helsinki":
  rag/late_names.py), nor put a name the passage has elsewhere on a word that sentence gives
  another name ("the Rumford engine ... patented in 1849" vs "the Corliss steam engine,
  patented in 1849 ... the Rumford medal": rag/stand_ins.py), nor hang on its subject a
  relative clause that a sentence about something else holds ("basaltic lava flows that have
  stayed in place since Cambrian time" vs "... basaltic lava flows. The sedimentary sequences
  ... contain rocks that have remained in place since Cambrian time": rag/grafts.py).

Any failed requirement makes the claim unsupported; `Support.missing` lists the absent items and
`Support.conflicts` the contradictions. Everything is pure Python + PyStemmer, and the analysis of
a passage is cached because the same chunk is scored against many answer sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.bindings import check_order, check_roles
from rag.claims import Doc, analyze, match_acronyms, prefix_match
from rag.grafts import check_grafts
from rag.late_names import check_late_names
from rag.lexicon import FUNCTION_WORDS
from rag.names import check_entities
from rag.requirements import (
    check_codes,
    check_contrast,
    check_hearsay,
    check_items,
    check_negation,
    check_relations,
    check_when,
)
from rag.roles import (
    check_qualifiers,
    check_sides,
    check_swap,
    check_transplant,
)
from rag.stand_ins import check_stand_ins
from rag.subjects import check_subjects

# The threshold and the recall weight were set by hand; eval/fit_support_threshold.py measures
# them held out by article (llm_answers_dev + SQuAD-derived pairs, 3 folds): the fitted choice
# varies by fold (weight 0.7-0.75, threshold 0.43-0.60) and scores no better held out (balanced
# accuracy 0.756 vs 0.761 and 0.801 vs 0.802), so these stay.
DEFAULT_THRESHOLD = 0.6

# Weighting of the lexical score: recall says "is every claim word there", bigrams reward order.
_RECALL_WEIGHT = 0.75
_FAILED_FACTOR = 0.5  # a claim failing a hard requirement keeps at most half its lexical score
# Consecutive plain claim words the passage lacks (no name, number or date among them) are a
# phrase of content it does not have. Measured on llm_answers_dev and the SQuAD-derived pairs
# (kept / caught against the rule off): a run of 2 costs 19 kept llm_answers_dev sentences; 3
# changes none there and catches 44 more SQuAD-derived pairs (sentences with an added fact) for
# 3 kept lost; 4 catches 8.
_ABSENT_RUN = 3

# --- the scorer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Support:
    """Verdict on one (claim, passage) pair.

    score: 0..1, lexical support (halved when a hard requirement fails);
    supported: score >= threshold and no hard requirement failed (or kept as a paraphrase:
    `semantic`);
    missing: required items of the claim (numbers, dates, names) absent from the passage;
    conflicts: contradictions found (negation, opposite wording, a number tied to other words).
    """

    score: float
    supported: bool
    missing: tuple[str, ...]
    conflicts: tuple[str, ...] = ()
    # MiniLM cosine with the passage's closest sentence, when that (not the words) kept the
    # claim as a paraphrase (rag/paraphrase.py); None otherwise.
    semantic: float | None = None


def support(
    claim: str,
    passage: str,
    threshold: float = DEFAULT_THRESHOLD,
    as_question: bool = False,
    earlier: str = "",
) -> Support:
    """Does `passage` support `claim`? Deterministic; see the module docstring for the rules.

    `as_question=True` reads a question as a claim (the reader's q_support feature) and leaves
    out two rules the reader was fitted without: who does what (rag/subjects.py), since the
    question has lost its auxiliaries ("What was Fort Caroline renamed to" reads "Fort Caroline
    renamed to") and a passive reads as its subject's act; and a phrase the passage lacks
    (_ABSENT_RUN), with which the reader's support digest moves (tests/test_reader.py).

    `earlier` is what the document says before the passage: a name it holds was introduced
    before the passage, so the passage's later mention of it is no sign of a name carried over
    from there (rag/late_names.py), and a person it names in full is the one the passage calls
    by surname (rag/names.py)."""
    c = analyze(claim)
    p = analyze(passage)
    missing: list[str] = []
    conflicts: list[str] = []
    n = len(c.stems)
    matched = [False] * n
    weight = [1.0] * n

    check_items(c, p, missing, conflicts)
    check_codes(c, p, missing)
    early = analyze(earlier) if earlier else None
    names = check_entities(c, p, matched, weight, missing, early)

    for i, s in enumerate(c.stems):
        if not matched[i] and (s in p.positions or prefix_match(s, p)):
            matched[i] = True
    match_acronyms(c, p, matched)

    plain = [
        i for i in range(n) if not c.is_item[i] and c.words[c.tok_word[i]].low not in FUNCTION_WORDS
    ]
    phrase = None if as_question else _absent_phrase(c, plain, matched)
    if phrase:
        missing.append(phrase)
    total = sum(weight[i] for i in plain)
    recall = sum(weight[i] for i in plain if matched[i]) / total if total else 1.0
    pairs = list(zip(plain, plain[1:], strict=False))
    if pairs:
        hits = sum((c.stems[a], c.stems[b]) in p.bigrams for a, b in pairs)
        bigram = hits / len(pairs)
    else:
        bigram = recall
    score = _RECALL_WEIGHT * recall + (1 - _RECALL_WEIGHT) * bigram

    check_negation(c, p, conflicts)
    check_contrast(passage, c, p, conflicts)
    check_hearsay(c, p, conflicts)
    check_roles(c, p, names, conflicts)
    check_order(passage, c, p, conflicts)
    check_transplant(c, p, conflicts)
    check_swap(c, p, conflicts)
    check_sides(c, p, names, conflicts)
    check_when(c, p, conflicts)
    check_relations(claim, passage, conflicts)
    check_qualifiers(c, p, conflicts)
    check_late_names(c, p, conflicts, early)
    if not as_question:
        check_subjects(claim, passage, conflicts)
        check_stand_ins(c, p, passage, conflicts)
        check_grafts(c, p, claim, conflicts)

    failed = bool(missing or conflicts)
    if failed:
        score *= _FAILED_FACTOR
    score = round(score, 4)
    return Support(
        score=score,
        supported=not failed and score >= threshold,
        missing=tuple(dict.fromkeys(missing)),
        conflicts=tuple(dict.fromkeys(conflicts)),
    )


def _absent_phrase(c: Doc, plain: list[int], matched: list[bool]) -> str | None:
    """The first _ABSENT_RUN adjacent plain words of the claim that the passage lacks, quoted;
    a name, a matched word or a stopword between them ends the run."""
    run: list[int] = []
    for k, i in enumerate(plain):
        word = c.words[c.tok_word[i]]
        if matched[i] or word.raw[:1].isupper():
            run = []
            continue
        adjacent = k > 0 and c.tok_word[i] == c.tok_word[plain[k - 1]] + 1
        run = [*run, i] if run and adjacent else [i]
        if len(run) >= _ABSENT_RUN:
            return "'" + " ".join(c.words[c.tok_word[j]].raw for j in run) + "'"
    return None


def unsupported_reason(s: Support) -> str:
    """A short human-readable reason, e.g. "missing: 2021, Jack Ma"; "" when supported."""
    if s.supported:
        return ""
    parts = []
    if s.missing:
        parts.append("missing: " + ", ".join(s.missing))
    if s.conflicts:
        parts.append("conflict: " + "; ".join(s.conflicts))
    if not parts:
        parts.append(f"low overlap ({s.score:.2f})")
    return "; ".join(parts)


is_unsupported_reason = unsupported_reason  # name used in the design brief
