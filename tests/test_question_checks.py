"""A question the quoted sentence turns round is not answered by it (rag.question_checks): the
sentence makes no negation the question asserts, or uses the opposite of the question's word."""

from __future__ import annotations

import pytest

from index.pipeline import IndexConfig, index_paths
from rag.answerability import Candidate, _turns_away
from rag.pipeline import AskConfig, Pipeline
from rag.question_checks import (
    denies,
    misses_the_kind,
    neighbours,
    opposes,
    pins_another,
    polar,
    splices,
    unprefixed,
)


@pytest.mark.parametrize(
    "question, sentence",
    [
        ("What does the IPCC not do?", "The IPCC reviews the published literature."),
        ("Which genus never has tentacles?", "The genus Haeckelia has long tentacles."),
        ("What can't the committee approve?", "The committee approves the annual budget."),
    ],
)
def test_a_negation_the_sentence_does_not_make_turns_it_away(question, sentence) -> None:
    assert denies(question, sentence)


@pytest.mark.parametrize(
    "question, sentence",
    [
        # The sentence negates too, in the verifier's cues or by a word of lack.
        ("What does the IPCC not do?", "The IPCC does not carry out its own research."),
        ("What don't beroids have?", "Beroids lack tentacles and tentacle sheaths."),
        ("Which tribes were never conquered?", "None of the northern tribes was conquered."),
        ("Which engine runs without pistons?", "The Wankel engine runs without pistons."),
        # No negation asserted: none in the question, or only inside its condition.
        ("What does the IPCC do?", "The IPCC reviews the published literature."),
        ("Where does it start if I don't give pos?", "The search starts at position zero."),
        # A user's question asks in its last sentence; what they tell before it, a condition
        # opening it, an aside, "without" (how) and an option's name deny nothing asked.
        (
            "My app never set a level on the root logger. Which level does it use?",
            "When a logger is created, the level is set to NOTSET.",
        ),
        (
            "When my script is not attached to a terminal, what size does it report?",
            "The fallback size is 80 columns by 24 lines.",
        ),
        (
            "The standalone function (not the emitter method) — which version added it?",
            "events.setMaxListeners(n): Added in: v15.4.0.",
        ),
        (
            "Which heapq function rearranges a list into a heap without making a copy?",
            "heapify(x): Transform list x into a heap, in-place, in linear time.",
        ),
        (
            "Which argparse action gives me a paired --foo / --no-foo boolean flag?",
            "BooleanOptionalAction adds a flag and its negative form.",
        ),
    ],
)
def test_an_agreeing_negation_or_none_keeps_it(question, sentence) -> None:
    assert not denies(question, sentence)


def test_a_name_spliced_from_two_of_the_passages_is_nobody_they_name() -> None:
    passage = (
        "Oxygen was discovered independently by Carl Wilhelm Scheele, in Uppsala, in 1773 or "
        "earlier, and Joseph Priestley in Wiltshire, in 1774."
    )
    assert splices("When did Joseph Scheele discover oxygen?", [passage])
    assert splices("When did Carl Priestley discover oxygen?", ["Intro.", passage])
    assert not splices("When did Carl Scheele discover oxygen?", [passage])  # a middle name
    assert not splices("When did Joseph Priestley discover oxygen?", [passage])
    # Run together, or with a word inside, the passage still names it.
    assert not splices("What is Sky Drive Pro?", ["Microsoft renamed SkyDrive Pro."])
    assert not splices("Who held Fort Henry?", ["Fort Ontario fell. Fort William Henry held."])
    assert not splices("Who is the CEO of Alibaba Group?", ["Eddie Wu leads Alibaba Cloud."])
    # Over a person's particle; not over "of", which organisations' names are written with.
    chicago = (
        "Robert Maynard Hutchins led the University of Chicago. Carl von Linde, William Hampson."
    )
    assert splices("What was developed by Carl von Hampson?", [chicago])
    assert not splices("What did Carl von Linde develop?", [chicago])
    assert not splices("In what year was the University of Maynard incorporated?", [chicago])


def test_a_denial_in_the_next_sentence_of_the_word_denied_keeps_it() -> None:
    passage = (
        "The market is buzzing with new players, most notably DeepSeek, an emerging AI "
        "competitor. Despite the growing prominence of DeepSeek, Alibaba has opted not to "
        "invest in this particular venture. Alibaba also invests in Moonshot."
    )
    end = passage.index(" Despite")
    around = neighbours(passage, 0, end)
    assert around == [passage[end + 1 : passage.index(" Alibaba also")]]
    question = "Which emerging AI competitor did Alibaba choose not to invest in?"
    assert denies(question, passage[:end])
    assert not denies(question, passage[:end], around)
    # A denial of another word next door does not answer the question's.
    assert denies(question, passage[:end], ["Alibaba did not comment on the report."])


