"""Questions the quoted sentence does not answer, though it shares their words.

SQuAD 2.0's askers wrote unanswerable questions against a paragraph to look answerable: a name
swapped for another of the passage's, a year the passage gives otherwise, an added negation, a
word turned into its opposite (Rajpurkar et al., 2018, table 3). A user asking about a
neighbour of what the documents cover writes the same questions. The fitted reader scores word
overlap and the span encoder's reading, and both are fooled by a sentence that shares every
word but one; each check here reads that one word. `rag.answerability.judge` applies them to
the extractive backend's top pick, which nothing verifies afterwards (a written answer is
judged sentence by sentence by the verifier, whose requirements these mirror).

Each was measured on squad2-dev/qa.jsonl, every question's top pick as the shipped reader reads
it (eval/fit_reader.py --dump-features), counting only the questions the reader does not already
turn away ("marginal"), on the training articles and, apart, on the 8 held-out ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from index.text import ORDINAL_TEENS, ORDINAL_TENS, ORDINAL_WORDS, parse_items, sentence_spans
from rag.claims import analyze as analyze_claim
from rag.claims import contrast_entries
from rag.features import analyse_question
from rag.lexicon import ASKED_OPPOSITES, LACK_WORDS, ORIENTED
from rag.names import spliced_names
from rag.stand_ins import check_stand_ins


def stands_in(query: str, passage: str) -> bool:
    """The question puts a name of the passage on a word the passage gives another name ("In
    what year was the Rumford engine patented?" of "the Corliss steam engine, patented in 1849
    ... the Rumford medal"): how SQuAD 2.0's askers wrote questions to look answerable, and how a
    user asks about a neighbour of what the documents cover. The verifier's stand-in rule
    (rag/stand_ins.py) judges written answers; the extractive pick is the passage's own
    sentence, so the question is judged here. On the 7,742 questions of squad2-dev/qa.jsonl
    against their paragraphs it fires on 42 unanswerable and 3 answerable ones."""
    found: list[str] = []
    check_stand_ins(analyze_claim(query), analyze_claim(passage), passage, found)
    return bool(found)


def splices(query: str, passages: Sequence[str]) -> bool:
    """The question names someone or something by a name no passage holds, spliced from two of
    theirs: "When did Joseph Scheele discover oxygen?" of "Carl Wilhelm Scheele ... and Joseph
    Priestley" (rag.names.spliced_names). The passages are about two others, neither of them
    the one asked about. Marginal firings on squad2-dev/qa.jsonl through the pipeline (the
    extractive answers, all retrieved passages): 28 training questions (25 unanswerable) and 14
    held-out ones (13); answerable ones put a place's adjective before another name ("Florida
    Huguenot colony", "US President"). Applied to yes/no questions too: the passages say nothing
    of the one asked about either way."""
    return bool(spliced_names(analyze_claim(query), lambda: analyze_claim("\n\n".join(passages))))


def pins_another(query: str, sentence: str) -> bool:
    """The question pins a year, month, decade or century, or a number written in digits, and the
    sentence the extractive answer quotes states others of that kind, none of them the
    question's: "Which area of China did Japan conquer in 1935?" of "In 1931 Japan conquered
    Manchuria from China.", "How much had Alibaba invested in AI by 2020?" of "... hit over $10
    billion by 2024". The answer would be about another time or amount; a year after "before",
    "since", "by" or "between" bounds a span ("prior to 2000" holds 1946). Measured on
    squad2-dev/qa.jsonl, each question's top pick as the shipped reader reads it
    (eval/fit_reader.py --dump-features), beside the questions the reader already turns away:
    it fires on 65 more training questions (62 unanswerable) and 31 more held-out ones (29).
    A name numbered in Roman numerals is pinned too, "World War I" is not "World War II" (1
    more training question, unanswerable; 2 more held-out ones, both), and so is a rank in
    digits, "22nd most liveable" is not "32nd" (2 more training questions, 2 held-out ones, all
    unanswerable).
    Through the pipeline on the 2,957 held-out questions: abstention recall 0.202 -> 0.220 at
    precision 0.838 -> 0.850, false abstentions 0.041 and gold in answer 0.862 unchanged."""
    q, s = parse_items(query), parse_items(sentence)
    q_dates, s_dates = _date_fields(q), _date_fields(s)
    years = _year_bounds(query, q)
    if years and s_dates.get("year"):
        if not any(low <= y <= high for low, high in years for y in s_dates["year"]):
            return True
    if any(v and s_dates.get(f) and not v & s_dates[f] for f, v in q_dates.items() if f != "year"):
        return True
    q_nums, s_nums = _digit_numbers(q), _digit_numbers(s)
    for kind in ("num", "ord"):  # an amount is compared with amounts, a rank with ranks
        asked = {v for k, v in q_nums if k == kind}
        stated = {v for k, v in s_nums if k == kind}
        if asked and stated and not asked & stated:
            return True
    q_named, s_named = _numbered_names(query), _numbered_names(sentence)
    return any(n in s_named and not v & s_named[n] for n, v in q_named.items())


# "World War I", "Louis XIV": a name numbered in Roman numerals; "World War II" is another.
_NUMBERED = re.compile(r"\b([A-Z][a-z]+) ((?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))\b")


def _numbered_names(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, numeral in _NUMBERED.findall(text):
        out.setdefault(name, set()).add(numeral)
    return out


# A year after these bounds a span: "prior to 2000" holds 1946, "by 2020" does not hold 2024.
_BEFORE = re.compile(
    r"\b(?:before|prior to|until|till|up to|earlier than|by)\s+(?:the year\s+)?$", re.I
)
_AFTER = re.compile(
    r"\b(?:after|since|later than|following|from|between)\s+(?:the year\s+)?$", re.I
)


def _year_bounds(query: str, items: Sequence) -> list[tuple[float, float]]:
    """The spans of years the question asks about: (y, y) for "in 1935"; a bound for "before
    2000" or "since 1990"; "between 1994 and 1999" and "from 1994 to 1999" are one span."""
    spans: list[tuple[float, float]] = []
    for it in items:
        if it.cls != "date":
            continue
        for field, year in it.value:
            if field != "year":
                continue
            before = query[: it.start]
            if spans and spans[-1][1] == math.inf and re.search(r"\b(?:and|to)\s+$", before):
                spans[-1] = (spans[-1][0], year)  # the end of "between 1994 and 1999"
            elif _BEFORE.search(before):
                spans.append((-math.inf, year))
            elif _AFTER.search(before):
                spans.append((year, math.inf))
            else:
                spans.append((year, year))
    return spans


def _date_fields(items: Sequence) -> dict[str, set[int]]:
    """Each date field stated (year, month, decade, century) -> its values: "July 1755" pins
    a month and a year, "the 19th century" a century; a day alone pins too little, a day of a
    month pins that day ("March 22, 1883" is not "March 29, 1883": 5 questions of qa.jsonl,
    all unanswerable, 3 of them not turned away otherwise, all in training articles)."""
    out: dict[str, set[int]] = {}
    for it in items:
        if it.cls == "date":
            fields = dict(it.value)
            for field, value in fields.items():
                if field != "day":
                    out.setdefault(field, set()).add(value)
            if "day" in fields and "month" in fields:
                out.setdefault("day", set()).add(100 * fields["month"] + fields["day"])
    return out


def _digit_numbers(items: Sequence) -> set[tuple[str, float]]:
    # Digits only: a question's "What two ..." counts the answer's parts, it pins no amount; a
    # rank in words ("the second largest") is often said otherwise ("after only the first").
    return {
        ("ord" if it.kind == "ord" else "num", round(it.value, 6))
        for it in items
        if it.cls == "num"
        and it.kind in ("num", "pct", "ord")
        and any(c.isdigit() for c in it.surface)
    }


def misses_the_kind(query: str, answer: str | None) -> bool:
    """The question asks in what year, decade or century, or how long, far, tall, old, ... and
    the short answer names no such period, or no number or measure: "In what year was Andrew
    Lortie born?" of "Andrew Lortie (born André Lortie), a leading Huguenot theologian ..."
    picks "André"; "In which century was the Grand Canal d'Alsace ended?" picks "1469" of
    another event; "How long is the Central Bridge?" of "Legally, the Central Bridge is the
    boundary between High and Upper Rhine." picks "boundary between High". The sentence that
    answers states what was asked. Marginal firings: periods 7 training questions (7
    unanswerable), 6 held-out ones (6); measures 4 (4) and 7 (5), the two answerable ones
    answered wrongly ("How wide is the Rhine ...?" with "longest suspension bridge", "... how
    old?" with "lagerstätten")."""
    if not answer:
        return False
    asked = _ASKS_PERIOD.search(query)
    if asked:
        return not _NAMES_PERIOD[asked.group(1).lower()].search(answer)
    if _ASKS_MEASURE.search(query):
        return not _NAMES_MEASURE.search(answer)
    return False


_ASKS_PERIOD = re.compile(r"\b(?:what|which) (year|decade|century)\b", re.I)
_ORDINAL_WORDS = "|".join([*ORDINAL_WORDS, *ORDINAL_TEENS, ORDINAL_TENS[0]])  # ... twentieth
# A year names itself in digits; a decade as "the 1970s" (not 1643); a century by its ordinal
# ("the 18th", "nineteenth") or the word (not 1700, nor "3000 years").
_NAMES_PERIOD = {
    "year": re.compile(r"\d|centur|decade", re.I),
    "decade": re.compile(r"\d0['’]?s\b|decade|centur", re.I),
    "century": re.compile(rf"centur|\d(?:st|nd|rd|th)\b|\b(?:{_ORDINAL_WORDS})\b", re.I),
}
_ASKS_MEASURE = re.compile(r"\bhow (?:long|far|tall|high|old|big|large|wide|deep|heavy)\b", re.I)
# A number, a unit or a time word; "a" and "an" too ("a while", "a great distance"): the check
# is for answers that name no amount at all.
_NAMES_MEASURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|"
    r"half|several|few|many|a|an|\w+fold|double|twice|thirds?|quarters?|fifths?|tenths?|"
    r"seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies)|ages|"
    r"millenni(?:um|a)|miles?|km|kilometres?|kilometers?|metres?|meters?|feet|foot|inch(?:es)?|"
    r"yards?|tons?|tonnes?|pounds?|kg|kilograms?|long|short|brief|briefly)\b",
    re.I,
)


