"""Sentences of a written reply that are no claims: nothing for a passage to support.

- A caveat in the model's words ("The documents do not say when he took office.",
  rag/refusals.py): kept, uncited, with status `not_stated`.
- A retrieved document's title, or a heading in its passages ("The business behind Alibaba:
  How China's tech titan makes billions"): small models list them as their answer. The passage
  holds the words, so the support scorer would keep them; they are dropped with TITLE_WHY.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.text import fold_key
from rag.answer import Source

NOT_STATED = "not_stated"
NOT_STATED_WHY = "says the passages do not give this: nothing to verify"
TITLE_WHY = "the title or a heading of a retrieved document, not a claim"
_STOPS = (".", "!", "?", ";", ",")
HEADING_WORDS = 12  # a longer line with no closing stop is a sentence cut by layout, not a heading


def _key(text: str) -> str:
    return fold_key(text.strip().rstrip(" .!?:"))


def heading_keys(sources: Sequence[Source]) -> set[str]:
    """The retrieved documents' titles and the headings in their passages (short lines with no
    closing stop), folded."""
    # A line that ends as a sentence is one, even as a title: a plain text file's title is its
    # first line ("SenseTime is a Chinese company that makes computer vision software.").
    out = {
        _key(s.title) for s in sources if s.title.strip() and not s.title.strip().endswith(_STOPS)
    }
    for line in (x.strip() for s in sources for x in s.text.splitlines()):
        if line and len(line.split()) <= HEADING_WORDS and not line.endswith(_STOPS):
            out.add(_key(line))
    return out


def is_heading(claim: str, keys: set[str]) -> bool:
    return _key(claim) in keys
