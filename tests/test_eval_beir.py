"""BEIR mode on a tiny hand-made BEIR folder whose lexical scores can be worked out by hand."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from eval.beir import format_beir, load_beir, run_beir
from rag.cli import main

DOCS = [
    ("d1", "Solar panels", "Photovoltaic cells convert sunlight into electricity efficiently."),
    ("d2", "Volcanoes", "Magma erupts through the crust of the earth."),
    ("d3", "Bread baking", "Yeast ferments the dough which rises in the oven."),
    ("d4", "Bakery flour", "Wheat flour is milled from grain kernels."),
]
QUERIES = {"q1": "photovoltaic sunlight electricity", "q2": "yeast dough rising", "q9": "unjudged"}
QRELS = [("q1", "d1", 1), ("q2", "d3", 1), ("q2", "d4", 1)]


@pytest.fixture(scope="module")
def beir_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("beir") / "tiny"
    (folder / "qrels").mkdir(parents=True)
    with gzip.open(folder / "corpus.jsonl.gz", "wt") as f:
        for i, title, text in DOCS:
            f.write(json.dumps({"_id": i, "title": title, "text": text}) + "\n")
    (folder / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in QUERIES.items())
    )
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t{s}" for q, d, s in QRELS]
    (folder / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return folder


def test_load_beir_keeps_judged_queries_and_skips_the_header(beir_dir: Path):
    data = load_beir(beir_dir)
    assert sorted(data.queries) == ["q1", "q2"]
    assert data.qrels == {"q1": {"d1": 1}, "q2": {"d3": 1, "d4": 1}}


def test_scores_by_hand(beir_dir: Path, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    result = run_beir(beir_dir, cache=cache, progress=False)
    # Lexical: q1 finds d1 alone (nDCG 1, recall 1). q2 finds only d3, which shares its words;
    # d4 shares none: nDCG = 1 / (1 + 1/log2(3)), recall 1/2.
    q2 = 1 / (1 + 1 / math.log2(3))
    assert result["lexical"]["ndcg@10"] == pytest.approx((1 + q2) / 2, abs=1e-4)
    assert result["lexical"]["recall@100"] == 0.75
    # Dense returns all four documents, so everything relevant is within the top 100.
    assert result["dense"]["recall@100"] == 1.0 and result["hybrid"]["recall@100"] == 1.0
    # Hybrid: the lexical match is first for both queries (it leads both fused lists), and d4
    # is at worst 4th: nDCG(q2) >= (1 + 1/log2(5)) / (1 + 1/log2(3)).
    floor = (1 + (1 + 1 / math.log2(5)) / (1 + 1 / math.log2(3))) / 2
    assert result["hybrid"]["ndcg@10"] >= floor - 1e-4
    # A second run reuses the cached store and gives the same figures.
    assert run_beir(beir_dir, cache=cache, progress=False) == result
    text = format_beir(beir_dir, result)
    assert "hybrid" in text and "nDCG@10" in text


def test_cli_json_keys(beir_dir: Path, tmp_path: Path, capsys):
    assert main(["eval", "beir", str(beir_dir), "--json", "--cache", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"dense", "lexical", "hybrid"}
    assert all(set(v) == {"ndcg@10", "recall@100"} for v in out.values())


def test_not_a_beir_folder(tmp_path: Path, capsys):
    assert main(["eval", "beir", str(tmp_path)]) == 2
    assert "BEIR folder" in capsys.readouterr().err