def denies(query: str, sentence: str, around: Sequence[str] = ()) -> bool:
    """The question asserts a negation the sentence does not make: "What does the IPCC not
    do?" of "The IPCC does not carry out research" is answered, of "The IPCC reviews the
    literature" is not (SQuAD 2.0's added negations). A negation inside the question's condition
    ("where does it start if I don't give pos?") asserts nothing (rag.features). The sentence
    negates with a cue the verifier reads ("not", "never", "n't", "without", ...) or a word of
    lack ("lacks", "absent", "unable"). The denial may come in a sentence `around` it, of the
    word the question denies: "most notably DeepSeek, an emerging AI competitor." is followed by
    "... Alibaba has opted not to invest in this particular venture" (news B's "Which emerging
    AI competitor did Alibaba choose not to invest in?"). Marginal firings: 103 training
    questions (98 unanswerable), 50 held-out ones (46)."""
    if not _asks_negated(query):
        return False
    doc = analyze_claim(sentence)
    if doc.neg_cues or any(w.low in LACK_WORDS for w in doc.words):
        return False
    denied = _negated_stems(query)
    return not any(_negated_stems(text) & denied for text in around)


def unprefixed(query: str, sentence: str) -> bool:
    """The question negates a word by prefix that the sentence uses bare: "Which non-governmental
    groups are participants?" of "... held at the level of government representatives", "How
    many non-Muslim empires ...?" of "Muslim empires number in the dozens.", "What area remained
    uninhabited?" of "The area has been inhabited for thousands of years." (SQuAD 2.0's
    negations, written into the word). After "non-" words are compared on their first five
    letters, so "governmental" meets "government"; a sentence with the prefixed word too is not
    turned. "un-" is taken off a word only when five letters or more are left ("unknown" is
    "known" negated; "unless" is no negated "less"). Marginal firings: 22 + 9 training
    questions (20 + 9 unanswerable), 13 + 3 held-out ones (13 + 3), "non-" and "not-" then
    "un-"."""
    low = sentence.lower()
    for word in _PREFIXED.findall(query.lower()):
        root = re.escape(word[:5])
        if re.search(rf"\b{root}", low) and not re.search(rf"\b(?:non|not)[- ]?{root}", low):
            return True
    stated = set(_WORD.findall(low))
    return any(
        w.startswith("un") and len(w) >= 7 and w[2:] in stated
        for w in set(_WORD.findall(query.lower())) - stated
    )


