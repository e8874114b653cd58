"""A question pinning a year or a number the quoted sentence gives otherwise is not answered by
it (rag.question_checks.pins_another): the extractive answer would be about another year."""

from __future__ import annotations

import pytest

from rag.question_checks import pins_another


@pytest.mark.parametrize(
    "question, sentence",
    [
        ("Which area of China did Japan conquer in 1935?", "In 1931 Japan conquered Manchuria."),
        (
            "How much had Alibaba invested in AI by 2020?",
            "Alibaba's AI investments hit over $10 billion by 2024.",
        ),
        ("What park covers an area of 74 ha.?", "The Łazienki Park covers the area of 76 ha."),
        ("Who went to the fort in July 1755?", "In May 1755 Braddock led troops to the fort."),
        ("What did the club win after 1990?", "The club won the cup in 1985."),
        ("Who led the city between 1994 and 1999?", "Since 1990 the mayor was elected."),
        (
            "What engines became widespread at the end of the 20th century?",
            "Near the end of the 19th century compound engines came into widespread use.",
        ),
    ],
)
def test_another_year_or_number_is_no_answer(question: str, sentence: str) -> None:
    assert pins_another(question, sentence)


@pytest.mark.parametrize(
    "question, sentence",
    [
        # The same year, the same amount written another way, or nothing to compare with.
        ("Who won the election in 2010?", "In 2010 the Liberal party won the election."),
        ("When were 10000 hp engines available?", "By 1883, engines of 10,000 hp were feasible."),
        ("Who patented the engine in 1781?", "James Watt patented the engine."),
        ("What happened to the company in 1766?", "The company was dissolved soon after."),
        # A year as a bound, and a decade however it is written.
        ("Did Polonia win the title prior to 2000?", "Polonia won the title in 1946."),
        ("Who led the city between 1994 and 1999?", "In 1995 the mayor was elected."),
        ("Where did France win a war in the 1950's?", "France won in Algeria, freed in 1962."),
        # A count asked in words pins nothing: the sentence lists the two.
        ("What are the two processing facilities?", "Plants at 3 Mile Road and Elm process it."),
    ],
)
def test_the_same_or_no_figure_is_kept(question: str, sentence: str) -> None:
    assert not pins_another(question, sentence)
