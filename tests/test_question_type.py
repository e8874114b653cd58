"""What a question asks for is read from its own wh-word, and a user's condition asserts nothing
(rag/features.py: question_type, the question-as-claim the answerability model checks)."""

import pytest

from rag.answer_features import _question_claim
from rag.features import analyse_question, question_type


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("When did the war end?", "when"),
        ("In which year was the treaty signed?", "when"),
        ("When was the treaty signed, and by whom?", "when"),
        ("How many people lived there when it was founded?", "how_many"),
        # A subordinate "when" asks for no time: the question's own wh-word decides.
        ("What does re.sub return when the pattern does not occur?", "what"),
        ("Who led the army when it won the battle?", "who"),
        # A "when" clause before the question's own wh-word asks for no time either
        # (SQuAD 2.0 dev: 11 of 7,742 questions).
        ("Cost overruns have occurred when the contractor did what?", "what"),
        ("When the Rhine took a right turn what did it create?", "what"),
        ("Islamists were the lesser of two evils when compared to whom?", "who"),
        # A leading condition is skipped.
        ("When I call search on a compiled pattern, where does it start looking?", "where"),
        ("If the file is missing, what happens?", "what"),
    ],
)
def test_the_question_type_is_its_own_wh_word(question: str, qtype: str) -> None:
    assert question_type(question) == qtype


def test_a_negation_inside_a_condition_is_not_asserted() -> None:
    q = analyse_question("Where does search start looking if I don't give pos?")
    assert not q.negated
    assert "n't" not in _question_claim(q) and "give pos" in _question_claim(q)
    # A negation the question asserts is kept: SQuAD's added-negation unanswerables.
    q = analyse_question("What does the committee not do when managing projects?")
    assert q.negated and " not " in f" {_question_claim(q)} "


def test_a_condition_that_opens_the_question_and_every_negation_cue_in_it() -> None:
    # "If" as the first word opens a condition too, and "no" / "without" in it are the user's
    # setting ("something that no longer exists"), not a negation the question asserts.
    q = analyse_question(
        "If a link points at something that no longer exists, what does exists say?"
    )
    assert not q.negated and " no " not in f" {_question_claim(q)} "
    q = analyse_question("Unless I run it without a timeout, which error is raised?")
    assert not q.negated
    # A statement before the question is asserted, its negation included.
    q = analyse_question("AsyncExitStack doesn't implement close(). Which method do I call?")
    assert q.negated
    # A leading "When" is the wh-word, not a condition.
    assert analyse_question("When did the war not end?").negated
