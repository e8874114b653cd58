"""The `extractive` backend: no model; answers with the retrieved sentences that best answer.

A sentence is a candidate when it holds the kind of answer asked for (a number for "how many",
a date for "when", a name for "who"), and when it and the sentence before it cover at least
half of the question's focus words. Candidates are ranked by embedding similarity to the
question plus focus coverage. No candidate means the documents do not answer: abstain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.chunking import sentence_spans
from rag.answer import Source
from rag.question import (
    QuestionInfo,
    coverage,
    fits_answer_type,
    looks_like_injection,
    neutralise_markers,
)

MIN_COVERAGE = 0.34


@dataclass(frozen=True)
class Candidate:
    source: int  # index into the retrieved sources
    text: str
    score: float
    coverage: float
    missing: tuple[str, ...]


def candidates(
    info: QuestionInfo,
    sources: Sequence[Source],
    embed: Callable[[list[str]], np.ndarray],
    question_vec: np.ndarray,
) -> list[Candidate]:
    rows: list[tuple[int, str, str]] = []
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
            rows.append((i, text, before))
    if not rows:
        return []
    sims = embed([r[1] for r in rows]) @ question_vec
    out: list[Candidate] = []
    for (i, text, before), sim in zip(rows, sims, strict=True):
        if not fits_answer_type(info, text):
            continue
        cov_sentence, _ = coverage(info, text)
        cov_window, missing = coverage(info, before + " " + text)
        if cov_window < MIN_COVERAGE:
            continue
        cov = 0.7 * cov_sentence + 0.3 * cov_window
        rank_prior = 0.05 / (1 + i)
        score = 0.5 * float(sim) + 0.5 * cov + rank_prior
        if not text.rstrip("\"'”’)").endswith((".", "!", "?", "。")):
            score *= 0.8  # a headline or caption restates the topic rather than answering
        out.append(Candidate(i, text, score, cov_window, tuple(missing)))
    out.sort(key=lambda c: -c.score)
    return out


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def compose(info: QuestionInfo, cands: list[Candidate], max_sentences: int = 2) -> str:
    """Answer text with [n] markers (n = 1-based retrieved source index)."""
    if not cands:
        return ""
    chosen = [cands[0]]
    covered = set(info.focus) - set(cands[0].missing)
    for c in cands[1:]:
        if len(chosen) >= max_sentences:
            break
        adds = set(info.focus) - set(c.missing) - covered
        # A second sentence only when nearly as good and it answers a part the first does not.
        if c.score >= 0.8 * cands[0].score and adds and c.text != chosen[0].text:
            chosen.append(c)
            covered |= adds
    return " ".join(f"{neutralise_markers(c.text)} [{c.source + 1}]" for c in chosen)
