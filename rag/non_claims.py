"""Sentences of a written reply that are no claims: nothing for a passage to support.

- A caveat in the model's words ("The documents do not say when he took office.",
  rag/refusals.py): kept, uncited, with status `not_stated`.
- A retrieved document's title ("The business behind Alibaba: How China's tech titan makes
  billions"): small models list the sources' titles as their answer. The passage holds the
  words, so the support scorer would keep them; they are dropped with TITLE_WHY.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.text import fold_key
from rag.answer import Source

NOT_STATED = "not_stated"
NOT_STATED_WHY = "says the passages do not give this: nothing to verify"
TITLE_WHY = "the title of a retrieved document, not a claim"
_STOPS = (".", "!", "?", ";", ",")


def _key(text: str) -> str:
    return fold_key(text.strip().rstrip(" .!?:"))


def title_keys(sources: Sequence[Source]) -> set[str]:
    """The retrieved documents' titles, folded. A title that ends as a sentence is one: a plain
    text file's title is its first line ("SenseTime is a Chinese company that makes computer
    vision software."). Short lines inside passages are not counted: a table row or a list item
    ("Tallinn | Kadri Tamm") is exactly what an extractive answer quotes."""
    return {
        _key(s.title) for s in sources if s.title.strip() and not s.title.strip().endswith(_STOPS)
    }


def is_title(claim: str, keys: set[str]) -> bool:
    return _key(claim) in keys
