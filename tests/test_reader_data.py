"""The reader fit's data: questions asked of the other articles train the evidence gate."""

from pathlib import Path

import pytest

from eval.reader_data import article_of, retriever_without
from eval.reader_labels import ELSEWHERE, ELSEWHERE_EVERY, elsewhere
from rag.answer import Source

DOCS = {
    "Rhine.txt": "Rhine\n\nThe Rhine flows from the Swiss Alps to the North Sea.",
    "Warsaw.txt": "Warsaw\n\nWarsaw is the capital of Poland. The Vistula river flows through it.",
    "Steam_engine.txt": "Steam engine\n\nJames Watt improved the steam engine in 1776.",
}


def _row(i: int, doc: str, question: str) -> dict:
    quote = DOCS[doc].split("\n\n")[1]
    return {
        "id": f"q{i}",
        "question": question,
        "answerable": True,
        "answers": ["x"],
        "evidence": [{"doc": doc, "quote": quote}],
    }


@pytest.fixture(scope="module")
def fit_cache(tmp_path_factory) -> Path:
    from index.pipeline import IndexConfig, index_paths

    root = tmp_path_factory.mktemp("fit")
    (root / "corpus").mkdir()
    for name, text in DOCS.items():
        (root / "corpus" / name).write_text(text)
    index_paths([root / "corpus"], IndexConfig(store=root / "store"), progress=False)
    return root


def test_a_question_is_asked_of_every_article_but_its_own(fit_cache):
    passages = retriever_without(fit_cache)
    row = _row(0, "Rhine.txt", "How long is the Rhine?")
    got = {Path(s.source).name for s in passages(row)}
    # Its own article would rank first (it is the only one naming the Rhine); it is left out.
    assert got and "Rhine.txt" not in got
    assert got <= set(DOCS)
    assert article_of(row) == "Rhine.txt"


def test_questions_asked_elsewhere_are_labelled_unanswerable(embedder):
    rows = [_row(i, "Rhine.txt", f"How long is the Rhine, part {i}?") for i in range(5)]
    asked = []

    def passages(row):
        asked.append(row["id"])
        text = DOCS["Warsaw.txt"].split("\n\n")[1]
        return [Source("c0", "/corpus/Warsaw.txt", "Warsaw", 0, len(text), text, 1.0, 0.5, 1.0)]

    out, an = elsewhere(rows, passages, embedder.embed)
    assert [r["id"] for r in out] == [f"q{i}{ELSEWHERE}" for i in range(0, 5, ELSEWHERE_EVERY)]
    assert asked == [f"q{i}" for i in range(0, 5, ELSEWHERE_EVERY)]
    assert all(not r["answerable"] and r["answers"] == [] for r in out)
    # The original rows keep their labels; the analyses read the other article's sentences.
    assert all(r["answerable"] for r in rows)
    assert set(an) == {r["id"] for r in out}
    assert all("Warsaw" in an[r["id"]].sentences[0].text for r in out)


def test_asked_elsewhere_counts_abstentions_with_and_without_the_article():
    from types import SimpleNamespace

    from eval.asked_elsewhere import asked_elsewhere, summary

    rows = [
        _row(0, "Rhine.txt", "How long is the Rhine?"),
        _row(1, "Rhine.txt", "Where does the Rhine flow?"),
        {**_row(2, "Warsaw.txt", "Who founded Warsaw?"), "answerable": False, "answers": []},
        _row(3, "Warsaw.txt", "What flows through Warsaw?"),
    ]
    calls = []

    def ask(question, leave_out):
        calls.append((question, leave_out))
        # Asked elsewhere, the Rhine questions abstain and the Warsaw one answers (invented);
        # asked of the whole store, only the unanswerable one abstains.
        if leave_out is None:
            return SimpleNamespace(abstained=question == "Who founded Warsaw?")
        return SimpleNamespace(abstained="Rhine" in question)

    out = summary(asked_elsewhere(rows, ask, every=2))
    # Every second row, each asked twice: without its own article, then of the whole store.
    assert calls == [
        ("How long is the Rhine?", "Rhine.txt"),
        ("How long is the Rhine?", None),
        ("Who founded Warsaw?", "Warsaw.txt"),
        ("Who founded Warsaw?", None),
    ]
    assert out["questions"] == 2
    assert out["abstained_asked_elsewhere"] == 0.5
    assert out["abstained_asked_of_whole_store"] == 0.5
    assert out["false_abstention_whole_store"] == 0.0
    assert out["by_type"] == {"how_much": 1.0, "who": 0.0}  # "How long ...?" asks a measure
