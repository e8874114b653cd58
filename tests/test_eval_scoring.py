"""What the eval runner feeds each metric, checked on hand-computed cases (no store, no model)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from eval.dataset import load_dataset, locate
from eval.runner import (
    aggregate,
    by_type,
    grounding_scores,
    prediction,
    retrieval_scores,
)
from index.errors import ConfigError
from rag.answer import Answer, Citation, SentenceCheck, Source

DOC_A = "Quark had 370 million downloads. The weather was mild. Tongyi launched in April."


def src(cid: str, doc: str, start: int, end: int, text: str | None = None) -> Source:
    body = text if text is not None else DOC_A[start:end]
    return Source(cid, f"/corpus/{doc}", "t", start, end, body, 0.0, None, None)


def test_locate_exact_and_modulo_whitespace_and_curly_quotes():
    text = "He said “user first”\nand  ‘AI-driven’ today."
    assert locate("user first", text) == (9, 19)
    a, b = locate("said \"user first\" and 'AI-driven'", text)
    assert text[a:b] == "said “user first”\nand  ‘AI-driven’"
    assert locate("not there", text) is None


def test_retrieval_scores_by_hand():
    # Two evidence quotes; only the first is found, at rank 2 of 3.
    evidence = [
        {"doc": "a.txt", "quote": "370 million downloads", "start": 10, "end": 31},
        {"doc": "b.txt", "quote": "something else", "start": 0, "end": 14},
    ]
    ranked = [
        src("x", "a.txt", 33, 55),  # "The weather was mild." : no quote, no overlap
        src("r1", "a.txt", 0, 32),  # holds the quote
        src("y", "c.txt", 0, 32),  # same span, other document: not relevant
    ]
    ideal = {"r1", "r2"}  # two relevant chunks in the store
    got = retrieval_scores(ranked, evidence, ideal)
    assert got["relevant"] == [False, True, False]
    assert got["hit@5"] == 1.0
    assert got["recall@5"] == 0.5  # one of two quotes
    assert got["mrr"] == 0.5
    # DCG = 1/log2(3); ideal DCG = 1/log2(2) + 1/log2(3)
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert got["ndcg@10"] == pytest.approx(expected)


def test_retrieval_span_overlap_counts_without_the_quote():
    # The chunk holds only the end of the quote: relevant by span overlap.
    evidence = [{"doc": "a.txt", "quote": "370 million downloads. The", "start": 10, "end": 36}]
    got = retrieval_scores([src("z", "a.txt", 33, 55)], evidence, {"z"})
    assert got["relevant"] == [True] and got["ndcg@10"] == 1.0


def test_prediction_strips_markers_and_abstention_predicts_nothing():
    a = Answer("Quark had 370 million downloads. [1][2] It grew (unverified)", False, [], {})
    assert prediction(a) == "Quark had 370 million downloads. It grew"
    assert prediction(Answer("The documents do not say.", True, [], {})) == ""


def _answer(sentences: list[SentenceCheck], cited: dict[int, str]) -> Answer:
    sources = [src(cid, "a.txt", 0, len(text), text) for cid, text in set(cited.values())]
    text_of = {cid: text for cid, text in set(cited.values())}
    citations = [
        Citation(n, "/corpus/a.txt", "t", 0, 5, text_of[cid][:5], 0.5, None, cid)
        for n, (cid, _) in cited.items()
    ]
    return Answer("...", False, citations, {}, sentences=sentences, sources=sources)


def test_grounding_alce_precision_rule_by_hand():
    good = ("c1", "Quark had 370 million downloads by early 2024 according to the company.")
    other = ("c2", "The weather in Paris was mild and sunny all week long.")
    claim = "Quark had 370 million downloads by early 2024 according to the company."
    answer = _answer(
        [
            # cites a supporting chunk and an unrelated one: the unrelated one is irrelevant
            SentenceCheck(claim, [1, 2], 1.0, "supported"),
            # no citation at all (kept, flagged): unsupported, adds no citation
            SentenceCheck("Tongyi has 3 billion users worldwide today.", [], 0.0, "flagged"),
            # dropped sentences are not part of the answer the user sees
            SentenceCheck("Something dropped entirely from the answer.", [2], 0.0, "dropped"),
        ],
        {1: good, 2: other},
    )
    g = grounding_scores(answer)
    assert [s["supported"] for s in g["sentences"]] == [True, False]
    assert g["supported_sentences"] == 0.5
    assert g["citation_recall"] == 0.5  # 1 of 2 sentences
    assert g["citation_precision"] == 0.5  # c1 relevant, c2 irrelevant; 2 citations in all


def test_grounding_two_chunks_needed_together_are_both_relevant():
    c1 = ("c1", "Quark had 370 million annual downloads in early 2024.")
    c2 = ("c2", "Tongyi reached 3.08 million monthly users by September 2024.")
    claim = "Quark had 370 million downloads and Tongyi reached 3.08 million monthly users."
    g = grounding_scores(_answer([SentenceCheck(claim, [1, 2], 0.9, "supported")], {1: c1, 2: c2}))
    assert g["citation_recall"] == 1.0 and g["citation_precision"] == 1.0


def _result(i, type_, answerable, abstained, total_ms, **m):
    return {
        "id": f"q{i}",
        "type": type_,
        "answerable": answerable,
        "abstained": abstained,
        "sentences": [{"supported": s} for s in m.pop("sent", [])],
        "metrics": m,
        "latency_ms": {"total_ms": total_ms},
    }


def test_aggregate_by_hand():
    results = [
        _result(1, "factoid", True, False, 100.0, **{"hit@5": 1.0, "em": 1.0, "f1": 1.0,
                "answer_f1": 1.0, "false_abstention": 0.0},
                citation_recall=1.0, citation_precision=1.0, sent=[True]),
        _result(2, "factoid", True, True, 200.0, **{"hit@5": 0.0, "em": 0.0, "f1": 0.0,
                "answer_f1": 0.0, "false_abstention": 1.0}),
        _result(3, "unanswerable", False, True, 300.0),
        _result(4, "unanswerable", False, False, 400.0, citation_recall=0.0,
                citation_precision=0.0, sent=[False, False]),
    ]  # fmt: skip
    r = aggregate(results, {"backend": "x"})
    assert r["n"] == 4
    assert r["retrieval"]["hit@5"] == 0.5
    assert r["answer"] == {
        "em": 0.5, "f1": 0.5, "answer_em": None, "answer_f1": 0.5, "contains": None
    }  # fmt: skip
    assert r["grounding"]["supported_sentences"] == pytest.approx(1 / 3, abs=1e-4)
    assert r["grounding"]["citation_recall"] == 0.5
    # abstained on q2 (wrong) and q3 (right): precision 1/2; 1 of 2 unanswerable: recall 1/2
    assert r["abstention"] == {
        "precision": 0.5, "recall": 0.5, "false_abstention": 0.5, "rate": 0.5
    }  # fmt: skip
    # linear interpolation: p50 = 250, p95 = 300 + 0.85 * 100
    assert r["latency_ms"] == {"p50": 250.0, "p95": 385.0}
    assert r["scored"]["retrieval"] == 2 and r["scored"]["should_abstain"] == 2


def test_by_type_orders_known_types_first():
    results = [
        _result(1, "zeta", True, False, 1.0),
        _result(2, "unanswerable", False, True, 1.0, abstained_correctly=True),
        _result(3, "factoid", True, False, 1.0, f1=0.5),
    ]
    got = by_type(results)
    assert list(got) == ["factoid", "unanswerable", "zeta"]
    assert got["factoid"]["f1"] == 0.5 and got["factoid"]["hit@5"] is None


def test_load_dataset_defaults_and_errors(tmp_path: Path):
    good = tmp_path / "d.jsonl"
    good.write_text(json.dumps({"question": "Who?", "answers": ["Xu"]}) + "\n\n")
    (row,) = load_dataset(good)
    assert row["answerable"] is True and row["evidence"] == [] and row["id"] == "q1"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok"}\n{"question": "x", "evidence": [{"doc": "a"}]}\n')
    with pytest.raises(ConfigError, match="bad.jsonl, line 2"):
        load_dataset(bad)
    # One answer written bare is one answer (scored whole, not letter by letter); a number
    # is an error that names the line.
    bare = tmp_path / "bare.jsonl"
    bare.write_text(json.dumps({"question": "Who?", "answers": "Eddie Wu"}) + "\n")
    assert load_dataset(bare)[0]["answers"] == ["Eddie Wu"]
    bare.write_text(json.dumps({"question": "How many?", "answers": 3}) + "\n")
    with pytest.raises(ConfigError, match="bare.jsonl, line 1: .answers. must be a list"):
        load_dataset(bare)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{nope\n")
    with pytest.raises(ConfigError, match="line 1: not valid JSON"):
        load_dataset(broken)


def test_load_dataset_reads_llm_answers_once_per_question(tmp_path: Path):
    # llm_answers_dev.jsonl holds several answers (variants) per question: `rag eval` asks each
    # question once and the scripted backend's #variant=V picks the answer replayed.
    rows = [
        {"id": "a", "question": "Who?", "answerable": True, "variant": v, "sentences": []}
        for v in ("faithful", "hallucinated")
    ] + [{"id": "b", "question": "Where?", "answerable": False, "variant": "refusal"}]
    f = tmp_path / "llm.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    got = load_dataset(f)
    assert [(r["id"], r["variant"], r["answerable"]) for r in got] == [
        ("a", "faithful", True),
        ("b", "refusal", False),
    ]
    assert [r["id"] for r in load_dataset(f, "refusal")] == ["b"]  # questions with that answer
    assert [r["variant"] for r in load_dataset(f, "hallucinated")] == ["hallucinated"]
    plain = tmp_path / "dup.jsonl"
    plain.write_text('{"id": "x", "question": "a"}\n{"id": "x", "question": "b"}\n')
    with pytest.raises(ConfigError, match="line 2: duplicate id 'x'"):
        load_dataset(plain)


def test_unlabelled_questions_are_answered_but_neither_answerable_nor_not(tmp_path: Path):
    # A user's own questions, without gold: no "answers", no "answerable".
    f = tmp_path / "mine.jsonl"
    f.write_text('{"question": "Who?"}\n{"question": "Where?", "answers": []}\n')
    mine, labelled = load_dataset(f)
    assert mine["answerable"] is None and mine["type"] == "unlabelled"
    assert labelled["answerable"] is False and labelled["type"] == "unanswerable"
    results = [
        _result(1, "unlabelled", None, True, 10.0),
        _result(2, "unlabelled", None, False, 20.0, citation_recall=1.0, sent=[True]),
    ]
    r = aggregate(results, {"backend": "x"})
    # Abstaining on an unlabelled question is neither right nor wrong: only the rate counts.
    assert r["abstention"] == {
        "precision": None, "recall": None, "false_abstention": None, "rate": 0.5
    }  # fmt: skip
    assert r["scored"]["should_abstain"] == 0 and r["scored"]["unlabelled"] == 2
    assert r["grounding"]["supported_sentences"] == 1.0
    assert by_type(results)["unlabelled"]["abstention_recall"] is None
    mixed = aggregate([*results, _result(3, "unanswerable", False, True, 5.0)], {})
    assert mixed["abstention"]["precision"] == 1.0 and mixed["abstention"]["recall"] == 1.0


def test_technical_sets_score_the_direct_answer_apart():
    from types import SimpleNamespace

    from eval.tech_questions import direct_correct

    def answer(short, text="width (default 80) specifies the line width.", abstained=False):
        return SimpleNamespace(answer=short, text=text, abstained=abstained)

    assert direct_correct(answer("80"), ["80"])
    assert direct_correct(answer("default 80"), ["80"])
    # The evidence holds the gold, the short answer shown first does not.
    assert not direct_correct(answer("number of characters"), ["80"])
    assert not direct_correct(answer(None), ["80"])
    assert not direct_correct(answer("80", abstained=True), ["80"])
    assert not direct_correct(answer("800"), ["80"])