# "non-" or "non " ("in cases of non shared medium"), "not-"; "not shared" is a plain negation
# (denies).
_PREFIXED = re.compile(r"\b(?:non[- ]|not-)([a-z]{3,})")
_WORD = re.compile(r"[a-z]+")


def _negated_stems(text: str) -> set[str]:
    doc = analyze_claim(text)
    return {stem for stem, negated in zip(doc.stems, doc.negated, strict=True) if negated}


def neighbours(passage: str, start: int, end: int) -> list[str]:
    """The sentences of `passage` just before and just after the one at [start, end)."""
    spans = sentence_spans(passage)
    before = [passage[a:b] for a, b in spans if b <= start]
    after = [passage[a:b] for a, b in spans if a >= end]
    return before[-1:] + after[:1]


def polar(query: str) -> bool:
    """A yes/no question: its last sentence opens with an auxiliary ("Is ...?", "Did ...?",
    "Can ...?"). The sentence that says otherwise is its answer ("No: ..."), not another
    question's. A second "be" in the same clause ("Was services were not consolidated
    under the new government?") tells a mistyped "What" instead (3 such questions of 7,742 in
    squad2-dev/qa.jsonl, none of them yes/no)."""
    last = _last_sentence(query)
    opening = _POLAR.match(last)
    if not opening:
        return False
    clause = re.split(r"[,;:]|\b(?:that|if|whether|when|because|which|who|or|and)\b", last)[0]
    return not _POLAR_WORD.search(clause[opening.end() :])


