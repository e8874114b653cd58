"""The sentence right after the reader's pick, when the answer is there and not in the pick.

Reference text names a thing in one sentence and states its value in the next: "MAXYEAR: The
largest year number allowed in a date or datetime object. MAXYEAR is 9999."; "Popen.poll():
Check if child process has terminated. Set and return returncode attribute. Otherwise, returns
None." The reader ranks the naming sentence first (it shares the question's words) and finds no
answer in it; the sentence after it answers but shares nothing with the question, so it ranks
low. When the span encoder says the best pick does not answer alone (its best phrase scores
below "no answer") and the pick read together with the next sentence of its paragraph does,
with the phrase in that next sentence, the pair is the pick and that phrase its answer.
Answerability is decided before and is not changed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol


class _Scores(Protocol):
    gap: float


class _Pick(Protocol):
    source: int
    start: int
    end: int
    text: str


def following(pick, sentences: Sequence, sources: Sequence):
    """The pick and the sentence right after it in its paragraph, as one pick (phrase unset);
    None when it ends its paragraph."""
    after = [s for s in sentences if s.source == pick.source and s.start >= pick.end]
    if not after:
        return None
    nxt = min(after, key=lambda s: s.start)
    text = sources[pick.source].text
    gap = text[pick.end : nxt.start]
    if gap.strip() or "\n\n" in gap:
        return None
    return replace(
        pick,
        end=nxt.end,
        text=text[pick.start : nxt.end],
        answer=None,
        answer_probability=0.0,
    )


def continued(
    picks: tuple,
    alone: float,
    pair_of: Callable[[_Pick], _Pick | None],
    encode: Callable[[list[str]], list[_Scores]],
    phrase: Callable[[str, _Scores], tuple[str, int, float] | None],
) -> tuple:
    """`picks` with the best one read together with its next sentence, when only that answers.

    `alone` is the span encoder's gap (best phrase minus "no answer") for the best pick alone,
    `pair_of(pick)` gives the pick and its next sentence as one pick, `encode(texts)` the span
    encoder's scores for the question against each text, and `phrase(text, scores)` the span
    model's best phrase in a text with its character offset and probability."""
    if not picks or alone > 0:
        return picks
    top = picks[0]
    pair = pair_of(top)
    if pair is None:
        return picks
    (both,) = encode([pair.text])
    if both.gap <= 0:
        return picks
    found = phrase(pair.text, both)
    if found is None or found[1] < len(top.text):
        return picks  # the phrase is in the pick itself: nothing the next sentence adds
    return (replace(pair, answer=found[0], answer_probability=found[2]), *picks[1:])
