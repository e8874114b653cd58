"""End to end: the dev set through `ask` (extractive backend) into results and reports; the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from eval.compare import compare, format_compare
from eval.runner import RunConfig, run_eval
from index.pipeline import IndexConfig
from rag.cli import main
from tests.conftest import CORPUS, EVAL, REPO

DEV = EVAL / "seed_qa_dev.jsonl"
PAIRS = EVAL / "grounding_pairs_dev.jsonl"


@pytest.fixture(scope="module")
def dev_run(tmp_path_factory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("eval")
    cfg = RunConfig(
        dataset=DEV,
        out=base / "run",
        index=IndexConfig(store=base / "store"),
        corpus=CORPUS,
        progress=False,
    )
    return base, run_eval(cfg)


def test_report_json_has_the_contract_keys_and_rates(dev_run):
    base, _ = dev_run
    report = json.loads((base / "run" / "report.json").read_text())
    assert report["n"] == 22
    expected = {
        "retrieval": {"hit@5", "recall@5", "mrr", "ndcg@10"},
        "answer": {"em", "f1"},
        "grounding": {"supported_sentences", "citation_recall", "citation_precision"},
        "abstention": {"precision", "recall"},
        "latency_ms": {"p50", "p95"},
    }
    for group, keys in expected.items():
        assert keys <= set(report[group]), group
        if group != "latency_ms":
            for k in keys:
                assert 0.0 <= report[group][k] <= 1.0, (group, k)
    assert 0 < report["latency_ms"]["p50"] <= report["latency_ms"]["p95"]
    cfg = report["config"]
    assert {"backend", "model", "embedder", "top_k", "versions"} <= set(cfg)
    assert cfg["backend"] == "extractive" and cfg["top_k"] == 6
    assert cfg["answerability_model"].startswith("reader-")
    assert cfg["near_miss_model"].startswith("near-miss-")
    assert report["scored"]["retrieval"] == 19 and report["scored"]["should_abstain"] == 3
    # Guards against a relevance bug (e.g. evidence documents never matched) reading as 0.
    assert report["retrieval"]["hit@5"] >= 0.7
    assert set(report["definitions"]) >= {"hit@5", "ndcg@10", "citation_precision"}


def test_results_jsonl_has_one_scored_answer_per_question(dev_run):
    base, _ = dev_run
    lines = (base / "run" / "results.jsonl").read_text().splitlines()
    assert len(lines) == 22
    rows = [json.loads(line) for line in lines]
    for r in rows:
        assert {"id", "answer", "citations", "sentences", "metrics", "latency_ms"} <= set(r)
        assert r["latency_ms"]["total_ms"] > 0
    unanswerable = [r for r in rows if not r["answerable"]]
    assert all("hit@5" not in r["metrics"] and "em" not in r["metrics"] for r in unanswerable)
    answered = [r for r in rows if not r["abstained"]]
    assert answered and all(r["citations"] for r in answered)
    assert all(len(r["retrieved"]) == 10 for r in rows)


def test_report_html_is_self_contained(dev_run):
    base, _ = dev_run
    page = (base / "run" / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page and "<link" not in page
    assert page.count("<svg") == 3  # per type, latency, support scores
    md = (base / "run" / "report.md").read_text()
    assert "| retrieval | hit@5 |" in md and "## Definitions" in md


def test_compare_two_runs(dev_run, tmp_path: Path, capsys):
    base, report = dev_run
    other = json.loads(json.dumps(report))
    other["retrieval"]["hit@5"] = report["retrieval"]["hit@5"] - 0.25
    other["config"]["top_k"] = 3
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "report.json").write_text(json.dumps(other))
    result = compare(report, other)
    row = next(r for r in result["metrics"] if r["metric"] == "retrieval.hit@5")
    assert row["delta"] == pytest.approx(-0.25)
    assert {"key": "top_k", "a": 6, "b": 3} in result["config"]
    assert "top_k: 6 -> 3" in format_compare(result)

    assert main(["eval", "compare", str(base / "run"), str(tmp_path / "b"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["config"] == [{"key": "top_k", "a": 6, "b": 3}]


def test_compare_missing_run_is_a_user_error(tmp_path: Path, capsys):
    assert main(["eval", "compare", str(tmp_path), str(tmp_path)]) == 2
    assert "no report.json" in capsys.readouterr().err


# ---------------------------------------------------------------------------------- CLI


def test_grounding_cli_json_prints_exactly_the_keys(capsys):
    assert main(["eval", "grounding", str(PAIRS), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"n", "accuracy", "balanced_accuracy", "kappa"}
    assert out["n"] == 20 and 0 <= out["balanced_accuracy"] <= 1 and -1 <= out["kappa"] <= 1


def test_grounding_cli_text(capsys):
    assert main(["eval", "grounding", str(PAIRS)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("n ") and "kappa" in out and "accuracy by kind" in out


def test_run_arguments_reach_the_runner(monkeypatch, tmp_path: Path):
    seen = {}

    def fake_run(cfg):
        seen["cfg"] = cfg
        return {"n": 0, "config": {"model": "x"}, **{g: {} for g in
                ("retrieval", "answer", "grounding", "abstention", "latency_ms")}}  # fmt: skip

    monkeypatch.setattr("eval.runner.run_eval", fake_run)
    data = tmp_path / "d.jsonl"
    data.write_text('{"question": "q"}\n')
    argv = ["eval", "--out", str(tmp_path / "o"), str(data), "--store", str(tmp_path / "s")]
    assert main([*argv, "--top-k", "4", "--llm", "extractive"]) == 0
    cfg = seen["cfg"]
    assert cfg.dataset == data and cfg.top_k == 4 and cfg.index.store == tmp_path / "s"
    assert cfg.llm.backend == "extractive" and cfg.corpus is None


def test_eval_help_lists_the_subcommands(capsys):
    assert main(["eval", "-h"]) == 0
    out = capsys.readouterr().out
    assert "DATASET" in out.upper() and "rag eval beir -h" in out
    assert main(["eval"]) == 2


def test_python_dash_m_eval_is_rag_eval():
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "grounding", str(PAIRS), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) == {"n", "accuracy", "balanced_accuracy", "kappa"}


# ---------------------------------------------------------------------------------- judge


class FakeJudge:
    name = "fake:judge"

    def __init__(self, replies: list[str]):
        self.replies = replies
        self.calls = 0

    def chat(self, messages, stream=False):
        self.calls += 1
        yield self.replies[(self.calls - 1) % len(self.replies)]


def test_judge_parses_caches_and_records_errors(tmp_path: Path):
    from eval.generate import judge_pairs

    rows = [
        {"id": "a", "passage": "p1", "claim": "c1", "supported": True},
        {"id": "b", "passage": "p2", "claim": "c2", "supported": False},
        {"id": "c", "passage": "p3", "claim": "c3", "supported": False},
    ]
    fenced = 'Sure! ```json\n{"supported": true, "reason": "stated"}\n```'
    judge = FakeJudge([fenced, '{"supported": false}', "no"])
    verdicts, errors = judge_pairs(rows, judge, tmp_path)
    assert verdicts == [True, False, None]
    assert [e["id"] for e in errors] == ["c"] and "bad judge reply" in errors[0]["error"]
    again, _ = judge_pairs(rows, judge, tmp_path)  # every reply comes from the cache
    assert again == verdicts and judge.calls == 3
    other = FakeJudge(['{"supported": false}'])
    other.name = "fake:other"  # another model is another cache key
    judge_pairs(rows[:1], other, tmp_path)
    assert other.calls == 1


def test_judge_cli_counts_errors_as_wrong_never_nan(monkeypatch, tmp_path: Path, capsys):
    monkeypatch.setattr("rag.llm.get_llm", lambda cfg: FakeJudge(["garbage"]))
    args = ["eval", "grounding", str(PAIRS), "--judge", "openai", "--json"]
    assert main([*args, "--cache", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == 20 and out["accuracy"] == 0.0 and out["kappa"] == out["kappa"]


class FakeClient:
    """An OpenAI client whose server rejects OpenAI's json_schema format (as llama.cpp does)."""

    def __init__(self):
        self.formats = []
        self.chat = self
        self.completions = self

    def create(self, **kw):
        import httpx
        import openai

        self.formats.append(kw["response_format"]["type"])
        if kw["response_format"]["type"] == "json_schema":
            request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
            raise openai.APIStatusError(
                "bad format", response=httpx.Response(500, request=request), body=None
            )
        message = type("M", (), {"content": '{"supported": true}'})
        return type("R", (), {"choices": [type("C", (), {"message": message})]})


def test_judge_asks_for_the_schema_and_falls_back_between_formats(tmp_path: Path):
    from eval.generate import judge_pairs

    judge = FakeJudge(["never used"])
    judge._client, judge.model = FakeClient(), "m"
    verdicts, errors = judge_pairs([{"id": "a", "passage": "p", "claim": "c"}], judge, tmp_path)
    assert verdicts == [True] and errors == [] and judge.calls == 0
    assert judge._client.formats == ["json_schema", "json_object"]


def test_a_bad_out_folder_is_refused_before_the_run(monkeypatch, tmp_path: Path, capsys):
    # The reports are written after every question was asked: a file or an unwritable place
    # given as --out must stop the run before it starts, with one line, not end it in a
    # traceback.
    def fake_run(cfg):
        raise AssertionError("the run started")

    monkeypatch.setattr("eval.runner.run_eval", fake_run)
    data = tmp_path / "d.jsonl"
    data.write_text('{"question": "q"}\n')
    taken = tmp_path / "report.txt"
    taken.write_text("not a folder")
    for out in (taken, taken / "sub"):
        assert main(["eval", str(data), "--out", str(out), "--store", str(tmp_path / "s")]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "--out" in err and str(taken) in err, err
    assert taken.read_text() == "not a folder"
