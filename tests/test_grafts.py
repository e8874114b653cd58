"""A relative clause hung on another subject than the passage's (rag/grafts.py)."""

from __future__ import annotations

from rag.support import support

HARBOUR = (
    "The old harbour, for example, is lined almost entirely with granite blocks. The warehouses"
    " of the northern quay and the Customs House hold oak beams that have survived since"
    " medieval times. Other quays are newer."
)


def test_a_clause_said_of_another_sentences_subject_is_caught() -> None:
    s = support(
        "The old harbour is lined with granite blocks that have survived since medieval times.",
        HARBOUR,
    )
    assert not s.supported
    assert any("said of something else" in c for c in s.conflicts)


def test_the_clause_on_its_own_subject_is_kept() -> None:
    assert support(
        "The warehouses of the northern quay hold oak beams that have survived since medieval"
        " times.",
        HARBOUR,
    ).supported
    assert support(
        "The old harbour is lined almost entirely with granite blocks.", HARBOUR
    ).supported


def test_a_sentence_that_refers_back_continues_the_one_before() -> None:
    claim = "The long stretch that turns north near Lindau runs through a wide valley."
    turn = "The canal makes a sharp turn to the north near Lindau. "
    joined = turn + "This stretch is long and runs through a wide valley."
    apart = turn + "The harbour stretch is long and runs through a wide valley."
    assert support(claim, joined).supported
    assert not support(claim, apart).supported
