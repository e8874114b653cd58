"""The fitted support layer (rag/support_model.py), its model file, and `rag eval grounding` on
llm_answers-shaped files. The rule scorer's own scores are pinned: the reader uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.grounding import load_pairs, per_kind, score_pairs
from rag.support import support
from rag.support_model import FEATURES, MODEL_PATH, features, load_model, score

ANSWERS = Path("/work/shared/eval/llm_answers_dev.jsonl")
PASSAGE = (
    "The success of this shift is evident: Quark’s annual downloads exceeded 370 million by "
    "early 2024, and Tongyi saw its monthly active user count hit approximately 3.08 million."
)


def test_rule_scores_are_unchanged():
    # rag/features.py feeds these scores to the fitted reader: the layer must not move them.
    s = support("More than 370 million people downloaded Quark in a year by early 2024.", PASSAGE)
    assert (s.score, s.supported) == (0.6875, True)
    s = support("Quark's annual downloads exceeded 470 million by early 2024.", PASSAGE)
    assert (s.score, s.supported, s.missing) == (0.5, False, ("470 million",))


def test_model_file_states_its_data_split_and_held_out_figures():
    raw = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert raw["model"]["features"] == list(FEATURES)
    assert len(raw["data_sha256"]) == 16 and "folds by article" in raw["split"]
    held = raw["held_out"]
    assert 0 < held["llm_quote"]["supported_kept"] <= 1
    assert "grounding_pairs_dev (never fitted)" in held
    assert 0 < load_model().threshold < 1


@pytest.mark.slow  # loads the bundled MiniLM (a few seconds)
def test_fitted_scorer_keeps_a_paraphrase_and_rejects_a_wrong_number():
    x, rule = features("Quark had more than 370 million downloads a year by early 2024.", PASSAGE)
    assert len(x) == len(FEATURES) and rule.supported
    good = score("Quark had more than 370 million downloads a year by early 2024.", PASSAGE)
    bad = score("Quark's annual downloads exceeded 470 million by early 2024.", PASSAGE)
    assert good.supported and not bad.supported and good.score > bad.score
    assert bad.missing == ("470 million",)
    # Deterministic for a given model file.
    assert score("Quark's annual downloads exceeded 470 million by early 2024.", PASSAGE) == bad


def test_grounding_reads_llm_answers_rows(tmp_path: Path):
    eval_dir = tmp_path / "eval"
    corpus = tmp_path / "corpus"
    eval_dir.mkdir()
    corpus.mkdir()
    (corpus / "n.txt").write_text(f"Title\n\n{PASSAGE}\n\nAnother paragraph.\n", encoding="utf-8")
    row = {"id": "dev-01", "question": "q", "variant": "hallucinated", "sentences": [
        {"text": "More than 370 million people downloaded Quark in a year by early 2024.",
         "doc": "n.txt", "quote": "exceeded 370 million", "supported": True, "kind": "paraphrase"},
        {"text": "Quark's annual downloads exceeded 470 million by early 2024.", "doc": "n.txt",
         "quote": "exceeded 370 million", "supported": False, "kind": "wrong-number"},
        {"text": "NOT IN DOCUMENTS", "doc": "", "quote": "", "supported": True,
         "kind": "paraphrase"}]}  # fmt: skip
    path = eval_dir / "answers.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    pairs = load_pairs(path)
    assert len(pairs) == 2 and pairs[0]["passage"] == PASSAGE  # the paragraph, not the quote
    assert score_pairs(path)["balanced_accuracy"] == 1.0
    kinds = per_kind(path)
    assert kinds["wrong-number"] == {"n": 1, "accuracy": 1.0, "balanced_accuracy": 1.0,
                                     "kappa": 1.0}  # fmt: skip
    bad = eval_dir / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "sentences": [{"text": "t"}]}) + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl, line 1: sentence 1 needs"):
        load_pairs(bad)


@pytest.mark.skipif(not ANSWERS.is_file(), reason="needs ../shared/eval")
def test_grounding_on_the_llm_answers_file_counts_every_sentence():
    pairs = load_pairs(ANSWERS)
    assert len(pairs) == 318  # 248 supported + 70 unsupported, refusals left out
    assert sum(not p["supported"] for p in pairs) == 70


@pytest.mark.skipif(not ANSWERS.is_file(), reason="needs ../shared/eval")
def test_verifier_meets_the_sentence_level_bars_on_llm_answers():
    # Issue 9's acceptance: supported kept >= 0.92, unsupported caught >= 0.85, and each of the
    # value and role kinds caught >= 0.75, with the verifier's own scorer (rag.verify.support).
    from rag.verify import support as verify_support

    pairs = load_pairs(ANSWERS)
    ok = [verify_support(p["claim"], p["passage"], p.get("before", "")).supported for p in pairs]
    sup = [k for k, p in zip(ok, pairs, strict=True) if p["supported"]]
    uns = [not k for k, p in zip(ok, pairs, strict=True) if not p["supported"]]
    assert sum(sup) / len(sup) >= 0.92 and sum(uns) / len(uns) >= 0.85
    for kind in ("role-swap", "wrong-number", "wrong-date", "wrong-entity"):
        caught = [not k for k, p in zip(ok, pairs, strict=True) if p["kind"] == kind]
        assert sum(caught) / len(caught) >= 0.75, kind


@pytest.mark.slow  # indexes two small documents with the bundled MiniLM and replays answers
def test_grounding_end_to_end_replays_answers_and_writes_what_each_count_rests_on(tmp_path):
    from eval.grounding import end_to_end

    (tmp_path / "eval").mkdir()
    (tmp_path / "corpus").mkdir()
    squad = tmp_path / "data" / "squad2-dev" / "corpus"
    squad.mkdir(parents=True)
    (tmp_path / "corpus" / "n.txt").write_text(f"Quark\n\n{PASSAGE}\n", encoding="utf-8")
    (squad / "Rhine.txt").write_text("Rhine\n\nThe Rhine flows through Basel.\n", "utf-8")
    q = "How many annual downloads did Quark have by early 2024?"
    true = {
        "text": "Quark's annual downloads passed 370 million by early 2024.",
        "doc": "n.txt",
        "quote": "Quark’s annual downloads exceeded 370 million",
        "supported": True,
        "kind": "paraphrase",
    }
    wrong = {
        **true,
        "text": "Quark's annual downloads passed 470 million by early 2024.",
        "supported": False,
        "kind": "wrong-number",
    }
    refusal = {
        "text": "NOT IN DOCUMENTS",
        "doc": "",
        "quote": "",
        "supported": True,
        "kind": "paraphrase",
    }
    answers = (("faithful", true), ("hallucinated", wrong), ("refusal", refusal))
    rows = [
        {"id": "dev-03", "question": q, "answerable": True, "variant": v, "sentences": [s]}
        for v, s in answers
    ]
    path = tmp_path / "eval" / "answers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "e2e.jsonl"
    counts = end_to_end(path, tmp_path / "store", out)
    assert counts["faithful: false abstention"].startswith("0/1")
    assert counts["refusal abstains"].startswith("1/1")
    assert counts["unsupported dropped (wrong-number)"].startswith("1/1")
    records = {r["variant"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == {"faithful", "hallucinated", "refusal"}
    assert not records["faithful"]["abstained"] and records["refusal"]["abstained"]
    (bad,) = records["hallucinated"]["verdicts"]
    assert bad["status"] == "dropped" and "470 million" in bad["reason"]
    assert records["hallucinated"]["labels"][0]["kind"] == "wrong-number"
