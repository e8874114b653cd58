"""Hand-computed cases for eval.metrics and eval.grounding."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from eval.grounding import load_pairs, per_kind, score_pairs
from eval.metrics import (
    abstention_pr,
    accuracy,
    balanced_accuracy,
    chunk_is_relevant,
    citation_recall_precision,
    cohen_kappa,
    contains_answer,
    exact_match,
    hit_at_k,
    mrr,
    ndcg_at_k,
    normalize_answer,
    percentile,
    recall_at_k,
    token_f1,
)

DEV_PAIRS = Path("/work/shared/eval/grounding_pairs_dev.jsonl")

# --- SQuAD ------------------------------------------------------------------------------------


def test_normalize_answer():
    assert normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert normalize_answer("Alibaba’s “User First”") == "alibabas user first"
    assert normalize_answer("an apple, a pear") == "apple pear"
    assert normalize_answer("theory") == "theory"  # articles only as whole words


def test_exact_match():
    assert exact_match("the Xu Zhuhong.", ["Xu Zhuhong"]) == 1.0
    assert exact_match("Xu", ["Xu Zhuhong", "Zhuhong"]) == 0.0
    assert exact_match("370 million", ["more than 370 million", "370 million"]) == 1.0
    assert exact_match("", []) == 1.0  # unanswerable: empty prediction matches (SQuAD 2.0)
    assert exact_match("something", []) == 0.0


def test_token_f1_by_hand():
    # pred: {more, than, 370, million} (4), gold: {370, million} (2): overlap 2
    # P = 2/4, R = 2/2, F1 = 2 * 0.5 * 1 / 1.5 = 2/3
    assert token_f1("more than 370 million", ["370 million"]) == pytest.approx(2 / 3)
    # max over golds: second gold matches exactly
    assert token_f1("more than 370 million", ["370 million", "more than 370 million"]) == 1.0
    assert token_f1("Tesla", ["OpenAI"]) == 0.0
    # repeated tokens count with multiplicity: pred {a:2}... "wu wu" vs "wu": P=1/2, R=1 -> 2/3
    assert token_f1("wu wu", ["wu"]) == pytest.approx(2 / 3)
    assert token_f1("the", ["a"]) == 1.0  # both normalise to nothing


def test_contains_answer():
    assert contains_answer("Quark’s downloads exceeded 370 million in 2024.", ["370 million"])
    assert not contains_answer("It happened in 2022.", ["22"])  # whole words only
    assert not contains_answer("anything", [""])
    assert contains_answer("Led by Eddie Wu.", ["Joe Tsai", "eddie wu"])


# --- retrieval --------------------------------------------------------------------------------


def test_hit_recall_mrr():
    rel = [False, False, True, False]
    assert hit_at_k(rel, 2) == 0.0
    assert hit_at_k(rel, 3) == 1.0
    assert mrr(rel) == pytest.approx(1 / 3)
    assert mrr([False, False]) == 0.0
    assert recall_at_k(["a", "b", "c", "d"], ["b", "d", "z"], 2) == pytest.approx(1 / 3)
    assert recall_at_k(["a", "b", "c", "d"], ["b", "d", "z"], 4) == pytest.approx(2 / 3)
    assert recall_at_k(["a"], [], 1) == 0.0


def test_ndcg_binary_by_hand():
    # ranking a b c, relevant b and c (gain 1):
    # DCG = 0/log2(2) + 1/log2(3) + 1/log2(4) = 0.63093 + 0.5 = 1.13093
    # IDCG = 1/log2(2) + 1/log2(3) = 1.63093 -> nDCG = 0.69342
    got = ndcg_at_k(["a", "b", "c"], {"b": 1, "c": 1}, 3)
    assert got == pytest.approx((1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3)))
    assert got == pytest.approx(0.69342, abs=1e-5)


def test_ndcg_graded_by_hand():
    # ranking a b c d, relevance a=1, c=3, e=2 (e never retrieved), k=3
    # DCG@3 = 1/1 + 0 + 3/2 = 2.5
    # ideal order 3, 2, 1: IDCG@3 = 3/1 + 2/log2(3) + 1/2 = 4.76186
    got = ndcg_at_k(["a", "b", "c", "d"], {"a": 1, "c": 3, "e": 2}, 3)
    assert got == pytest.approx(2.5 / (3 + 2 / math.log2(3) + 0.5))
    assert ndcg_at_k(["c", "e", "a"], {"a": 1, "c": 3, "e": 2}, 3) == pytest.approx(1.0)
    assert ndcg_at_k(["x"], {}, 3) == 0.0
    # a repeated id gains only once
    assert ndcg_at_k(["c", "c"], {"c": 1}, 2) == pytest.approx(1.0)


def test_chunk_is_relevant():
    ev = [{"doc": "000_x.txt", "quote": "Quark’s annual downloads exceeded 370 million"}]
    text = "The success...  Quark’s annual\n downloads exceeded 370 million by early 2024."
    assert chunk_is_relevant(text, "/data/docs/000_x.txt", 100, 180, ev)
    assert not chunk_is_relevant(text, "/data/docs/001_y.txt", 100, 180, ev)  # other file
    assert not chunk_is_relevant("Unrelated text.", "/d/000_x.txt", 0, 15, ev)
    # the quote contains the whole (short) chunk
    assert chunk_is_relevant("annual downloads", "000_x.txt", 5, 21, ev)
    # span overlap when the evidence carries offsets
    ev_span = [{"doc": "000_x.txt", "quote": "other words", "start": 50, "end": 90}]
    assert chunk_is_relevant("no quote here", "000_x.txt", 80, 120, ev_span)
    assert not chunk_is_relevant("no quote here", "000_x.txt", 90, 120, ev_span)  # touching
    assert not chunk_is_relevant("no quote here", "000_x.txt", None, None, ev_span)


# --- ALCE citation recall / precision ----------------------------------------------------------


def _toy_supports(claim: str, passages: list[str]) -> bool:
    """Supported when every word of the claim is in the joined passages."""
    have = set(" ".join(passages).split())
    return set(claim.split()) <= have


def test_alce_one_citation_alone_supports_the_other_is_irrelevant():
    # "p1" alone supports; "p2" alone does not, and the rest ("p1") does -> p2 irrelevant.
    sents = [("x y", ["x y", "z"])]
    assert citation_recall_precision(sents, _toy_supports) == (1.0, 0.5)


def test_alce_neither_alone_but_both_together_are_relevant():
    sents = [("x y", ["x", "y"])]
    assert citation_recall_precision(sents, _toy_supports) == (1.0, 1.0)


def test_alce_both_alone_support_are_both_relevant():
    sents = [("x", ["x", "x y"])]
    assert citation_recall_precision(sents, _toy_supports) == (1.0, 1.0)


def test_alce_mixed_answer_by_hand():
    sents = [
        ("a b", ["a b"]),  # supported, 1 citation: relevant 1
        ("c d", ["c", "q"]),  # not supported jointly: 0 relevant of 2
        ("e", []),  # no citation: recall 0, no citations
        ("f g", ["f g", "h", "f"]),  # supported; "h" irrelevant, "f" irrelevant -> 1 of 3
    ]
    # recall = 2 supported / 4 sentences; precision = (1 + 0 + 1) / (1 + 2 + 3) = 2/6
    recall, precision = citation_recall_precision(sents, _toy_supports)
    assert recall == pytest.approx(0.5)
    assert precision == pytest.approx(2 / 6)


def test_alce_edge_cases():
    assert citation_recall_precision([], _toy_supports) == (0.0, 0.0)
    assert citation_recall_precision([("a", [])], _toy_supports) == (0.0, 0.0)


# --- latency, abstention, agreement ------------------------------------------------------------


def test_percentile_linear():
    xs = [10, 20, 30, 40]
    assert percentile(xs, 50) == 25.0  # rank 1.5
    assert percentile(xs, 95) == pytest.approx(38.5)  # rank 2.85: 30 + 0.85 * 10
    assert percentile(xs, 0) == 10 and percentile(xs, 100) == 40
    assert percentile([7], 95) == 7
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile(xs, 101)


def test_abstention_pr():
    pred = [True, True, False, False]
    gold = [True, False, True, False]
    assert abstention_pr(pred, gold) == (0.5, 0.5)
    assert abstention_pr([False, False], [False, False]) == (1.0, 1.0)
    assert abstention_pr([False, False], [True, False]) == (0.0, 0.0)
    assert abstention_pr([True], [False]) == (0.0, 1.0)
    with pytest.raises(ValueError):
        abstention_pr([True], [True, False])


def test_accuracy_balanced_kappa_by_hand():
    # tp=3 fn=1 fp=1 tn=1 (n=6)
    pred = [True, True, True, False, True, False]
    gold = [True, True, True, True, False, False]
    assert accuracy(pred, gold) == pytest.approx(4 / 6)
    assert balanced_accuracy(pred, gold) == pytest.approx((3 / 4 + 1 / 2) / 2)
    # p_o = 4/6; p_e = (4/6)(4/6) + (2/6)(2/6) = 20/36; kappa = (24/36 - 20/36) / (16/36) = 0.25
    assert cohen_kappa(pred, gold) == pytest.approx(0.25)
    assert cohen_kappa([True, True], [True, True]) == 1.0
    assert cohen_kappa([True, False], [False, True]) == pytest.approx(-1.0)


# --- eval.grounding ----------------------------------------------------------------------------


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _pair(**kw) -> str:
    row = {
        "id": "x",
        "doc": "d.txt",
        "passage": "Alibaba was fined $2.8 billion in 2021.",
        "claim": "Alibaba was fined $2.8 billion in 2021.",
        "supported": True,
        "kind": "verbatim",
    }
    row.update(kw)
    return json.dumps(row)


def test_score_pairs_small_file(tmp_path: Path):
    path = _write(
        tmp_path,
        [
            _pair(id="1"),
            "",
            _pair(id="2", claim="Alibaba was fined $2.8 billion in 2019.", supported=False,
                  kind="wrong-date"),
        ],
    )  # fmt: skip
    report = score_pairs(path)
    assert set(report) == {"n", "accuracy", "balanced_accuracy", "kappa"}
    assert report == {"n": 2, "accuracy": 1.0, "balanced_accuracy": 1.0, "kappa": 1.0}
    # Per kind: accuracy, and (additive) balanced accuracy and kappa of telling that kind from
    # the sentences with the other label.
    kinds = per_kind(path)
    assert set(kinds) == {"verbatim", "wrong-date"}
    for k in kinds.values():
        assert k["n"] == 1 and k["accuracy"] == 1.0
        assert k.get("balanced_accuracy", 1.0) == 1.0 and k.get("kappa", 1.0) == 1.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: expected a JSON object"),
        (json.dumps({"id": "2", "passage": "p", "claim": "c", "kind": "k"}), "'supported'"),
        (_pair(supported="yes"), "field 'supported' should be bool"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path: Path, line: str, message: str):
    path = _write(tmp_path, [_pair(), line])
    with pytest.raises(ValueError) as err:
        load_pairs(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_dev_pairs_report():
    report = score_pairs(DEV_PAIRS)
    assert report["n"] == 20
    assert report["kappa"] > 0.6
    kinds = per_kind(DEV_PAIRS)
    assert sum(v["n"] for v in kinds.values()) == 20