@pytest.mark.parametrize(
    "question, sentence",
    [
        (
            "Who suggested that imperialism was the lowest form of capitalism?",
            "Lenin suggested that imperialism was the highest form of capitalism.",
        ),
        ("What heads west of the city?", "State Route 168 heads east to the city of Clovis."),
        ("When did the shares fall?", "The shares rose sharply in March."),
        ("What is on the southern coast?", "The port lies on the northern coast."),
        ("What is the shortest river in Germany?", "The Rhine is the longest river in Germany."),
        ("The male fossil known as Lucy was found by whom?", "Johanson found a female fossil."),
        ("What is the least important region?", "The delta is the most important region."),
        ("Who analysed the Medieval Cold Period?", "Crowley analysed the Medieval Warm Period."),
        ("Which river lies outside of the city?", "The Trout River lies entirely within the city."),
    ],
)
def test_the_opposite_word_turns_it_away(question, sentence) -> None:
    assert opposes(question, sentence)


@pytest.mark.parametrize(
    "question, sentence",
    [
        (
            "Who suggested that imperialism was the highest form of capitalism?",
            "Lenin suggested that imperialism was the highest form of capitalism.",
        ),
        # Both poles in the sentence, or in the question: nothing is turned round.
        ("When did the shares fall?", "The shares rose in March and fell in May."),
        ("Are most schools public or private?", "Most schools in the region are private."),
        # A contrast word the sentence does not use at all.
        ("When did the shares fall?", "The company listed its shares in 2014."),
        # What the question sets aside pins no pole.
        (
            "Outside of Northern San Diego, which other region has business districts?",
            "Some districts lie within North County regions.",
        ),
        # "At least" and "at most" bound a number; they are not "the least" or "the most".
        (
            "Which cydippid do most textbooks describe?",
            "At least two textbooks describe the cydippid Pleurobrachia.",
        ),
    ],
)
def test_the_same_pole_or_none_keeps_it(question, sentence) -> None:
    assert not opposes(question, sentence)


@pytest.mark.parametrize(
    "question, sentence, turned",
    [
        (
            "Which non-governmental groups attend the sessions?",
            "The sessions are held at the level of government representatives.",
            True,
        ),
        ("Where did a not-bloody war break out?", "A bloody civil war broke out there.", True),
        ("In cases of non shared medium how are packets sent?", "In a shared medium ...", True),
        ("What area remained uninhabited for long?", "The area has been inhabited for long.", True),
        ("When was the service unofficially launched?", "It was officially launched.", True),
        # "unless" is no negated "less"; a sentence saying "uninhabited" too agrees.
        ("What is cached unless told otherwise?", "Less memory is used when told.", False),
        ("Which isle is uninhabited?", "The isle is uninhabited, unlike inhabited ones.", False),
        # The sentence uses the prefixed word too, or not the word at all.
        (
            "Which non-governmental groups attend the sessions?",
            "Non-governmental organisations attend as observers.",
            False,
        ),
        ("What is a non-Islamic revival movement?", "Sufism spread through trade routes.", False),
        # A plain negation is denies' to judge, and "none" is no prefix.
        ("Which groups did not attend?", "Government representatives attended.", False),
        ("Which of them has none?", "None of them has a permit.", False),
    ],
)
def test_a_word_negated_by_prefix_the_sentence_uses_bare(question, sentence, turned) -> None:
    assert unprefixed(question, sentence) is turned


def test_a_name_numbered_otherwise_is_another_name() -> None:
    asked = "What did Jacksonville suffer from following World War I?"
    assert pins_another(asked, "Jacksonville suffered from sprawl after World War II.")
    assert not pins_another(asked, "Jacksonville grew after World War I and World War II.")
    assert not pins_another(asked, "Jacksonville suffered from sprawl after the war.")


def test_a_rank_in_digits_stated_otherwise_is_another_rank() -> None:
    asked = "Who ranked Warsaw as 22nd most liveable city in the world?"
    assert pins_another(asked, "The EIU ranked Warsaw as the 32nd most liveable city.")
    assert not pins_another(asked, "The EIU ranked Warsaw as the 22nd most liveable city.")
    # A rank is not an amount: "22 cities" pins nothing against "22nd".
    assert not pins_another(asked, "The EIU ranked 140 cities, Warsaw among them.")


