"""A misspelt question word is read as the retrieved passages spell it (rag/spelling.py)."""

from __future__ import annotations

import io

import pytest

from rag.commands import _print_answer
from rag.spelling import one_edit, spelled_as_passages

PASSAGES = [
    "The vBNS backbone was engineered and operated by MCI. Its construction took two years.",
    "Economists sought to prevent a recession; the pleurobrachia feeds on copepods.",
]


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("constuction", "construction", True),  # a letter dropped
        ("coompanies", "companies", True),  # a letter added
        ("beriods", "beroids", True),  # two neighbours swapped
        ("vbsn", "vbns", True),
        ("abcd", "dbca", False),  # two letters apart swapped: two edits
        ("present", "prevent", True),
        ("construction", "construction", False),
        ("ctenophore", "ctenophores", True),
    ],
)
def test_one_edit(a: str, b: str, near: bool) -> None:
    assert one_edit(a, b) is near and one_edit(b, a) is near


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("Who operated the vBSN backbone?", "Who operated the vBNS backbone?"),
        ("How long did the constuction take?", "How long did the construction take?"),
        ("What does the pleurbrachia eat?", "What does the pleurobrachia eat?"),
        # A real word stays, though the passage has a word one letter away ("prevent").
        ("What did economists present?", "What did economists present?"),
        # Too short to tell a typo from another word.
        ("Who is MCU?", "Who is MCU?"),
    ],
)
def test_misspelt_words_take_the_passages_spelling(question: str, read: str) -> None:
    assert spelled_as_passages(question, PASSAGES) == read


def test_a_word_near_two_passage_words_is_left_alone() -> None:
    passages = ["The halter was sold.", "The salter was sold."]
    assert spelled_as_passages("Who bought the dalter?", passages) == "Who bought the dalter?"
    assert spelled_as_passages("Who bought the halterr?", passages) == "Who bought the halter?"


def test_the_pipeline_judges_the_corrected_question(monkeypatch, tmp_path) -> None:
    from index.pipeline import IndexConfig, index_paths
    from rag import pipeline as P

    doc = tmp_path / "vbns.txt"
    doc.write_text(
        "Very high-speed Backbone Network Service\n\nThe vBNS was engineered and operated by "
        "MCI Telecommunications under a cooperative agreement with the NSF.\n",
        encoding="utf-8",
    )
    cfg = IndexConfig(store=tmp_path / "store")
    index_paths([doc], cfg)
    seen: list[str] = []
    judge = P.judge
    monkeypatch.setattr(P, "judge", lambda q, *a, **k: seen.append(q) or judge(q, *a, **k))
    pipe = P.Pipeline(P.AskConfig(index=cfg))
    try:
        answer = pipe.ask("Who operated the vBSN?")
    finally:
        pipe.close()
    assert seen == ["Who operated the vBNS?"]
    assert answer.query == "Who operated the vBSN?"  # the user's words everywhere else
    assert not answer.abstained and "MCI" in answer.text
    # The answer says how it read the question, in the JSON and on the command line.
    assert answer.read_as == answer.to_dict()["read_as"] == "Who operated the vBNS?"
    out = io.StringIO()
    _print_answer(answer, out)
    assert out.getvalue().startswith("(read as: Who operated the vBNS?)\n")
    pipe = P.Pipeline(P.AskConfig(index=cfg))
    try:
        assert pipe.ask("Who operated the vBNS?").read_as is None
    finally:
        pipe.close()


def test_letters_without_their_diacritics_take_the_passages_spelling() -> None:
    passages = ["In Łódź the café by the Czerniaków lake opened; Bolesław II ruled."]
    assert spelled_as_passages("Where is Lodz?", passages) == "Where is Łódź?"
    assert spelled_as_passages("Who ran the cafe?", passages) == "Who ran the café?"
    assert spelled_as_passages("Was Boleslaw II king?", passages) == "Was Bolesław II king?"


def test_an_inflected_word_is_no_misspelling() -> None:
    # The vocabulary has "disabled", not "disables": an inflection of a known word is left to
    # the stemmer, which matches it to the passage's "Disable" anyway.
    passages = ["Disable escaping of non-ascii characters."]
    q = "Which option disables ASCII escaping?"
    assert spelled_as_passages(q, passages) == q


def test_a_correction_keeps_the_questions_lower_case() -> None:
    # The passage capitalises the word only because a sentence opens with it.
    passages = ["Construction began in 1890."]
    q = "How long did the constuction take?"
    assert spelled_as_passages(q, passages) == "How long did the construction take?"
