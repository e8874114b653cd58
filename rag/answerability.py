"""Do the retrieved passages answer the question? Abstention is decided here, and only here.

`judge` runs before generation. The fitted reader (rag/reader.py, weights in
rag/models/reader.json, fitted by eval/fit_reader.py on SQuAD 2.0 articles split by article)
ranks every sentence of the retrieved passages, finds the short answer phrase in the best ones,
and gives P(answerable); below the model's threshold (chosen for a stated abstention precision)
the extractive backend does not answer, nor when the question puts one of the passage's names
on a word the passage gives another name, pins a year or number the quoted sentence gives
otherwise, asserts a negation the sentence does not make (a word of its own, or a prefix:
"non-governmental"), uses a word whose opposite the sentence uses, or gets a short answer of
another kind than it asks (no year for "in what year"); a yes/no question is answered by the
sentence that says otherwise, so only the first of these applies to it
(rag/question_checks.py). Nor when the sentence's document never mentions a name the question
asks about ("Who is the mayor of Fresno?" of the Warsaw article; rag/unmentioned.py), nor when
the question asks an attribute's value the sentence never names and a model fitted on such
near misses takes it for one ("What was Alibaba's total revenue?" of its AI investments;
rag/near_miss.py).
Before a backend that writes its own answer, only the evidence gate (the passages hold no answer
at all) abstains: verification judges the rest. A question with no content words at all ("What
is it?", "*") cannot be judged and is not answered either.
`after_generation` has the last word once a backend has written: a refusal ("NOT IN
DOCUMENTS"), an empty reply, or an answer none of whose sentences survived verification
abstains too. `abstention_text` words the reply for all of these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from index.text import (
    neutralise_markers,
    normalize_answer,
    sentence_spans,
    squash,
    strip_markers,
    tokens,
)
from index.units import one_line
from rag.answer import Source
from rag.answer_features import states_a_number, states_a_time, states_a_version
from rag.code_answers import states_an_exception
from rag.near_miss import near_miss
from rag.prompt import NOT_FOUND
from rag.question import analyse, coverage, untrusted
from rag.question_checks import (
    denies,
    misses_the_kind,
    neighbours,
    opposes,
    pins_another,
    polar,
    splices,
    stands_in,
    unprefixed,
)
from rag.reader import answer_phrase, default_model, read
from rag.refusals import opens_with_refusal
from rag.unmentioned import unmentioned


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage that may answer."""

    source: int  # 0-based index into the retrieved sources
    start: int  # offsets into sources[source].text
    end: int
    text: str
    score: float  # higher is better (the reader's probability that this sentence answers)
    answer: str | None = None  # short answer span, an exact substring of text, if known


@dataclass(frozen=True)
class Judgement:
    answerable: bool
    probability: float | None  # P(answerable) when a fitted model decided, else None
    uncovered: tuple[str, ...]  # question words no passage covers (for the message)
    candidates: tuple[Candidate, ...]  # ranked best first
    model: str  # the reader model's version
    reason: str = ""  # why not answerable, for the message
    # The question's names that the best sentence's document never mentions (rag/unmentioned.py),
    # or the attribute it asks for that the best sentence never names (rag/near_miss.py), and
    # that document's title
    unmentioned: tuple[str, ...] = ()
    unmentioned_in: str = ""


def judge(
    query: str,
    sources: Sequence[Source],
    embed: Callable[[list[str]], np.ndarray],
    query_vec: np.ndarray | None = None,
    writes_answer: bool = False,
    document: Callable[[Source], str] = lambda s: s.title + "\n\n" + s.text,
) -> Judgement:
    """Before generation: is there evidence for `query` in `sources`, and which sentences?

    Before a backend that writes its own answer (`writes_answer`), only the evidence gate
    decides here: whether the passages hold an answer to a question worded like their sentences
    is left to verification, which checks every sentence the model writes. Two gates in series
    would add their false abstentions, and the answerability gate buys no more certainty as
    P(answerable) falls: on the 8 held-out SQuAD articles its abstention precision is 0.83-0.88
    at every threshold from 0.08 to 0.244, and 0.9 holds at no threshold across articles
    (eval/fit_gate.py). The extractive backend copies the reader's picks, which nothing checks
    afterwards: there the fitted threshold decides. `document` gives a source's document (title
    and text) for rag/unmentioned.py; without a store, the passage stands for it."""
    model = default_model()
    # "AND OR NOT" is no acronym: judged in lower case, a question of only such words has none.
    if not analyse(query).focus or not analyse(query.lower()).focus:
        return Judgement(False, None, (), (), model.version, "rephrase")
    reading = read(query, sources, embed, query_vec, model, exclude=untrusted)
    candidates = tuple(
        Candidate(p.source, p.start, p.end, p.text, p.probability, p.answer) for p in reading.picks
    )
    uncovered = tuple(_surface_words(query, list(reading.uncovered)))
    answerable = (reading.held if writes_answer else reading.answerable) and bool(candidates)
    if answerable and not writes_answer:
        top = candidates[0]
        passage = sources[top.source].text
        if (
            stands_in(query, passage)
            or splices(query, [s.text for s in sources])
            or _turns_away(query, top, passage)
        ):
            answerable = False
        elif names := tuple(unmentioned(query, partial(document, sources[top.source]))):
            return Judgement(
                False, round(reading.p_answerable, 4), uncovered, candidates, reading.model,
                "unmentioned", names, sources[top.source].title,
            )  # fmt: skip
        elif attribute := near_miss(query, top.text, reading.x):
            return Judgement(
                False, round(reading.p_answerable, 4), uncovered, candidates, reading.model,
                "near miss", (attribute,), sources[top.source].title,
            )  # fmt: skip
    return Judgement(
        answerable, round(reading.p_answerable, 4), uncovered, candidates, reading.model
    )


