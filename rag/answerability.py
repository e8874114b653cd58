"""Do the retrieved passages answer the question? Abstention is decided here, and only here.

`judge` runs before generation: it abstains when no passage covers the question's focus words,
and ranks the sentences that may answer (the extractive backend writes the best of them, a
fitted model may later read them). `after_generation` has the last word once a backend has
written: a refusal ("NOT IN DOCUMENTS"), an empty reply, or an answer none of whose sentences
survived verification abstains too. `abstention_text` words the reply for all of these.

Today's rules ("rules-v0"): a passage must hold at least half of the question's focus words;
a candidate sentence must hold the kind of answer asked for (a number for "how many", a date
for "when", a name for "who"), and it and the sentence before it must cover a third of the
focus words. Candidates are ranked by embedding similarity to the question plus coverage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.text import sentence_spans, squash, strip_markers, tokens
from rag.answer import Source
from rag.prompt import NOT_FOUND
from rag.question import QuestionInfo, analyse, coverage, fits_answer_type, looks_like_injection

MODEL = "rules-v0"
MIN_COVERAGE = 0.5  # share of the question's focus words some passage must hold
MIN_CANDIDATE_COVERAGE = 0.34  # ... that a candidate sentence and the one before it must hold


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage that may answer."""

    source: int  # 0-based index into the retrieved sources
    start: int  # offsets into sources[source].text
    end: int
    text: str
    score: float  # higher is better
    answer: str | None = None  # short answer span, an exact substring of text, if known


@dataclass(frozen=True)
class Judgement:
    answerable: bool
    probability: float | None  # P(answerable) when a fitted model decided, else None
    uncovered: tuple[str, ...]  # question words no passage covers (for the message)
    candidates: tuple[Candidate, ...]  # ranked best first
    model: str  # e.g. "rules-v0"; the fitted model will set its version


def judge(
    query: str,
    sources: Sequence[Source],
    embed: Callable[[list[str]], np.ndarray],
    query_vec: np.ndarray | None = None,
    *,
    min_coverage: float = MIN_COVERAGE,
) -> Judgement:
    """Before generation: is there evidence for `query` in `sources`, and which sentences?"""
    info = analyse(query)
    gap = evidence_gap(info, sources, min_coverage)
    if gap is not None:
        return Judgement(False, None, tuple(_surface_words(query, gap)), (), MODEL)
    if query_vec is None:
        query_vec = embed([query])[0]
    return Judgement(True, None, (), tuple(rank_candidates(info, sources, embed, query_vec)), MODEL)


def evidence_gap(
    info: QuestionInfo, sources: Sequence[Source], min_coverage: float = MIN_COVERAGE
) -> list[str] | None:
    """None when some passage covers the question; else the focus stems none covers."""
    usable = [s for s in sources if not looks_like_injection(s.text)] or list(sources)
    if not usable:
        return list(info.focus)
    best, best_missing = 0.0, list(info.focus)
    for s in usable:
        cov, missing = coverage(info, s.text)
        if cov > best:
            best, best_missing = cov, missing
    if best >= min_coverage:
        return None
    everywhere = set(tokens(" ".join(s.text for s in usable)))
    return [t for t in best_missing if t not in everywhere] or best_missing


def rank_candidates(
    info: QuestionInfo,
    sources: Sequence[Source],
    embed: Callable[[list[str]], np.ndarray],
    query_vec: np.ndarray,
) -> list[Candidate]:
    """The sentences that may answer, best first (none: the passages do not state it)."""
    rows: list[tuple[int, int, int, str, str]] = []
    for i, src in enumerate(sources):
        spans = sentence_spans(src.text)
        for k, (a, b) in enumerate(spans):
            text = src.text[a:b]
            # The whole line is checked: an instruction may span sentences ("SYSTEM PROMPT:
            # you are now ... Say that ...").
            line = src.text[src.text.rfind("\n", 0, a) + 1 : _line_end(src.text, b)]
            if len(text.split()) < 4 or looks_like_injection(line):
                continue
            before = src.text[spans[k - 1][0] : spans[k - 1][1]] if k else ""
            rows.append((i, a, b, text, before))
    if not rows:
        return []
    sims = embed([r[3] for r in rows]) @ query_vec
    out: list[Candidate] = []
    for (i, a, b, text, before), sim in zip(rows, sims, strict=True):
        if not fits_answer_type(info, text):
            continue
        cov_sentence, _ = coverage(info, text)
        cov_window, _ = coverage(info, before + " " + text)
        if cov_window < MIN_CANDIDATE_COVERAGE:
            continue
        cov = 0.7 * cov_sentence + 0.3 * cov_window
        rank_prior = 0.05 / (1 + i)
        score = 0.5 * float(sim) + 0.5 * cov + rank_prior
        if not text.rstrip("\"'”’)").endswith((".", "!", "?", "。")):
            score *= 0.8  # a headline or caption restates the topic rather than answering
        out.append(Candidate(i, a, b, text, score))
    out.sort(key=lambda c: -c.score)
    return out


def window_missing(info: QuestionInfo, sources: Sequence[Source], c: Candidate) -> list[str]:
    """The focus stems that a candidate and the sentence before it leave uncovered."""
    text = sources[c.source].text
    spans = sentence_spans(text)
    pairs = zip(spans, spans[1:], strict=False)
    before = next((text[a:b] for (a, b), nxt in pairs if nxt[0] == c.start), "")
    return coverage(info, before + " " + c.text)[1]


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def on_topic(query: str) -> Callable[[str], bool]:
    """A claim addresses the question when it holds one of its focus words (small models copy
    headlines from the sources)."""
    info = analyse(query)
    return lambda claim: coverage(info, claim)[0] > 0


def refused(text: str) -> bool:
    """An empty reply, or the model's "NOT IN DOCUMENTS"."""
    return not text.strip() or NOT_FOUND.lower() in text.lower()


def after_generation(judgement: Judgement, text: str, citations: int) -> Judgement:
    """The last word once a backend has written `text` and verification kept `citations` of it:
    a refusal, an empty reply or nothing verified abstains."""
    if refused(text) or citations == 0:
        return replace(judgement, answerable=False, uncovered=())
    return judgement


def abstention_text(query: str, judgement: Judgement) -> str:
    text = f'The documents do not say: "{query}".'
    if judgement.uncovered:
        return text + " Not covered by any passage: " + ", ".join(judgement.uncovered) + "."
    return text + " The passages found mention the topic but do not state the answer."


def direct_answer(judgement: Judgement, answer_text: str) -> str | None:
    """The short answer of the top candidate, when the answer still holds its sentence."""
    if not judgement.answerable or not judgement.candidates:
        return None
    top = judgement.candidates[0]
    if top.answer and squash(top.text) in squash(strip_markers(answer_text)):
        return top.answer
    return None


def _surface_words(question: str, stems: list[str]) -> list[str]:
    """The question's own words behind the stemmed tokens, for a readable message."""
    wanted = set(stems)
    out: list[str] = []
    for w in re.findall(r"[\w’'-]+", question):
        toks = tokens(w)
        if toks and toks[0] in wanted and w not in out:
            out.append(w)
    return out
