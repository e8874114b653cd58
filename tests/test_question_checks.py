"""A question the quoted sentence turns round is not answered by it (rag.question_checks): the
sentence makes no negation the question asserts, or uses the opposite of the question's word."""

from __future__ import annotations

import pytest

from index.pipeline import IndexConfig, index_paths
from rag.pipeline import AskConfig, Pipeline
from rag.question_checks import denies, neighbours, opposes


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
    ],
)
def test_the_same_pole_or_none_keeps_it(question, sentence) -> None:
    assert not opposes(question, sentence)


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
