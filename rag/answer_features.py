"""The reader's features of a whole question (rag/reader.py): the best sentence's row, the
passages' coverage of the question, and the question read as a claim and checked with the
support scorer. Split from rag/features.py, whose tokens, question reading and sentence rows
they build on; the fitting script and the read path both compute them here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.text import stem
from rag.code_answers import answer_kind, opens_with_bare_label
from rag.features import (
    _NUMBER_WORDS,
    QTYPES,
    SENTENCE_FEATURES,
    Question,
    Sentence,
    _asserted,
    _is_date,
    _is_num,
    _wcov,
    analyse_question,
    content,
    tokenize,
)
from rag.spelling import is_common_word

ANSWER_FEATURES = (
    "p_sent", "logit_sent", "margin", "p_span", "cos", "wcov", "wcov_all", "cov", "names",
    "names_all", "type_fit", "dense", "neg_mismatch", "missing_idf", "missing_all",
    "n_focus", "missing_share", "missing_idf_share", "bigram", "q_support", "q_missing",
    "q_conflict", "typed_miss",
    *(f"q={qt}" for qt in QTYPES),
)  # fmt: skip


def _question_claim(q: Question) -> str:
    """The question as a statement to check ("Who founded X in 1890?" -> "founded X in 1890"):
    the support scorer's hard requirements (names, numbers, negation, opposites) then catch the
    questions written to look answerable (swapped entities, antonyms, added negation)."""
    return " ".join(_asserted(q.toks))


def _window(a: Analysis, k: int) -> str:
    s = a.sentences[k]
    parts = [o.text for o in a.sentences[max(0, k - 1) : k + 2] if o.source == s.source]
    return " ".join(parts)


@dataclass
class Analysis:
    """Everything the three models look at for one question (also what the fitter stores)."""

    question: Question
    sentences: list[Sentence]
    sent_x: np.ndarray
    idf: dict[str, float]


def answer_features(
    a: Analysis, probs: np.ndarray, logits: np.ndarray, top: int, p_span: float
) -> np.ndarray:
    q, x = a.question, a.sent_x
    f = {n: k for k, n in enumerate(SENTENCE_FEATURES)}
    srt = np.sort(probs)[::-1]
    have_all = set().union(*(s.stems for s in a.sentences))
    default = max(a.idf.values(), default=1.0)
    missing_all = [t for t in q.focus if t not in have_all]
    # The evidence gate's shares count only the required words as lacking (Question.required:
    # the focus but a story's plain words), still per focus word as fitted, so a story can only
    # lower them (per required word, "exception" and "get" of "... Which exception do I get?"
    # were 2 of 3 and turned one more question of technical set C away). The counts stay on the
    # whole focus: P(answerable), fitted on SQuAD, reads them as how freely a question rewords
    # its paragraph (answerable ones more), and without a story's words it read chatty questions
    # as less answerable still (P 0.30 -> 0.12 for "I'm worried about timing attacks. What
    # should I use instead of == ?").
    need = q.required
    lacking = [t for t in need if t not in have_all]
    top_stems = a.sentences[top].stems
    need_idf = sum(a.idf.get(t, default) for t in need if t not in top_stems) / (default or 1.0)
    row = [
        float(probs[top]),
        float(logits[top]),
        float(srt[0] - srt[1]) if len(srt) > 1 else 1.0,
        p_span,
        x[top, f["cos"]],
        x[top, f["wcov"]],
        _wcov(q.focus, have_all, a.idf, default),
        x[top, f["cov"]],
        x[top, f["names"]],
        sum(n in have_all for n in q.names) / len(q.names) if q.names else 1.0,
        x[top, f["type_fit"]],
        x[top, f["dense"]],
        x[top, f["neg_mismatch"]],
        x[top, f["missing_idf"]],
        float(len(missing_all)),
        float(len(q.focus)),
        # The same two per focus word: what the evidence gate reads (rag/reader.py
        # EVIDENCE_FEATURES), so a long, chatty question is not judged unanswerable for its
        # length alone.
        len(lacking) / max(len(q.focus), 1),
        need_idf / max(len(q.focus), 1),
        x[top, f["bigram"]],
        *_claim_check(q, _window(a, top)),
        # A number or date question whose best sentence holds no new number or date.
        float(q.qtype in ("how_many", "how_much", "when") and not x[top, f["type_fit"]]),
        *(float(q.qtype == qt) for qt in QTYPES),
    ]
    return np.asarray(row, dtype=np.float64)


def uncovered_focus(q: Question | str, passages: Sequence[str]) -> tuple[str, ...]:
    """The question's content stems that no passage holds (what the abstention message names)."""
    return _uncovered(q, [frozenset(content(p)) for p in passages])


