"""A pronoun of the answer hung on one name, where the passage says it of another
(rag/antecedents.py), and a written answer that verification cut down to context
(rag.answerability.after_generation)."""

from __future__ import annotations

from rag.answer import Source
from rag.answerability import Judgement, abstention_text, after_generation
from rag.antecedents import misplaced_pronoun
from rag.reader import default_model
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


def test_a_written_answer_cut_to_context_stands_only_on_the_readers_word() -> None:
    threshold = default_model().threshold
    q = "Why was the harbour walled in 1850?"
    kept = ["The harbour was walled in 1850."]
    low = Judgement(True, round(threshold / 2, 4), (), (), "m")
    high = Judgement(True, min(1.0, threshold + 0.3), (), (), "m")
    cut = after_generation(low, "x [1]. y [1].", 1, q, kept, True, (), (), refused_sentences=1)
    assert not cut.answerable and "part of it is not supported" in abstention_text(q, cut)
    # The reader finds the answer in the passages: what verification kept stands.
    assert after_generation(high, "x [1]. y [1].", 1, q, kept, True, (), (), 1).answerable
    # Nothing refused: a written answer passes on the evidence gate, as before generation.
    assert after_generation(low, "x [1].", 1, q, kept, True, (), (), 0).answerable
    # The extractive backend's picks were already held to the threshold.
    assert after_generation(low, "x [1].", 1, q, kept, False, (), (), 1).answerable