def _turns_away(query: str, top: Candidate, passage: str) -> bool:
    """The quoted sentence pins another year or number, makes no negation the question makes,
    or says the opposite; or its short answer is no period or measure where one is asked
    (rag/question_checks.py). Not of a yes/no question: "Is the Rhine the
    shortest river in Germany?" is answered by "The Rhine is the longest river in Germany."."""
    if polar(query):
        return False
    around = neighbours(passage, top.start, top.end)
    return (
        pins_another(query, top.text)
        or denies(query, top.text, around)
        or opposes(query, top.text)
        or unprefixed(query, top.text)
        or misses_the_kind(query, top.answer)
    )


def on_topic(query: str) -> Callable[[str], bool]:
    """A claim addresses the question when it holds one of its focus words (small models copy
    headlines from the sources)."""
    info = analyse(query)
    return lambda claim: coverage(info, claim)[0] > 0


def refused(text: str) -> bool:
    """An empty reply, the model's "NOT IN DOCUMENTS", or a reply whose first sentence says so in
    its own words ("The documents do not state ...", rag/refusals.py)."""
    return not text.strip() or NOT_FOUND.lower() in text.lower() or opens_with_refusal(text)


def after_generation(
    judgement: Judgement,
    text: str,
    citations: int,
    query: str = "",
    kept: Sequence[str] = (),
    writes_answer: bool = True,
    not_stated: Sequence[str] = (),
    passages: Sequence[str] = (),
    refused_sentences: int = 0,
    rests_on_top: bool = True,
) -> Judgement:
    """The last word once a backend has written `text` and verification kept `citations` of it
    (the sentences `kept`): a refusal, an empty reply or nothing verified abstains; so does a
    reply whose only kept sentences say the passages lack the answer (`not_stated`).
    `writes_answer`: the backend wrote the text (not the extractive one, which quotes).

    So does an answer to a "How many ...?" question none of whose verified sentences states a
    number, whichever backend wrote it: a count is what was asked. A model's invented count is
    dropped and the context around it survives ("Alibaba Cloud launched Tongyi Qianwen in
    April." for "How many parameters ...?"); the extractive pick can be a sentence on the topic
    with no count in it ("large language" for the same question). In llm_answers_dev end to
    end: invented answers dropped 19 -> 20/28, faithful answers abstaining unchanged (3/79).
    Likewise a "When ...?" question none of whose verified sentences says when (a date, a time
    word or a clause of time, rag.answer_features.states_a_time): "In bays where ctenophores are
    very numerous, their predation can keep copepod populations in check." is left of an answer
    to "When are copepod populations abundant?" whose invented season was dropped. And a
    "Which version ...?" question none of whose verified sentences gives a version of what it
    asks about (rag.answer_features.states_a_version): a Sphinx page's "Changed in version
    3.11: Raises TypeError ..." is no answer to "In which version was contextlib.nested
    removed?". And a "Which exception ...?" question none of whose verified sentences names an
    exception, when the retrieved `passages` name exceptions at all (code documentation:
    rag.code_answers.states_an_exception).

    A written answer part of which verification refused (`refused_sentences`) stands only
    when what it keeps still cites the passage sentence the reader ranks first (`rests_on_top`).
    The reader ranks the sentences without the model's reply, so its first is where the answer
    should be; when the sentences refused were built on it and the rest cite elsewhere, what is
    left is the context around an answer that did not hold ("Sacramento is the state capital,
    about 170 miles north of Fresno." for "What does Sacramento mean in Spanish?", whose "its
    name means 'ash tree'" was Fresno's). In llm_answers_dev end to end: invented answers
    dropped 24 -> 26/28 (with rag/antecedents.py), faithful answers abstaining 2 -> 3/79 (one
    whose sentence on the top passage verification refused). Measured against: abstaining
    when P(answerable) is below the reader's threshold instead, 25/28 for the same 3/79; both,
    27/28 for 4/79 (above the 5% of faithful answers the issue allows).
    """
    if refused(text):
        return replace(judgement, answerable=False, uncovered=())
    if citations == 0 and not_stated:
        # "The documents do not name DeepSeek's CEO." after context verification refused: the
        # model declined to answer, which is a refusal, not an answer that failed.
        return replace(judgement, answerable=False, uncovered=())
    if citations == 0:  # the backend answered, and verification kept none of it
        # The extractive backend wrote nothing: its picks are the passages' own sentences, and
        # none of them addresses the question, which the usual message says.
        reason = "unverified" if writes_answer else ""
        return replace(judgement, answerable=False, uncovered=(), reason=reason)
    exception = partial(states_an_exception, passages=passages)
    stated = (states_a_number, states_a_time, states_a_version, exception)
    if not all(states(query, kept) for states in stated):
        # A written answer kept only sentences around the count, time, version or exception
        # asked for: its own answer to the question was refused, or never given.
        reason = "unverified" if writes_answer else ""
        return replace(judgement, answerable=False, uncovered=(), reason=reason)
    if writes_answer and refused_sentences and not rests_on_top:
        return replace(judgement, answerable=False, uncovered=(), reason="partly unverified")
    return judgement


