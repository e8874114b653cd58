"""A pronoun of the answer hung on one name, where the passage says it of another
(rag/antecedents.py), and a written answer that verification cut down to context
(rag.answerability.after_generation)."""

from __future__ import annotations

from rag.answer import Citation, Source
from rag.answerability import (
    Candidate,
    Judgement,
    abstention_text,
    after_generation,
    cites_top,
)
from rag.antecedents import misplaced_pronoun
from rag.verify import verify

TOWNS = (
    "Lindau lies 40 km east of Bregenz, the regional capital. The name Lindau comes from the"
    " lime trees that once lined the harbour. Bregenz hosts a festival on the lake every summer."
)
QUESTION = "Where does the name Bregenz come from?"


def _chunk(i: int, text: str) -> Source:
    return Source(f"c{i}", f"/d{i}.txt", "T", 0, len(text), text, 1.0, 0.5, None)


def test_a_possessive_of_the_asked_name_on_anothers_fact_conflicts() -> None:
    found = misplaced_pronoun(
        "Its name comes from the lime trees that once lined the harbour.",
        "Bregenz is the regional capital, 40 km west of Lindau.",
        QUESTION,
        TOWNS,
    )
    assert "bregenz" in found and "lindau" in found


def test_the_pronoun_of_the_name_the_passage_gives_is_kept() -> None:
    previous = "Lindau lies 40 km east of Bregenz."
    claim = "Its name comes from the lime trees that once lined the harbour."
    # The sentence before opens with Lindau, which the question names: "its" is Lindau's.
    assert not misplaced_pronoun(claim, previous, "Where does Lindau's name come from?", TOWNS)
    # The sentence before opens with a name the question does not ask about: no antecedent.
    assert not misplaced_pronoun(claim, "Lindau lies east of Bregenz.", "What is it?", TOWNS)


def test_a_passage_that_says_it_leaves_the_sentence_to_the_scorer() -> None:
    passage = "Bregenz is the regional capital. Its name comes from a Celtic tribe."
    assert not misplaced_pronoun(
        "Its name comes from a Celtic tribe.", "Bregenz is the capital.", QUESTION, passage
    )


def test_a_subject_pronoun_on_another_names_sentence_conflicts() -> None:
    passage = "Bregenz is the capital. Lindau was founded by fishermen in the ninth century."
    found = misplaced_pronoun(
        "It was founded by fishermen in the ninth century.",
        "Bregenz is the capital of the region.",
        "Who founded Bregenz?",
        passage,
    )
    assert found.startswith("'it' of 'bregenz' vs 'lindau'")


def test_verification_drops_the_sentence_and_says_why() -> None:
    text = (
        "Bregenz is the regional capital, 40 km west of Lindau [1]. "
        "Its name comes from the lime trees that once lined the harbour [1]."
    )
    v = verify(text, [_chunk(1, TOWNS)], question=QUESTION)
    assert [s.status for s in v.sentences] == ["supported", "dropped"]
    assert "vs 'lindau'" in v.sentences[1].reason
    # Without the question the pronoun is anyone's: the words are all in the passage.
    v = verify(text, [_chunk(1, TOWNS)])
    assert [s.status for s in v.sentences] == ["supported", "supported"]


def test_a_written_answer_cut_to_context_stands_only_on_the_readers_top_sentence() -> None:
    passage = _chunk(1, TOWNS)
    top = Candidate(0, 57, 127, TOWNS[57:127], 0.9)  # "The name Lindau comes from ..."
    judged = Judgement(True, 0.6, (), (top,), "m")
    q = "Where does the name Bregenz come from?"
    elsewhere = [Citation(1, "/d1.txt", "T", 0, 56, TOWNS[:56], 0.5)]
    on_top = [Citation(1, "/d1.txt", "T", 57, 127, TOWNS[57:127], 0.5)]
    assert not cites_top(judged, [passage], elsewhere) and cites_top(judged, [passage], on_top)
    kept = [TOWNS[:56]]

    def after(refused: int, rests: bool, writes: bool = True) -> Judgement:
        return after_generation(judged, "x [1]. y [1].", 1, q, kept, writes, (), (), refused, rests)

    cut = after(1, False)
    assert not cut.answerable and "part of it is not supported" in abstention_text(q, cut)
    # What verification kept cites the reader's first sentence: it stands.
    assert after(1, True).answerable
    # Nothing refused: a written answer passes on the evidence gate, as before generation.
    assert after(0, False).answerable
    # The extractive backend quotes the reader's picks: nothing of it was written.
    assert after(1, False, writes=False).answerable
