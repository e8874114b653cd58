"""Sentences of a written reply that are no claims: nothing for a passage to support.

- A caveat in the model's words ("The documents do not say when he took office.",
  rag/refusals.py): kept, uncited, with status `not_stated`.
- A retrieved document's title ("The business behind Alibaba: How China's tech titan makes
  billions"): small models list the sources' titles as their answer. The passage holds the
  words, so the support scorer would keep them; they are dropped with TITLE_WHY.
- A lead-in to what follows ("Here is what the sources say:", a heading copied with its colon):
  dropped with LEAD_IN_WHY. A bullet list of short items completes its lead-in before
  verification (rag/replies.py), so a line still ending in a colon says nothing itself.

Dropping them is no verdict on the model's facts: `refused_claims` leaves them out.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.text import fold_key
from rag.answer import Source

NOT_STATED = "not_stated"
NOT_STATED_WHY = "says the passages do not give this: nothing to verify"
TITLE_WHY = "the title of a retrieved document, not a claim"
LEAD_IN_WHY = "a lead-in to what follows, not a claim"
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


def is_lead_in(sentence: str, cited: bool) -> bool:
    """An uncited line ending in a colon: it introduces what follows."""
    return not cited and sentence.rstrip().endswith(":")


def refused_claims(checks) -> int:
    """How many sentences (rag.answer.SentenceCheck) verification refused as claims: not the
    titles and lead-ins it dropped as no claim at all."""
    return sum(
        c.verdict == "unsupported" and c.reason not in (TITLE_WHY, LEAD_IN_WHY) for c in checks
    )
