"""The sentence after the reader's pick answers when the pick names the thing and the next
sentence states its value (rag/continuation.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.continuation import continued, following
from rag.reader import Pick

TEXT = (
    "MAXYEAR: The largest year number allowed in a date object. MAXYEAR is 9999.\n\n"
    "MINYEAR: The smallest year number allowed. MINYEAR is 1."
)


def _sentence(text: str, source: int = 0) -> SimpleNamespace:
    start = TEXT.index(text)
    return SimpleNamespace(source=source, start=start, end=start + len(text), text=text)


SENTENCES = [
    _sentence(s)
    for s in (
        "MAXYEAR: The largest year number allowed in a date object.",
        "MAXYEAR is 9999.",
        "MINYEAR: The smallest year number allowed.",
        "MINYEAR is 1.",
    )
]
SOURCES = [SimpleNamespace(text=TEXT)]


def _pick(k: int, answer: str | None = "largest") -> Pick:
    s = SENTENCES[k]
    return Pick(s.source, s.start, s.end, s.text, 0.6, answer, 0.4)


def _pair(p):
    return following(p, SENTENCES, SOURCES)


def _scores(both: float):
    return lambda texts: [SimpleNamespace(gap=both) for _ in texts]


def _in_next(text, scores):
    return ("9999", text.index("9999"), 0.8)


@pytest.mark.parametrize(
    ("alone", "both", "phrase", "moved"),
    [
        (-2.0, 1.5, _in_next, True),  # only the pair answers, in its second sentence
        (0.5, 1.5, _in_next, False),  # the pick answers alone: kept as it is
        (-2.0, -0.5, _in_next, False),  # neither answers
        (-2.0, 1.5, lambda text, s: ("largest", text.index("largest"), 0.8), False),
        (-2.0, 1.5, lambda text, s: None, False),  # no phrase strong enough
    ],
)
def test_the_pick_with_its_next_sentence_when_only_that_answers(alone, both, phrase, moved):
    picks = (_pick(0), _pick(2))
    out = continued(picks, alone, _pair, _scores(both), phrase)
    if moved:
        assert out[0].text.endswith("MAXYEAR is 9999.") and out[0].answer == "9999"
        assert out[1] == picks[1]
    else:
        assert out == picks