_AUXILIARY = (
    r"(?:is|are|was|were|am|do|does|did|can|could|has|have|had|will|would|should|shall|may"
    r"|might|must)(?:n['’]t)?"
)
_POLAR = re.compile(rf"^\W*{_AUXILIARY}\b", re.I)
# "Does it have a lock?", "Did it do that?": have and do are main verbs too; a second "be" is not.
_POLAR_WORD = re.compile(r"\b(?:is|are|was|were|am)(?:n['’]t)?\b", re.I)


def _last_sentence(query: str) -> str:
    spans = sentence_spans(query)
    return query[spans[-1][0] : spans[-1][1]] if spans else query


def _asks_negated(query: str) -> bool:
    """Does what the question asks carry a negation? Only its last sentence asks, its asides
    aside: "My app never set a level on the root logger. Which level does it use?" and "(the one
    that accepts EventTargets too, not the emitter method) — which version added it?" ask
    nothing negated. Nor does "without" ("Which function rearranges it into a heap without
    making a copy?"), nor a condition before the question ("When my script is not attached to
    a terminal, what size ...?"): they say how or when, they do not deny what is asked."""
    last = _LEADING_CLAUSE.sub("", _ASIDES.sub(" ", _last_sentence(query)))
    return analyse_question(last).negated and bool(_DENIES.search(last.lower()))


_ASIDES = re.compile(r"\([^()]*\)|[—–][^—–?]*[—–]")
# "When my script is not attached to a terminal, what size ...?": a condition, then the question.
_LEADING_CLAUSE = re.compile(
    r"^\s*(?:when|if|unless|once|while|whenever|although|though|because|since)\b[^,?]*,\s*"
    r"(?=(?:what|which|who|whom|whose|where|when|why|how)\b)",
    re.I,
)
# "--no-foo" is an option's name, not a denial.
_DENIES = re.compile(r"(?<![-\w])(?:not|never|no|none)(?![-\w])|n['’]t\b")


def opposes(query: str, sentence: str) -> bool:
    """The question uses one pole of a contrast (rose/fell, largest/smallest, public/private,
    northern/southern, male/female, longest/shortest: rag.lexicon) where the sentence uses only
    the other: "Who suggested imperialism was the lowest form of capitalism?" of "... the
    highest form of capitalism", "What is the shortest river in Germany?" of "The Rhine is the
    longest river in Germany." (SQuAD 2.0's antonyms). A question naming both poles ("public or
    private?") pins neither, nor does what a question sets aside ("Outside of X, which ...?").
    Marginal firings: 83 training questions (75 unanswerable), 28 held-out ones (26)."""
    asked, stated = _poles(_EXCLUDING.sub("", query)), _poles(sentence)
    return any(
        len(poles) == 1 and group in stated and not poles & stated[group]
        for group, poles in asked.items()
        if group not in CONVERSES
    )


# "Outside of Northern San Diego, which other region ...?": what the question sets aside pins
# no pole.
_EXCLUDING = re.compile(
    r"^\W*(?:outside of|apart from|aside from|besides|other than|except for|except)\b[^,?]*,", re.I
)
# "Who bought the factory?" is answered by "the factory was sold to AvtoZAZ": one deal seen from
# either side, as "A precedes B" is "B follows A" (rag.lexicon.ORIENTED).
CONVERSES = frozenset({"trade", "trade-flow"}) | ORIENTED


def _poles(text: str) -> dict[str, set[str]]:
    doc = analyze_claim(text)
    out: dict[str, set[str]] = {}
    for i in range(len(doc.stems)):
        for group, pole in contrast_entries(doc, i):
            out.setdefault(group, set()).add(pole)
    for k, w in enumerate(doc.words):
        asked = ASKED_OPPOSITES.get(w.low)
        # "at least two textbooks", "at most" bound a number: they are not "the least"/"most".
        if asked and not (k and doc.words[k - 1].low == "at"):
            out.setdefault(asked[0], set()).add(asked[1])
    return out
