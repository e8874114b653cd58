"""A claim name standing in for the passage's name (rag/stand_ins.py), on sentences written for
this test: the question's name put on a neighbour's fact is caught; the same name where the
passage gives that word to it, or another form of the same name, is not."""

from __future__ import annotations

import pytest

from rag.support import support, unsupported_reason

FURNACE = (
    "The peak of the design was the Siemens regenerative furnace, patented in 1856, which was "
    "a two-chamber furnace with separate gas and air flues. When Siemens received the Bessemer "
    "medal the jury called it the greatest advance since the blast furnace."
)


def test_name_on_a_neighbours_fact_is_caught() -> None:
    s = support("The Bessemer furnace, a two-chamber design, was patented in 1856.", FURNACE)
    assert not s.supported
    assert "'Bessemer furnace' vs 'Siemens ... furnace'" in unsupported_reason(s)


def test_the_passages_own_name_is_kept() -> None:
    s = support("The Siemens furnace, a two-chamber design, was patented in 1856.", FURNACE)
    assert s.supported, s


@pytest.mark.parametrize(
    "claim, passage",
    [
        # The claim's name is the owner of the word's name ("Musk's company" is Tesla).
        (
            "The regulator will decide once Tesla shows the system is safe.",
            "Tesla has asked for a hearing. The regulator will decide only after Elon Musk's "
            "company shows the system is safe.",
        ),
        # The passage's name is an acronym of the claim's ("S&P" for "Standard & Poor").
        (
            "Standard & Poor recommend wider access to education.",
            "Standard & Poor is an agency. In 2014 S&P recommend wider access to education.",
        ),
        # Another form of the same name: a demonym.
        (
            "The general called US foreign policy a racket.",
            "A general of the US Marine Corps spoke in 1935. In his speech he described "
            "American foreign policy as a racket.",
        ),
        # A people the passage names otherwise ("Huguenots" / "the French").
        (
            "Historians say assimilated Huguenots made contributions to economic life.",
            "The Huguenots arrived in 1700. Assimilated, the French made contributions to "
            "economic life.",
        ),
    ],
)
def test_other_forms_of_the_same_name_are_kept(claim: str, passage: str) -> None:
    s = support(claim, passage)
    assert s.supported, s


def test_an_acronym_is_no_stand_in_for_its_written_out_name() -> None:
    passage = (
        "The United States first state to require schooling was Massachusetts. The US "
        "Congress later followed."
    )
    s = support("The first US state to require schooling was Massachusetts.", passage)
    assert not any("..." in c for c in s.conflicts), s


def test_a_question_about_a_neighbour_is_not_answered_by_its_passage() -> None:
    from rag.question_checks import stands_in

    assert stands_in("In what year was the Bessemer furnace patented?", FURNACE)
    assert not stands_in("In what year was the Siemens furnace patented?", FURNACE)
    assert not stands_in("Who received the Bessemer medal?", FURNACE)


@pytest.mark.parametrize(
    "question, passage",
    [
        # A capitalised word opening a sentence is no name ("Changed in version 3.10").
        (
            "In which Python version was the nest helper removed?",
            "Changed in version 3.10 when the nest helper was removed. The Python docs list it.",
        ),
        # Documentation describes a class by its relative ("Path" by "PurePath").
        (
            "What does the Path class return?",
            "The PurePath class returns a new object. Path objects are concrete.",
        ),
    ],
)
def test_technical_text_is_no_stand_in(question: str, passage: str) -> None:
    from rag.question_checks import stands_in

    assert not stands_in(question, passage)
