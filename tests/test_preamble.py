"""rag/preamble.py: the question proper of a question told with a story before it."""

import pytest

from rag.features import analyse_question
from rag.preamble import asked_from


@pytest.mark.parametrize(
    "question, asked",
    [
        (
            "I'm building a command line from user input and want it safe for a shell. "
            "What should I call on each argument?",
            "What should I call on each argument?",
        ),
        (
            "I want to validate URLs without wrapping new URL() in try/catch. URL.canParse "
            "looks perfect — which Node version added it?",
            "which Node version added it?",
        ),
        (
            "Quick one about path.format(): which of root and dir wins?",
            "which of root and dir wins?",
        ),
    ],
)
def test_the_question_proper_starts_after_the_story(question, asked):
    assert question[asked_from(question) :] == asked


@pytest.mark.parametrize(
    "question",
    [
        "What century did the Normans first gain their separate identity?",
        # The splitter cuts after "Rev." and inside "what does ? match": the first piece asks.
        "In what year did Rev. Elie Prioleau become the pastor of the first Huguenot church?",
        "In an fnmatch pattern, what does ? match?",
        "How many miles south of San Jose is the north - south midway point located?",
        "Can a packet be sent empty?  If so, is it billable?",
    ],
)
def test_a_question_without_a_story_is_all_question(question):
    assert asked_from(question) == 0
    q = analyse_question(question)
    assert q.required == q.focus


def test_a_storys_plain_words_are_not_required_but_its_names_are():
    q = analyse_question(
        "I'd love to use path.matchesGlob instead of pulling in minimatch, but our prod box runs"
        " an older Node 20. Which release actually added it?"
    )
    assert {"love", "pull", "prod", "box", "older"}.isdisjoint(q.required)
    for kept in ("matchesglob", "minimatch", "node", "20"):
        assert any(s.startswith(kept) for s in q.required), kept
    assert set(q.required) < set(q.focus)


def test_the_words_asking_for_a_kind_of_name_are_not_required():
    # "a ValueError is raised" answers it: "exception" and "throw" say what is asked for.
    q = analyse_question(
        "What exception does the @unique decorator throw when two members have the same value?"
    )
    assert {"except", "throw"} <= set(q.focus) and {"except", "throw"}.isdisjoint(q.required)
    assert "uniqu" in q.required
    # "Added in version 3.11" answers "Which Python release introduced StrEnum?".
    assert analyse_question("Which Python release introduced StrEnum?").required == ("strenum",)
    # A question of kind words only still requires them.
    q = analyse_question("Which exception is raised?")
    assert q.required == q.focus
    # A story's words stay out when the question proper has only kind words: it keeps them.
    q = analyse_question(
        "I'm building a command line from user input and want it safe for a shell. What should I"
        " call on each argument?"
    )
    assert q.required == ("argument",)


def test_the_words_naming_the_document_itself_are_not_required():
    q = analyse_question("How many keystream bytes does the manual recommend discarding?")
    assert "manual" in q.focus and "manual" not in q.required
    assert {"keystream", "recommend", "discard"} <= set(q.required)
    q = analyse_question("According to the paper, what fingerprints can rolling CRCs compute?")
    assert "paper" not in q.required and "fingerprint" in q.required
    # A subject that a document also names keeps its word: "the text argument".
    assert "text" in analyse_question("When was the text argument added?").required


def test_a_question_proper_of_generic_words_keeps_its_story():
    q = analyse_question("My program stopped working this morning. What should I do?")
    assert q.required == q.focus
    # ... but a term of art in the story is a word to require.
    q = analyse_question("My script crashes with a weird traceback. What should I do?")
    assert q.required == ("traceback",)