def test_a_day_of_a_month_stated_otherwise_is_another_day() -> None:
    asked = "Who liquified oxygen in a stable state on March 22, 1883?"
    assert pins_another(asked, "Oxygen was liquified on March 29, 1883 by Polish scientists.")
    assert not pins_another(asked, "Oxygen was liquified on March 22, 1883 by Polish scientists.")
    # A day without its month pins nothing.
    assert not pins_another("What happened on the 22nd?", "On March 29, 1883 it was liquified.")


def test_a_short_answer_of_another_kind_does_not_answer_what_year_or_how_long() -> None:
    assert misses_the_kind("In what year was Andrew Lortie born?", "André")
    assert misses_the_kind("Which century saw the mills founded?", "E.I. du Pont")
    assert not misses_the_kind("In what year was Andrew Lortie born?", "1684")
    assert not misses_the_kind("Which century saw the mills founded?", "the 18th century")
    # A decade or a century is named as one: a year of it is another answer's.
    assert misses_the_kind("In which century was the canal ended?", "1469")
    assert misses_the_kind("In what decade did Louis XIV start his reign?", "1643")
    assert not misses_the_kind("In what decade did the reforms start?", "the 1960s")
    assert not misses_the_kind("In what century was it built?", "the nineteenth")
    # No year asked, or no short answer found: nothing to judge.
    assert not misses_the_kind("Who was born in 1684?", "André")
    assert not misses_the_kind("In what year was Andrew Lortie born?", None)
    # How long, far, old, ...: a number, a unit or a time word answers.
    assert misses_the_kind("How long is the Central Bridge?", "boundary between High")
    assert not misses_the_kind("How long is the Central Bridge?", "about 300 km")
    assert not misses_the_kind("How long did the fighters hold out?", "almost a month")


@pytest.mark.parametrize(
    "question, is_polar",
    [
        ("Is the Rhine the shortest river in Germany?", True),
        ("Didn't the shares fall in March?", True),
        ("I checked the docs. Does it work offline?", True),
        ("Which river is the shortest?", False),
        ("The Rhine is the longest river where?", False),
        ("Does it have a lock?", True),
        # A second "be" in the clause: a mistyped "What", not a yes/no question.
        ("Was services were not consolidated under the new government?", False),
    ],
)
def test_a_yes_no_question_is_told_by_its_opening_auxiliary(question, is_polar) -> None:
    assert polar(question) is is_polar


def test_a_yes_no_question_is_answered_by_the_sentence_that_says_otherwise() -> None:
    # "No: the Rhine is the longest." The same words asked as "which?" turn the sentence away.
    sentence = "The Rhine is the longest river in Germany."
    top = Candidate(0, 0, len(sentence), sentence, 0.9)
    assert not _turns_away("Is the Rhine the shortest river in Germany?", top, sentence)
    assert _turns_away("Which is the shortest river in Germany?", top, sentence)
    assert not _turns_away("Was the service launched in 1997?", top, "Launched in 1998.")


@pytest.mark.slow
def test_a_turned_question_is_not_answered_end_to_end(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "empire.txt").write_text(
        "Imperialism\n\n"
        "The Russian leader Lenin suggested that imperialism was the highest form of capitalism. "
        "The port of Odessa lies on the northern coast of the Black Sea. "
        "The IPCC reviews the published literature on climate change.\n",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    index_paths([docs], IndexConfig(store=store))
    p = Pipeline(AskConfig(index=IndexConfig(store=store)))
    try:
        kept = p.ask("Who suggested that imperialism was the highest form of capitalism?")
        assert not kept.abstained and "Lenin" in (kept.answer or kept.text)
        assert p.ask("Who suggested that imperialism was the lowest form of capitalism?").abstained
        assert not p.ask("What does the IPCC review?").abstained
        assert p.ask("What does the IPCC not review?").abstained
    finally:
        p.close()


def test_a_spliced_name_is_turned_away_as_the_verifier_refuses_it() -> None:
    # The extractive path judges the question; a written answer is judged by the verifier's
    # name rule, which splices builds on: both refuse the person no passage names.
    from rag.verify import support

    passage = "Oxygen was discovered by Carl Wilhelm Scheele in 1773 and Joseph Priestley in 1774."
    assert splices("When did Joseph Scheele discover oxygen?", [passage])
    assert not support("Joseph Scheele discovered oxygen in 1774.", passage).supported
    assert not splices("When did Joseph Priestley discover oxygen?", [passage])
    assert support("Joseph Priestley discovered oxygen in 1774.", passage).supported
