"""A year the passage gives by counting from one it names: "In 1599 the company was established
and was chartered in the following year" says 1600 (part of the support scorer's date
requirement, rag/requirements.py).

Measured before it shipped: on llm_answers_dev it keeps "Queen Elizabeth chartered the British
East India Company in 1600, the year after it was established", the only verdict it moves on
llm_answers_dev, grounding_pairs_dev and the 15,911 SQuAD-derived pairs.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from index.text import NUMBER_WORDS
from rag.claims import Doc

_N = r"(?P<{}>a|one|two|three|four|five|six|seven|eight|nine|ten|\d{{1,2}})"
_COUNTED = re.compile(
    r"\b(?:the\s+(?:following|next|subsequent)\s+year|the\s+year\s+after"
    rf"|{_N.format('n')}\s+years?\s+later"
    r"|the\s+(?P<prev>previous|preceding|prior)\s+year"
    rf"|{_N.format('m')}\s+years?\s+(?:earlier|before))\b",
    re.IGNORECASE,
)
_COUNT = {"a": 1, "one": 1, **NUMBER_WORDS}
_AROUND = 4  # claim words either side of its year that the counting clause must share one of


def counted_on(c: Doc, idx: int, p: Doc) -> bool:
    """The claim's year is one the passage counts to from the year before it ("the following
    year", "two years later", "the previous year"; counting on from a counted year too), in a
    clause that holds one of the words around the year in the claim: "It reopened two years
    later" after "closed in 2019" gives 2021 to the reopening, not to "shut its doors"."""
    it = c.items[idx]
    if it.cls != "date" or [f for f, _ in it.value] != ["year"]:
        return False
    year = dict(it.value)["year"]
    at = c.item_pos[idx]
    near = {
        c.stems[k]
        for k in range(max(0, at - _AROUND), min(len(c.stems), at + _AROUND + 1))
        if not c.is_item[k]
    }
    dates = [(q.start, dict(q.value)) for q in p.items if q.cls == "date"]
    events = [(a, 0, f["year"]) for a, f in dates if "year" in f]
    for m in _COUNTED.finditer(p.text):
        n, back = m.group("n") or m.group("m"), m.group("prev") or m.group("m")
        step = 1 if not n else _COUNT.get(n.lower()) or int(n)
        events.append((m.start(), 1, -step if back else step))
    starts = [p.words[w].start for w in p.tok_word]
    current = None
    for start, kind, value in sorted(events):
        if kind == 0:
            current = value
            continue
        if current is None:
            continue
        current += value
        if current != year:
            continue
        k = min(bisect_left(starts, start), len(starts) - 1)
        if k >= 0 and any(
            p.stems[j] in near for j in range(len(p.stems)) if p.tok_clause[j] == p.tok_clause[k]
        ):
            return True
    return False
