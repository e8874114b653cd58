"""The user-style question sets about the SQuAD 2.0 articles (eval/user_questions_{a,b,c}.jsonl)
stay usable by `rag eval`: every line is a question in the seed format, ids are unique across the
sets, an answerable question quotes its evidence exactly from an article of the corpus, and an
unanswerable one carries no answers and names the kind it was written as (README, "Questions
users ask of the Wikipedia articles")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED

SETS = [Path(__file__).parent.parent / "eval" / f"user_questions_{s}.jsonl" for s in "abc"]
CORPUS = SHARED / "data" / "squad2-dev" / "corpus"
KINDS = {"answerable", "not-covered", "near-miss", "other-entity", "not-addressed"}

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} missing")


def _rows() -> list[dict]:
    return [json.loads(line) for path in SETS for line in path.read_text().splitlines() if line]


def test_sets_are_well_formed_and_evidence_is_quoted_exactly():
    rows = _rows()
    assert len(rows) == 96 + 88 + 115
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["question"].lower() for r in rows}) == len(rows)
    texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    for r in rows:
        assert r["kind"] in KINDS, r["id"]
        assert r["article"] in texts, r["id"]
        if r["answerable"]:
            assert r["kind"] == "answerable" and r["answers"] and r["evidence"], r["id"]
            for ev in r["evidence"]:
                assert ev["quote"] in texts[ev["doc"]], (r["id"], ev["quote"])
        else:
            assert r["kind"] != "answerable" and not r["answers"] and not r["evidence"], r["id"]
            assert r["type"] == "unanswerable", r["id"]