def _uncovered(q: Question | str, stems: Sequence[frozenset[str]]) -> tuple[str, ...]:
    q = analyse_question(q) if isinstance(q, str) else q
    have = set().union(*stems)
    return tuple(t for t in q.required if t not in have)


def _claim_check(q: Question, passage: str) -> tuple[float, float, float]:
    from rag.support import support

    sup = support(_question_claim(q), passage, as_question=True)
    return sup.score, float(len(sup.missing)), float(len(sup.conflicts))


# "How much ...?" questions that ask for an amount of money, a percentage or an age. Measured
# on SQuAD 2.0's qa.jsonl: the evidence of all 37 answerable ones states a number (37
# unanswerable ones ask the same way), where "How much support ...?" and "How long ...?" are
# answered in words ("little"; 6 of 63 and 4 of 19).
_ASKS_AN_AMOUNT = re.compile(
    r"\bwhat (?:percentage|percent)\b|\bhow much (?:money|cash|revenue|profit|funding|capital)\b"
    r"|\bhow much\b[^?]*\b(?:costs?|charge[sd]?|pay|pays|paid|raised?|invest(?:ed)?|spen[dt]|"
    r"earn(?:s|ed)?|worth|fined?|priced?|sell|sold)\b|\bhow old\b",
    re.I,
)


def states_a_number(question: str, sentences: Sequence[str]) -> bool:
    """Does one of `sentences` hold a number beyond the question's own words, when the question
    asks how many, or how much money, what percentage or how old? True for any other question:
    "How fast ...?" or "How much support ...?" are fairly answered in words ("quickly",
    "little"). A number as the reader's answer-type feature sees one (digits, "seventy",
    "thousands", "several"), also inside a compound ("ten-horsepower", "one-half") or in the
    plural ("dozens")."""
    if _ASKS_AN_AMOUNT.search(question):
        return _states(question, sentences, "how_much", _a_count)
    return _states(question, sentences, "how_many", _a_count)


def counted_first(question: str, picks: tuple) -> tuple:
    """For a "How many ...?" question, a direct answer that states no number is none: the
    reader's picks (rag.reader.Pick) with the sentence right after the best one moved first when
    it is a pick whose phrase states one, else with the best pick's phrase dropped (its sentence
    still the evidence). "nbytes=None" is no answer to "Roughly how many characters does
    token_urlsafe produce per random byte?"; the entry's next sentence, "... on average each byte
    results in approximately 1.3 characters", is. Only the next sentence: a number from another
    entry ("Pattern.sub(repl, string, count=0)") answered "How many compiled patterns does the re
    module keep in its cache?", which the pages do not say (technical set A). In qa_sample every
    answered "How many" question's phrase already states a number (21 of 21)."""
    if not picks or states_a_number(question, [picks[0].answer or ""]):
        return picks
    top = picks[0]
    for k, p in enumerate(picks[1:], 1):
        after = p.source == top.source and 0 <= p.start - top.end <= 2
        if after and p.answer and states_a_number(question, [p.answer]):
            return (p, *picks[:k], *picks[k + 1 :])
    return (replace(top, answer=None), *picks[1:])


def _states(question: str, sentences: Sequence[str], qtype: str, test) -> bool:
    """True unless the question is of `qtype` and no token of `sentences` passes
    `test(token, previous word, the question's stems)`."""
    q = analyse_question(question)
    if q.qtype != qtype:
        return True
    qstems = {t.stem for t in q.toks}
    for s in sentences:
        before = ""
        for t in tokenize(s):
            if test(t, before, qstems):
                return True
            before = t.low
    return False


def _a_count(t, before: str, qstems: set[str]) -> bool:
    parts = t.low.split("-")
    numeric = (
        _is_num(t)
        or t.low in _TIMES
        or any(w in _NUMBER_WORDS for p in parts for w in (p, p.removesuffix("s")))
    )
    # A year is a date, not a count: "in late 2022", "since 1998", "the 1990s".
    year = re.fullmatch(r"(1[0-9]|20)\d\d", t.low) and before in _YEAR_BEFORE
    decade = re.fullmatch(r"(1[0-9]|20)\d0s", t.low)
    return t.stem not in qstems and numeric and not (year or decade)


_TIMES = frozenset(("twice", "thrice"))  # "How many times ...?" "twice"
_YEAR_BEFORE = frozenset(
    "in since by until till from to through during of late early mid before after around circa "
    "january february march april may june july august september october november december".split()
)


