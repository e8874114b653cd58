"""The `extractive` backend: no model; answers with the retrieved sentences that best answer.

It writes the reader's best sentence (rag/answerability.py ranks them with the fitted reader),
and the second best too when the reader is unsure between them (its probability is at least
`second_ratio` of the best one's, a ratio fitted with the reader), each with the [n] marker of
its passage. No candidate: an empty reply, which abstains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from index.text import drop_footnotes, neutralise_markers
from index.units import one_line
from rag.answer import Source
from rag.answerability import Candidate
from rag.llm import LLM, Prompt
from rag.reader import default_model


class ExtractiveLLM(LLM):
    name = "extractive"
    is_model = False
    writes_answer = False

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
    second_ratio: float | None = None,
) -> str:
    """Answer text with [n] markers (n = 1-based retrieved source index)."""
    if not cands:
        return ""
    ratio = default_model().second_ratio if second_ratio is None else second_ratio
    chosen = [cands[0]]
    if len(cands) > 1 and cands[1].score >= ratio * cands[0].score:
        # A second sentence is shown only as whole prose: a label line ("Source code:
        # Lib/pathlib.py") or a heading next to the answer is no evidence a reader can use.
        if cands[1].text != cands[0].text and _closes_sentence(cands[1].text):
            chosen.append(cands[1])
    quotes = [
        f"{one_line(neutralise_markers(drop_footnotes(c.text)))} [{c.source + 1}]" for c in chosen
    ]
    # A quote without a closing stop (a list after its lead-in, a line of a README) ends on a
    # line break, so verification reads the next quote as a claim of its own.
    return "".join(
        q + ("" if k == len(quotes) - 1 else " " if _closes_sentence(c.text) else "\n")
        for k, (q, c) in enumerate(zip(quotes, chosen, strict=True))
    )


def _closes_sentence(text: str) -> bool:
    """Ends as prose does: with . ! ? or :, before closing quotes or brackets and an editor's
    note ("... are valued.[citation needed]")."""
    text = re.sub(r"(?:\[[^\[\]]{1,40}\])+\s*$", "", text.rstrip())
    return text.rstrip("\"'”’)]").endswith((".", "!", "?", ":", "。"))
