"""The `extractive` backend: no model; answers with the retrieved sentences that best answer.

It writes the top candidate sentence of the judgement (rag/answerability.py ranks them), and a
second one when nearly as good and answering a part of the question the first does not, each
with the [n] marker of its passage. No candidate: an empty reply, which abstains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from index.text import neutralise_markers
from rag.answer import Source
from rag.answerability import Candidate, window_missing
from rag.llm import LLM, Prompt
from rag.question import analyse


class ExtractiveLLM(LLM):
    name = "extractive"
    is_model = False

    def generate(self, prompt: Prompt, stream: bool = False) -> Iterator[str]:
        cands = prompt.judgement.candidates if prompt.judgement else ()
        text = compose(prompt.question, prompt.sources, cands)
        if stream:
            yield from re.findall(r"\S+\s*", text)
        else:
            yield text


def compose(
    question: str,
    sources: Sequence[Source],
    cands: Sequence[Candidate],
    max_sentences: int = 2,
) -> str:
    """Answer text with [n] markers (n = 1-based retrieved source index)."""
    if not cands:
        return ""
    info = analyse(question)
    chosen = [cands[0]]
    covered = set(info.focus) - set(window_missing(info, sources, cands[0]))
    for c in cands[1:]:
        if len(chosen) >= max_sentences:
            break
        # A second sentence only when nearly as good and it answers a part the first does not.
        if c.score < 0.8 * cands[0].score or c.text == chosen[0].text:
            continue
        adds = set(info.focus) - set(window_missing(info, sources, c)) - covered
        if adds:
            chosen.append(c)
            covered |= adds
    return " ".join(f"{neutralise_markers(c.text)} [{c.source + 1}]" for c in chosen)