def states_a_time(question: str, sentences: Sequence[str]) -> bool:
    """Does one of `sentences` say when, beyond the question's own words, when the question asks
    when? True for any other question. A time is a date as the reader's answer-type feature sees
    one ("1755", "July", "the 1990s", "centuries"), a hyphenated or 3-digit year ("mid-2000s",
    "in 911"), a release ("New in version 3.8"), a time noun ("summer", "the Miocene period",
    "World War I", "9000 BP", "years ago") or a clause or phrase of time ("after liberation",
    "when Germany started to build"). Measured on SQuAD 2.0's 362 answerable "when" questions:
    the sentence holding the gold answer says when in 361 (by the reader's date tokens alone:
    330)."""
    return _states(question, sentences, "when", _a_time)


# Words of a version question that say what is asked, not about what: a version note need not
# hold them ("Changed in version 3.10: The strict parameter was added." for "Which Python
# release introduced realpath's strict flag?").
_VERSION_WORDS = frozenset(stem(w) for w in ("python", "version", "release"))
# The events a label names: all a bare label ("Added in version 3.4.") shares with "In which
# Python version was textwrap.dedent added?", of whatever entry it closes.
_EVENT_WORDS = frozenset(
    stem(w) for w in ("added", "introduced", "new", "deprecated", "removed", "changed")
)


def states_a_version(question: str, sentences: Sequence[str]) -> bool:
    """Does one of `sentences` give a version (a number: "3.11", "Windows 10", "GPLv3") and
    name something else the question asks about, when the question asks which version or
    release? True for any other question, and when there is no sentence to judge. A version
    counts however it is introduced ("It arrived in 3.8."), since a model writes in its own
    words: what a note on another thing lacks is the question's subject.

    The "How many ...?" and "When ...?" rules for software: a version is what was asked, and a
    version note about another thing answers nothing. Sphinx pages hold dozens of "Changed in
    version X:" notes, and the reader, finding nothing on a function the page lacks, picks one
    ("Changed in version 3.2: Moved to the version 2 scheme ..." for "Since which version does
    random offer binomialvariate?"). On the technical sets A and C (eval/tech_questions*.jsonl)
    the gold sentence of every one of the 9 answerable version questions passes, and 3 of the 4
    answers given to unanswerable ones fail; SQuAD 2.0 asks no version question."""
    if not sentences or answer_kind(question) != "version":
        return True
    terms = set(analyse_question(question).focus) - _VERSION_WORDS
    # Releases are named by numbers, dotted or not ("3.11:", "Windows 10", "GPLv3"): a sentence
    # without a digit names none. "Which Python version?" names nothing it must be about.
    names = _names(question) & terms
    for s in sentences:
        if not any(ch.isdigit() for ch in s):
            continue
        have = set(content(s))
        if opens_with_bare_label(s):
            # A bare label dates whatever entry it closes: read with what it is quoted with
            # (rag.pipeline.by_document), it must find every name the question asks about.
            about = terms - _EVENT_WORDS
            if (names <= have) if names else (not about or about & have):
                return True
        elif not terms or terms & have:
            return True
    return False


def _names(question: str) -> set[str]:
    """The stems of the question's names: code ("textwrap.dedent", "exit_on_error"), or words
    that are no plain English ("pathlib", "ArgumentParser")."""
    out: set[str] = set()
    for w in re.findall(r"[\w.]*\w", question):
        if re.search(r"[_.\d]|[a-z][A-Z]", w) or not is_common_word(w):
            out.update(content(w))
    return out


def _a_time(t, before: str, qstems: set[str]) -> bool:
    # A time word counts even when the question has it ("What period ...?" "the Jurassic
    # Period"); a date the question gives is no answer.
    return t.low in _TIME_WORDS or (
        t.stem not in qstems
        and bool(
            _is_date(t)
            or re.fullmatch(r"(?:\w+-)?(1[0-9]|20)\d\d(s)?", t.low)
            or (before in _YEAR_BEFORE and re.fullmatch(r"\d{3,4}", t.low))
            or (before in _RELEASE_BEFORE and re.fullmatch(r"\d+(?:\.\d+)+", t.low))
        )
    )


_RELEASE_BEFORE = frozenset("version versions release python".split())
_TIME_WORDS = frozenset(
    "spring summer autumn fall winter season seasons month months week weeks day days night "
    "nights morning evening afternoon hour hours minute minutes era eras age ages period periods "
    "epoch reign dynasty lifetime childhood youth today yesterday tomorrow weekend midnight noon "
    "dawn dusk annually yearly monthly weekly daily war wars ago bp time times century centuries "
    "after before during until till since while when whenever once".split()
)