def cites_top(judgement: Judgement, sources: Sequence[Source], citations: Sequence) -> bool:
    """Does one of `citations` (rag.answer.Citation) cover the sentence the reader ranks first?
    True when the reader ranked none."""
    if not judgement.candidates:
        return True
    top = judgement.candidates[0]
    src = sources[top.source]
    a, b = src.start + top.start, src.start + top.end
    return any(c.source == src.source and c.start < b and a < c.end for c in citations)


def abstention_text(query: str, judgement: Judgement) -> str:
    if judgement.reason == "rephrase":
        return (
            f'"{query}" names nothing to look for; rephrase the question with the name, '
            "term or event you mean."
        )
    text = f'The documents do not say: "{query}".'
    if judgement.reason == "unverified":
        # Not "the passages do not state it": they may, and the model got it wrong. The user is
        # told an answer was written and refused (its sentences and reasons are in the details).
        return text + (
            " An answer was written from the passages found, but no sentence of it that"
            " addresses the question is supported by them, so it is not shown."
        )
    if judgement.reason == "partly unverified":
        return text + (
            " An answer was written from the passages found, but part of it is not supported by"
            " them, and what is left does not rest on the passage that answers the question, so it"
            " is not shown."
        )
    if judgement.reason == "unmentioned" and judgement.candidates:
        return text + (
            f' The closest sentence found is in "{judgement.unmentioned_in}", which never mentions '
            + " or ".join(judgement.unmentioned)
            + "."
        )
    if judgement.reason == "near miss" and judgement.candidates:
        return text + (
            f' The closest sentence found, in "{judgement.unmentioned_in}", does not give the '
            f"{judgement.unmentioned[0]} asked about."
        )
    if judgement.uncovered:
        return text + " Not covered by any passage: " + ", ".join(judgement.uncovered) + "."
    return text + " The passages found mention the topic but do not state the answer."


def direct_answer(judgement: Judgement, answer_text: str, query: str) -> str | None:
    """The short answer: the top candidate's phrase when the answer still holds its sentence
    (extractive), else the reader's phrase in the answer's first sentence (a model's words)."""
    if not judgement.answerable:
        return None
    plain = strip_markers(answer_text)
    top = judgement.candidates[0] if judgement.candidates else None
    if top is not None and (squash(top.text) in squash(plain) or one_line(top.text) in plain):
        return top.answer
    spans = sentence_spans(plain)
    if not spans:
        return None
    return answer_phrase(query, plain[spans[0][0] : spans[0][1]])


def _surface_words(question: str, stems: list[str]) -> list[str]:
    """The question's own words behind the stemmed tokens, for a readable message."""
    wanted = set(stems)
    out: list[str] = []
    for w in re.findall(r"[\w’'-]+", question):
        toks = tokens(w)
        if toks and toks[0] in wanted and w not in out:
            out.append(w)
    return out


def evidence_for(short: str, judgement: Judgement) -> str | None:
    """For a reply that is only its answer ("Eddie Wu [1]."): the best of the reader's answering
    sentences that holds it, cited, as the claim to verify and the evidence shown under it.

    Such a reply is read as the extractive backend's pick would be, since the sentence shown
    is the passage's own: only when the reader judges the passages to answer (P(answerable) at
    or above its threshold, as for the extractive backend) and one of its ranked sentences
    holds the phrase. Else None: the reply stays a fragment, which verification does not keep."""
    model = default_model()
    if judgement.probability is None or judgement.probability < model.threshold:
        return None
    key = normalize_answer(short)
    for c in judgement.candidates:
        if key and f" {key} " in f" {normalize_answer(c.text)} ":
            return f"{neutralise_markers(' '.join(c.text.split()))} [{c.source + 1}]"
    return None
