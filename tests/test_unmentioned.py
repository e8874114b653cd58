"""A question naming what the quoted sentence's document never mentions is not answered from it
(rag/unmentioned.py)."""

from __future__ import annotations

import shutil

import pytest

from rag.unmentioned import unmentioned
from tests.conftest import SHARED, ask_store

WARSAW = (
    "Warsaw\n\nWarsaw is the capital and largest city of Poland. The mayor of Warsaw is called "
    "President. Polish cuisine in Warsaw includes pierogi."
)


def test_a_name_the_document_never_mentions_is_reported():
    assert unmentioned("Who is the mayor of Fresno?", WARSAW) == ["Fresno"]
    assert unmentioned("Who is the mayor of Warsaw?", WARSAW) == []
    # Its people or language count as the place, both ways ("Polish" / "Poland").
    assert unmentioned("What do people in Poland eat in Warsaw?", WARSAW) == []
    assert unmentioned("What do Polish people eat in Warsaw?", WARSAW.replace("Polish", "")) == []
    assert unmentioned("What do Japanese people eat in Warsaw?", WARSAW) == ["Japanese"]


def test_context_names_are_not_asked_about():
    doc = "fnmatch\n\nfnmatch.fnmatchcase(name, pat) matches name to pat, case-sensitively."
    # A name in a story told before the question proper.
    q = "fnmatch normalizes case on Windows, which I don't want. Which function is case-sensitive?"
    assert unmentioned(q, doc) == []
    # A name that types the answer after the wh-word: pages say "Added in version 3.6".
    assert unmentioned("Which Python version added fnmatchcase?", doc) == []
    # A word opening the question, and an acronym a document may spell out.
    assert unmentioned("Apart from fnmatch, what matches names?", doc) == []
    assert unmentioned("Which NFL team plays in Warsaw?", WARSAW) == []


@pytest.mark.slow
def test_the_pipeline_abstains_and_says_which_document_it_would_have_quoted(tmp_path):
    corpus = SHARED / "data" / "squad2-dev" / "corpus"
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("Warsaw.txt", "Fresno_California.txt"):
        shutil.copy(corpus / name, docs / name)
    from index.pipeline import IndexConfig, index_paths

    store = tmp_path / "store"
    index_paths([docs], IndexConfig(store=store))
    # The Fresno article names no mayor; the Warsaw article's "The mayor of Warsaw is called
    # President." is the sentence the reader finds for it.
    a = ask_store(store, "Who is the mayor of Fresno?")
    assert a.abstained and a.answer is None
    assert '"Warsaw", which never mentions Fresno' in a.text
    a = ask_store(store, "What is the mayor of Warsaw called?")
    assert not a.abstained and "President" in a.text


def test_the_document_is_read_only_when_a_name_needs_looking_for():
    def fail() -> str:
        raise AssertionError("document read for a question without names")

    assert unmentioned("what does the function return when the list is empty?", fail) == []
    assert unmentioned("Who is the mayor of Fresno?", lambda: WARSAW) == ["Fresno"]
